// Runs one operator query (ops/queries/<name>.sql) against the Workers Analytics Engine SQL API and prints the
// rows as a table.
//
//   npm run ops:query -- <name> [--since 1h] [--bucket 5m] [--env production|staging|development]
//                                [--dataset <name>] [--print]
//   npm run ops:query -- --list
//
// Needs CLOUDFLARE_ACCOUNT_ID and CLOUDFLARE_API_TOKEN (a token with Account Analytics: Read); --print only
// renders the SQL and needs neither.
import { readdir, readFile } from "node:fs/promises";
import { fileURLToPath, pathToFileURL } from "node:url";

export const QUERIES_DIR = fileURLToPath(new URL("../ops/queries/", import.meta.url));

/** Analytics Engine dataset per environment, as bound to METRICS in wrangler.toml. */
export const DATASETS = {
  development: "real_estate_os_dev",
  staging: "real_estate_os_staging",
  production: "real_estate_os_production",
} as const;

export type Environment = keyof typeof DATASETS;

export class UsageError extends Error {
  override name = "UsageError";
}

export interface Duration {
  amount: number;
  unit: "MINUTE" | "HOUR" | "DAY";
  seconds: number;
}

export interface OpsQueryArgs {
  name: string;
  since: Duration;
  bucket: Duration;
  env: Environment;
  dataset: string;
  print: boolean;
  list: boolean;
}

const UNIT_SECONDS = { MINUTE: 60, HOUR: 3600, DAY: 86_400 } as const;
const UNIT_BY_SUFFIX = { m: "MINUTE", h: "HOUR", d: "DAY" } as const;
// Identifiers only: the dataset and query name end up in SQL text and a file path.
const IDENTIFIER = /^[a-z][a-z0-9_]{0,63}$/;
// Analytics Engine keeps three months of data.
const MAX_SINCE_SECONDS = 92 * 86_400;

export function parseDuration(text: string): Duration {
  const match = /^(\d{1,4})([mhd])$/.exec(text.trim());
  if (!match) throw new UsageError(`"${text}" is not a duration: use e.g. 15m, 1h, 7d`);
  const amount = Number(match[1]);
  const unit = UNIT_BY_SUFFIX[match[2] as keyof typeof UNIT_BY_SUFFIX];
  const seconds = amount * UNIT_SECONDS[unit];
  if (amount === 0) throw new UsageError("a duration must be greater than zero");
  if (seconds > MAX_SINCE_SECONDS)
    throw new UsageError("Analytics Engine keeps at most three months of data");
  return { amount, unit, seconds };
}

/** A bucket that gives a chart of roughly 60 to 300 points for the window. */
export function defaultBucket(since: Duration): Duration {
  const choices: Duration[] = [
    { amount: 1, unit: "MINUTE", seconds: 60 },
    { amount: 5, unit: "MINUTE", seconds: 300 },
    { amount: 15, unit: "MINUTE", seconds: 900 },
    { amount: 1, unit: "HOUR", seconds: 3600 },
    { amount: 1, unit: "DAY", seconds: 86_400 },
  ];
  return choices.find((choice) => since.seconds / choice.seconds <= 300) ?? (choices.at(-1) as Duration);
}

function interval(duration: Duration): string {
  return `INTERVAL '${duration.amount}' ${duration.unit}`;
}

export function parseArgs(argv: readonly string[]): OpsQueryArgs {
  let name: string | undefined;
  let since = "1h";
  let bucket: string | undefined;
  let env: string = "production";
  let dataset: string | undefined;
  let print = false;
  let list = false;
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index] as string;
    const [flag, inline] = arg.startsWith("--") && arg.includes("=") ? arg.split("=", 2) : [arg, undefined];
    const value = () => {
      const next = inline ?? argv[++index];
      if (next === undefined || next.startsWith("--")) throw new UsageError(`${flag} needs a value`);
      return next;
    };
    switch (flag) {
      case "--since":
        since = value();
        break;
      case "--bucket":
        bucket = value();
        break;
      case "--env":
        env = value();
        break;
      case "--dataset":
        dataset = value();
        break;
      case "--print":
        print = true;
        break;
      case "--list":
        list = true;
        break;
      default:
        if (arg.startsWith("-")) throw new UsageError(`unknown option ${arg}`);
        if (name) throw new UsageError(`one query at a time (got ${name} and ${arg})`);
        name = arg;
    }
  }
  if (!(env in DATASETS)) throw new UsageError(`--env must be one of ${Object.keys(DATASETS).join(", ")}`);
  if (!name && !list) throw new UsageError("name a query (npm run ops:query -- --list shows them)");
  if (name && !IDENTIFIER.test(name)) throw new UsageError(`"${name}" is not a query name`);
  const resolvedDataset = dataset ?? DATASETS[env as Environment];
  if (!IDENTIFIER.test(resolvedDataset)) throw new UsageError(`"${resolvedDataset}" is not a dataset name`);
  const sinceDuration = parseDuration(since);
  return {
    name: name ?? "",
    since: sinceDuration,
    bucket: bucket ? parseDuration(bucket) : defaultBucket(sinceDuration),
    env: env as Environment,
    dataset: resolvedDataset,
    print,
    list,
  };
}

export interface RenderOptions {
  dataset: string;
  since: Duration;
  bucket: Duration;
}

const PLACEHOLDER = /\{\{(\w+)\}\}/g;

// Leading "--" lines document a query file; they are not sent, whatever the SQL dialect makes of comments.
function withoutComments(template: string): string {
  return template
    .split("\n")
    .filter((line) => !line.trimStart().startsWith("--"))
    .join("\n");
}

function substitute(template: string, values: Record<string, string>): string {
  return withoutComments(template).replace(PLACEHOLDER, (whole, key: string) => {
    const value = values[key];
    if (value === undefined) throw new Error(`unknown placeholder ${whole}`);
    return value;
  });
}

/** The query as the SQL API runs it: a literal dataset, window and bucket. */
export function renderQuery(template: string, options: RenderOptions): string {
  return substitute(template, {
    dataset: options.dataset,
    timeFilter: `timestamp > NOW() - ${interval(options.since)}`,
    bucket: `toStartOfInterval(timestamp, ${interval(options.bucket)})`,
  }).trim();
}

/**
 * The query as Grafana's ClickHouse (Altinity) datasource runs it: the plugin's macros for the time range and
 * the bucket, and the dashboard's $dataset variable (alert rules have no dashboard variables: they name one).
 */
export function renderForGrafana(template: string, dataset = "$dataset"): string {
  return substitute(template, { dataset, timeFilter: "$timeFilter", bucket: "$timeSeries" }).trim();
}

export async function listQueries(dir = QUERIES_DIR): Promise<string[]> {
  return (await readdir(dir))
    .filter((file) => file.endsWith(".sql"))
    .map((file) => file.slice(0, -4))
    .sort();
}

export async function loadQuery(name: string, dir = QUERIES_DIR): Promise<string> {
  if (!IDENTIFIER.test(name)) throw new UsageError(`"${name}" is not a query name`);
  const known = await listQueries(dir);
  if (!known.includes(name)) throw new UsageError(`no query "${name}"; known: ${known.join(", ")}`);
  return readFile(new URL(`${name}.sql`, pathToFileURL(dir.endsWith("/") ? dir : `${dir}/`)), "utf8");
}

export interface Credentials {
  accountId: string;
  apiToken: string;
}

export function credentialsFrom(env: Record<string, string | undefined>): Credentials {
  const accountId = env.CLOUDFLARE_ACCOUNT_ID?.trim();
  const apiToken = env.CLOUDFLARE_API_TOKEN?.trim();
  const missing = [!accountId && "CLOUDFLARE_ACCOUNT_ID", !apiToken && "CLOUDFLARE_API_TOKEN"].filter(
    Boolean,
  );
  if (missing.length > 0 || !accountId || !apiToken) {
    throw new UsageError(
      `${missing.join(" and ")} must be set: the account id and an API token with Account Analytics: Read ` +
        "(or use --print to see the SQL without running it)",
    );
  }
  if (!/^[0-9a-f]{32}$/i.test(accountId)) throw new UsageError("CLOUDFLARE_ACCOUNT_ID must be 32 hex digits");
  return { accountId, apiToken };
}

export interface QueryResult {
  meta: { name: string; type: string }[];
  data: Record<string, unknown>[];
  rows: number;
}

export async function runQuery(
  sql: string,
  credentials: Credentials,
  fetchImpl: typeof fetch = fetch,
): Promise<QueryResult> {
  const response = await fetchImpl(
    `https://api.cloudflare.com/client/v4/accounts/${credentials.accountId}/analytics_engine/sql`,
    {
      method: "POST",
      headers: { Authorization: `Bearer ${credentials.apiToken}`, "Content-Type": "text/plain" },
      body: `${sql}\nFORMAT JSON`,
      signal: AbortSignal.timeout(30_000),
    },
  );
  const text = await response.text();
  if (!response.ok) {
    // The API answers errors as plain text (SQL errors) or a JSON envelope (auth); either is shown as is.
    throw new Error(`Analytics Engine SQL API answered ${response.status}: ${text.slice(0, 500)}`);
  }
  return JSON.parse(text) as QueryResult;
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") return Number.isInteger(value) ? String(value) : value.toFixed(3);
  return String(value);
}

export function formatTable(rows: readonly Record<string, unknown>[], columns?: readonly string[]): string {
  if (rows.length === 0) return "(no rows)";
  const names = columns ?? Object.keys(rows[0] as object);
  const body = rows.map((row) => names.map((name) => cell(row[name])));
  const widths = names.map((name, index) =>
    Math.max(name.length, ...body.map((line) => (line[index] ?? "").length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((value, index) => value.padEnd(widths[index] ?? 0))
      .join("  ")
      .trimEnd();
  return [line(names), line(widths.map((width) => "-".repeat(width))), ...body.map(line)].join("\n");
}

export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
}

export async function main(
  argv: readonly string[],
  env: Record<string, string | undefined>,
  io: Io = { out: console.log, err: console.error },
  fetchImpl: typeof fetch = fetch,
): Promise<number> {
  try {
    const args = parseArgs(argv);
    if (args.list) {
      io.out((await listQueries()).join("\n"));
      return 0;
    }
    const sql = renderQuery(await loadQuery(args.name), args);
    if (args.print) {
      io.out(sql);
      return 0;
    }
    const result = await runQuery(sql, credentialsFrom(env), fetchImpl);
    io.out(
      formatTable(
        result.data,
        result.meta?.map((column) => column.name),
      ),
    );
    return 0;
  } catch (error) {
    io.err(error instanceof Error ? `ops:query: ${error.message}` : String(error));
    return error instanceof UsageError ? 2 : 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv.slice(2), process.env);
}
