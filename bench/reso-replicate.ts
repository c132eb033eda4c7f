// `npm run reso:replicate`: replicates the demo tenant from the running `npm run dev` through the RESO Web API the
// way RESO's certification client does (NextLink: Prefer odata.maxpagesize, follow @odata.nextLink to the end),
// checks that the distinct ListingKeys equal @odata.count, and times it; then times a filtered page and, as the
// same-run baseline, GET /api/v1/health. Prints one JSON object; bench/RESO.md keeps the latest result.
//
//   npm run dev                      # in another terminal
//   npm run reso:replicate -- [--base http://127.0.0.1:8787] [--page-size 1000] [--samples 50] [--select A,B]
import { execFileSync } from "node:child_process";
import { parseArgs } from "node:util";

const { values: args } = parseArgs({
  options: {
    base: { type: "string", default: "http://127.0.0.1:8787" },
    "page-size": { type: "string", default: "1000" },
    samples: { type: "string", default: "50" },
    // A $select for the walk, e.g. without the street components (derived per record at read time).
    select: { type: "string" },
  },
});
const base = String(args.base);
const pageSize = Number(args["page-size"]);
const samples = Number(args.samples);

const FILTERED =
  "/reso/odata/Property?$filter=" +
  encodeURIComponent("StandardStatus eq 'Closed' and ListPrice ge 500000 and BedroomsTotal ge 3") +
  "&$orderby=" +
  encodeURIComponent("ListPrice desc") +
  "&$top=100&$count=true";

function percentile(sorted: number[], p: number): number {
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return Math.round((sorted[Math.max(0, index)] as number) * 10) / 10;
}

async function timed(url: string, headers: Record<string, string>): Promise<{ ms: number; body: unknown }> {
  const started = performance.now();
  const response = await fetch(url, { headers });
  const text = await response.text();
  const ms = performance.now() - started;
  if (!response.ok) throw new Error(`${url}: ${response.status} ${text.slice(0, 300)}`);
  return { ms, body: JSON.parse(text) };
}

async function latencies(url: string, headers: Record<string, string>) {
  const times: number[] = [];
  for (let index = 0; index < samples; index++) times.push((await timed(url, headers)).ms);
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p95: percentile(times, 95) };
}

async function main(): Promise<void> {
  const token = execFileSync("npm", ["run", "-s", "token", "--", "--tenant", "demo", "--role", "viewer"], {
    encoding: "utf8",
  }).trim();
  const auth = { authorization: `Bearer ${token}` };

  // Replication by nextLink.
  const keys = new Set<string>();
  let records = 0;
  let pages = 0;
  let count: number | undefined;
  const select = args.select ? `&$select=${encodeURIComponent(`ListingKey,${args.select}`)}` : "";
  let next: string | undefined = `${base}/reso/odata/Property?$count=true${select}`;
  const started = performance.now();
  while (next) {
    const { body } = await timed(next, { ...auth, prefer: `odata.maxpagesize=${pageSize}` });
    const page = body as {
      value: { ListingKey: string }[];
      "@odata.count"?: number;
      "@odata.nextLink"?: string;
    };
    count ??= page["@odata.count"];
    for (const record of page.value) keys.add(record.ListingKey);
    records += page.value.length;
    pages++;
    next = page["@odata.nextLink"];
  }
  const seconds = (performance.now() - started) / 1000;

  const health = await latencies(`${base}/api/v1/health`, {});
  const filtered = await latencies(`${base}${FILTERED}`, auth);
  const result = {
    replication: {
      pageSize,
      select: args.select ?? "(all fields)",
      pages,
      records,
      distinctKeys: keys.size,
      odataCount: count,
      exact: keys.size === count && records === count,
      seconds: Math.round(seconds * 10) / 10,
      recordsPerSecond: Math.round(records / seconds),
      msPerPage: Math.round((seconds * 1000) / pages),
    },
    baselineHealth: health,
    filteredPage: { url: FILTERED, ...filtered },
    ratios: {
      filteredP50OverHealthP50: Math.round((filtered.p50 / health.p50) * 10) / 10,
      filteredP95OverHealthP95: Math.round((filtered.p95 / health.p95) * 10) / 10,
      replicationPageOverHealthP50: Math.round((seconds * 1000) / pages / health.p50),
    },
  };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  if (!result.replication.exact) process.exitCode = 1;
}

await main();
