// Smoke test of a deployed API: the health check, then one authenticated read. Used by the deploy workflow
// after each step of a gradual deployment; a failure makes the workflow roll back.
//
//   node scripts/smoke.ts --url https://api.example.com [--version-id <id> --worker <name>]
//                         [--read-path /api/v1/properties?limit=1] [--attempts 5]
//
// The access token comes from SMOKE_TOKEN, or is fetched with the client-credentials grant from
// SMOKE_TOKEN_URL with SMOKE_CLIENT_ID and SMOKE_CLIENT_SECRET (a client of the smoke-test tenant with the
// viewer role). With --version-id every request carries Cloudflare's version-override header, so a version that
// gets only 10 % of the traffic is still the one tested.
import { pathToFileURL } from "node:url";

export interface SmokeOptions {
  baseUrl: string;
  readPath: string;
  attempts: number;
  delayMs: number;
  versionId?: string | undefined;
  workerName?: string | undefined;
}

export interface CheckResult {
  name: string;
  ok: boolean;
  detail: string;
}

export class SmokeUsageError extends Error {
  override name = "SmokeUsageError";
}

export function parseSmokeArgs(
  argv: readonly string[],
  env: Record<string, string | undefined>,
): SmokeOptions {
  const values = new Map<string, string>();
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index] as string;
    if (!arg.startsWith("--")) throw new SmokeUsageError(`unexpected argument ${arg}`);
    const [flag, inline] = arg.includes("=") ? arg.split("=", 2) : [arg, undefined];
    const value = inline ?? argv[++index];
    if (value === undefined) throw new SmokeUsageError(`${flag} needs a value`);
    values.set(flag as string, value);
  }
  const known = new Set(["--url", "--read-path", "--attempts", "--version-id", "--worker"]);
  for (const flag of values.keys()) if (!known.has(flag)) throw new SmokeUsageError(`unknown option ${flag}`);
  const baseUrl = values.get("--url") ?? env.SMOKE_BASE_URL;
  if (!baseUrl || !/^https?:\/\//.test(baseUrl))
    throw new SmokeUsageError("--url (or SMOKE_BASE_URL) is required");
  const versionId = values.get("--version-id");
  const workerName = values.get("--worker") ?? env.SMOKE_WORKER_NAME;
  if (versionId && !workerName) throw new SmokeUsageError("--version-id needs --worker (the Worker's name)");
  const attempts = Number(values.get("--attempts") ?? "5");
  if (!Number.isInteger(attempts) || attempts < 1 || attempts > 30)
    throw new SmokeUsageError("--attempts is 1..30");
  return {
    baseUrl: baseUrl.replace(/\/+$/, ""),
    readPath: values.get("--read-path") ?? "/api/v1/properties?limit=1",
    attempts,
    delayMs: 3000,
    versionId,
    workerName,
  };
}

export async function obtainToken(
  env: Record<string, string | undefined>,
  fetchImpl: typeof fetch = fetch,
): Promise<string> {
  if (env.SMOKE_TOKEN) return env.SMOKE_TOKEN;
  const { SMOKE_TOKEN_URL: tokenUrl, SMOKE_CLIENT_ID: clientId, SMOKE_CLIENT_SECRET: clientSecret } = env;
  if (!tokenUrl || !clientId || !clientSecret) {
    throw new SmokeUsageError("set SMOKE_TOKEN, or SMOKE_TOKEN_URL, SMOKE_CLIENT_ID and SMOKE_CLIENT_SECRET");
  }
  const response = await fetchImpl(tokenUrl, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "client_credentials",
      client_id: clientId,
      client_secret: clientSecret,
    }),
    signal: AbortSignal.timeout(10_000),
  });
  if (!response.ok) throw new Error(`the token endpoint answered ${response.status}`);
  const body = (await response.json()) as { access_token?: string };
  if (!body.access_token) throw new Error("the token endpoint answered no access_token");
  return body.access_token;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Runs the checks, retrying each a few times: a new version can take seconds to reach every location. */
export async function runSmoke(
  options: SmokeOptions,
  token: string,
  fetchImpl: typeof fetch = fetch,
): Promise<CheckResult[]> {
  const baseHeaders: Record<string, string> = { "User-Agent": "real-estate-os-smoke" };
  if (options.versionId && options.workerName) {
    baseHeaders["Cloudflare-Workers-Version-Overrides"] = `${options.workerName}="${options.versionId}"`;
  }
  const checks = [
    {
      name: "health",
      path: "/api/v1/health",
      headers: baseHeaders,
      accept: async (response: Response) => {
        const body = (await response.json()) as { status?: string; database?: { reachable?: boolean } };
        return body.status === "ok" && body.database?.reachable === true;
      },
    },
    {
      name: "authenticated read",
      path: options.readPath,
      headers: { ...baseHeaders, Authorization: `Bearer ${token}` },
      accept: async (response: Response) => (response.headers.get("content-type") ?? "").includes("json"),
    },
  ];
  const results: CheckResult[] = [];
  for (const check of checks) {
    let last: CheckResult = { name: check.name, ok: false, detail: "not run" };
    for (let attempt = 1; attempt <= options.attempts; attempt++) {
      try {
        const response = await fetchImpl(`${options.baseUrl}${check.path}`, {
          headers: check.headers,
          signal: AbortSignal.timeout(10_000),
        });
        const ok = response.status === 200 && (await check.accept(response));
        last = { name: check.name, ok, detail: `HTTP ${response.status} (attempt ${attempt})` };
      } catch (error) {
        last = { name: check.name, ok: false, detail: `${error instanceof Error ? error.message : error}` };
      }
      if (last.ok) break;
      if (attempt < options.attempts) await sleep(options.delayMs);
    }
    results.push(last);
  }
  return results;
}

export async function main(
  argv: readonly string[],
  env: Record<string, string | undefined>,
  fetchImpl: typeof fetch = fetch,
): Promise<number> {
  try {
    const options = parseSmokeArgs(argv, env);
    const token = await obtainToken(env, fetchImpl);
    const results = await runSmoke(options, token, fetchImpl);
    for (const result of results)
      console.log(`${result.ok ? "ok  " : "FAIL"} ${result.name}: ${result.detail}`);
    return results.every((result) => result.ok) ? 0 : 1;
  } catch (error) {
    console.error(`smoke: ${error instanceof Error ? error.message : String(error)}`);
    return error instanceof SmokeUsageError ? 2 : 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv.slice(2), process.env);
}
