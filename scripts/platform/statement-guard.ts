// What the local Neon endpoint lets through. On PGlite every transaction is the superuser's session running
// `SET LOCAL ROLE` to the connection string's role, so a statement that changes the role back (RESET ROLE,
// SET ROLE, SET SESSION AUTHORIZATION, set_config('role', ...), any of them inside a DO block) would run as
// the superuser and bypass row-level security; transaction control would end the transaction the endpoint
// manages. The guard therefore reads each statement with PostgreSQL's own parser (libpg-query, the real
// grammar compiled to WebAssembly), so comments, quoting, case, dollar-quoted bodies and several statements
// in one string are understood exactly as the database will understand them, and it accepts only:
//   - data statements (SELECT, INSERT, UPDATE, DELETE, with or without WITH), the only kinds the Worker sends;
//   - set_config calls whose setting is a string literal naming a dotted custom setting (app.current_tenant_id),
//     which can never be role, session_authorization or any other built-in setting, and set_config of
//     statement_timeout (a limit the RESO routes put on their own transaction; it changes no privilege).
// A statement the parser cannot read is refused too, with PostgreSQL's syntax_error code, because a string
// the guard cannot read is one it cannot vouch for.
import { loadModule, parseSync } from "libpg-query";

await loadModule();

const DATA_STATEMENTS: ReadonlySet<string> = new Set([
  "SelectStmt",
  "InsertStmt",
  "UpdateStmt",
  "DeleteStmt",
]);
const CUSTOM_SETTING = /^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)+$/i;
const LIMIT_SETTINGS: ReadonlySet<string> = new Set(["statement_timeout"]);
const VERDICT_CACHE_LIMIT = 2_000;

export class RefusedStatementError extends Error {
  /** A PostgreSQL SQLSTATE, so the driver raises the refusal as it would raise the database's own error. */
  readonly code: string;
  constructor(message: string, code: string) {
    super(message);
    this.name = "RefusedStatementError";
    this.code = code;
  }
}

type Node = Record<string, unknown>;

function isObject(value: unknown): value is Node {
  return typeof value === "object" && value !== null;
}

function functionName(call: Node): string {
  const parts = Array.isArray(call.funcname) ? call.funcname : [];
  const last = parts.at(-1) as { String?: { sval?: string } } | undefined;
  return (last?.String?.sval ?? "").toLowerCase();
}

/** The literal a set_config call names as its setting, or undefined when it is not a plain string literal. */
function settingLiteral(call: Node): string | undefined {
  const first = (Array.isArray(call.args) ? call.args[0] : undefined) as
    | { A_Const?: { sval?: { sval?: string } } }
    | undefined;
  return first?.A_Const?.sval?.sval;
}

/** Every set_config call in a parse tree must name a custom (dotted) setting with a literal. */
function findForbiddenCall(node: unknown): string | undefined {
  if (Array.isArray(node)) {
    for (const item of node) {
      const found = findForbiddenCall(item);
      if (found) return found;
    }
    return undefined;
  }
  if (!isObject(node)) return undefined;
  const call = node.FuncCall;
  if (isObject(call) && functionName(call) === "set_config") {
    const setting = settingLiteral(call);
    if (setting === undefined || !(CUSTOM_SETTING.test(setting) || LIMIT_SETTINGS.has(setting))) {
      return "set_config may only change a custom setting named by a string literal (e.g. app.current_tenant_id)";
    }
  }
  for (const value of Object.values(node)) {
    const found = findForbiddenCall(value);
    if (found) return found;
  }
  return undefined;
}

function verdictOf(query: string): RefusedStatementError | null {
  let tree: { stmts?: { stmt?: Node }[] };
  try {
    tree = parseSync(query);
  } catch (error) {
    return new RefusedStatementError(error instanceof Error ? error.message : String(error), "42601");
  }
  for (const { stmt } of tree.stmts ?? []) {
    const kind = stmt ? Object.keys(stmt)[0] : undefined;
    if (!kind || !DATA_STATEMENTS.has(kind)) {
      return new RefusedStatementError(
        `only SELECT, INSERT, UPDATE and DELETE are accepted, not ${kind ?? "an empty statement"}`,
        "42501",
      );
    }
    const forbidden = findForbiddenCall(stmt);
    if (forbidden) return new RefusedStatementError(forbidden, "42501");
  }
  return null;
}

// The Worker sends a few dozen distinct statement texts (values travel as parameters), so verdicts are cached by
// text and the parser runs about once per statement shape.
const verdicts = new Map<string, RefusedStatementError | null>();

/** Throws RefusedStatementError unless every statement in `query` is one the endpoint accepts. */
export function assertStatementAllowed(query: string): void {
  let verdict = verdicts.get(query);
  if (verdict === undefined) {
    verdict = verdictOf(query);
    if (verdicts.size >= VERDICT_CACHE_LIMIT) verdicts.clear();
    verdicts.set(query, verdict);
  }
  if (verdict) throw verdict;
}
