// A local endpoint that speaks the Neon serverless driver's HTTP protocol (POST /sql) in front of the platform's
// database, so the Worker's production code (`neon()` / `transaction()`) runs unchanged in development and tests.
// Protocol facts: docs/local-platform.md.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { type BackingDatabase, LOCAL_ROLES, type Statement, type TransactionOptions } from "./database.ts";
import { assertStatementAllowed, RefusedStatementError } from "./statement-guard.ts";

const MAX_BODY_BYTES = 8 * 1024 * 1024;

export interface EndpointStats {
  /** HTTP requests, i.e. database round trips from the Worker's point of view. */
  requests: number;
  statements: number;
  errors: number;
}

export interface NeonHttpEndpoint {
  readonly url: string;
  readonly port: number;
  readonly stats: EndpointStats;
  /** The statements of the most recent request, so the benchmarks can replay a request's exact SQL. */
  readonly lastStatements: readonly Statement[];
  resetStats(): void;
  close(): Promise<void>;
}

class ProtocolError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new ProtocolError(413, "request body too large");
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function parseStatement(value: unknown): Statement {
  const candidate = value as { query?: unknown; params?: unknown };
  if (typeof candidate?.query !== "string") throw new ProtocolError(400, "each query needs a `query` string");
  if (candidate.params !== undefined && !Array.isArray(candidate.params)) {
    throw new ProtocolError(400, "`params` must be an array");
  }
  // The endpoint serves one client (the Worker) but still refuses whatever could leave the transaction or the
  // role it runs as (statement-guard.ts).
  assertStatementAllowed(candidate.query);
  return { query: candidate.query, params: candidate.params as unknown[] | undefined };
}

function loginFrom(request: IncomingMessage) {
  const header = request.headers["neon-connection-string"];
  if (typeof header !== "string") throw new ProtocolError(400, "missing Neon-Connection-String header");
  let url: URL;
  try {
    url = new URL(header);
  } catch {
    throw new ProtocolError(400, "invalid Neon-Connection-String header");
  }
  const user = decodeURIComponent(url.username);
  if (!(LOCAL_ROLES as readonly string[]).includes(user)) {
    throw new ProtocolError(403, `role ${JSON.stringify(user)} may not log in through the local endpoint`);
  }
  return { user, password: decodeURIComponent(url.password) };
}

function transactionOptions(request: IncomingMessage): TransactionOptions {
  const isolation = request.headers["neon-batch-isolation-level"];
  const options: TransactionOptions = {};
  if (typeof isolation === "string" && isolation) {
    if (!["ReadUncommitted", "ReadCommitted", "RepeatableRead", "Serializable"].includes(isolation)) {
      throw new ProtocolError(400, "invalid Neon-Batch-Isolation-Level");
    }
    options.isolationLevel = isolation as TransactionOptions["isolationLevel"];
  }
  if (request.headers["neon-batch-read-only"] === "true") options.readOnly = true;
  if (request.headers["neon-batch-deferrable"] === "true") options.deferrable = true;
  return options;
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const payload = JSON.stringify(body);
  response.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(payload),
  });
  response.end(payload);
}

/** Postgres errors in the shape Neon's SQL-over-HTTP answers them, which the driver raises as NeonDbError. */
function databaseErrorBody(error: unknown): Record<string, unknown> {
  const source = error as Record<string, unknown>;
  const body: Record<string, unknown> = { message: error instanceof Error ? error.message : String(error) };
  for (const key of [
    "code",
    "severity",
    "detail",
    "hint",
    "position",
    "schema",
    "table",
    "column",
    "dataType",
    "constraint",
  ]) {
    if (source?.[key] !== undefined) body[key] = String(source[key]);
  }
  return body;
}

export async function startNeonHttpEndpoint(
  database: BackingDatabase,
  options: { port?: number; host?: string } = {},
): Promise<NeonHttpEndpoint> {
  const stats: EndpointStats = { requests: 0, statements: 0, errors: 0 };
  let lastStatements: Statement[] = [];

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = new URL(request.url ?? "/", "http://localhost").pathname;
    if (request.method === "GET" && path === "/__stats") return sendJson(response, 200, stats);
    if (request.method !== "POST" || path !== "/sql")
      return sendJson(response, 404, { message: "not found" });

    stats.requests++;
    const login = loginFrom(request);
    let body: unknown;
    try {
      body = JSON.parse(await readBody(request));
    } catch (error) {
      if (error instanceof ProtocolError) throw error;
      throw new ProtocolError(400, "body is not JSON");
    }
    const batch = (body as { queries?: unknown }).queries;
    const statements = Array.isArray(batch) ? batch.map(parseStatement) : [parseStatement(body)];
    stats.statements += statements.length;
    lastStatements = statements;
    try {
      const results = await database.transaction(
        login,
        statements,
        Array.isArray(batch) ? transactionOptions(request) : {},
      );
      const shaped = results.map((result) => ({ ...result, rowAsArray: true }));
      sendJson(response, 200, Array.isArray(batch) ? { results: shaped } : shaped[0]);
    } catch (error) {
      stats.errors++;
      sendJson(response, 400, databaseErrorBody(error));
    }
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      stats.errors++;
      if (response.headersSent) return response.destroy();
      // A refusal reads like the database's own error (message and SQLSTATE), which the driver raises as NeonDbError.
      if (error instanceof RefusedStatementError)
        return sendJson(response, 400, { message: error.message, code: error.code, severity: "ERROR" });
      const status = error instanceof ProtocolError ? error.status : 500;
      sendJson(response, status, { message: (error as Error).message });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    stats,
    get lastStatements() {
      return lastStatements;
    },
    resetStats() {
      stats.requests = 0;
      stats.statements = 0;
      stats.errors = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
