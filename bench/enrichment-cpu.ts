// Enrichment CPU per record, without the database: the Worker-side part of a consumer chunk (schema parse,
// address parse and normalization with its SHA-256 identity, the quality rules), timed over the ingest
// benchmark's records. Location and hazards are reference lookups (database or isolate cache), not CPU.
//
//   node bench/enrichment-cpu.ts [records=10000] [--baseline <git ref>] [--rounds 5]
//
// With --baseline, the same passes run, interleaved round by round, over the code of <git ref> (its src/ extracted
// into a temporary folder), so both figures come from the same run under the same load; the
// result is their ratio. Each figure is the median round, per record: wall time; CPU time of the main thread (what
// a Worker's isolate thread spends; Node's Web Crypto digests run on its thread pool, so main's figure leaves
// its hashing out); and CPU time of the whole process (every thread). On a loaded machine the wall time is mostly
// waiting for a core, and a process with more busy threads gets more of them: compare the CPU times.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { fileURLToPath } from "node:url";
import { record } from "./ingest-records.ts";

const args = process.argv.slice(2);
const option = (name: string) => {
  const index = args.indexOf(name);
  return index === -1 ? undefined : args.splice(index, 2)[1];
};
const baselineRef = option("--baseline");
const ROUNDS = Number(option("--rounds") ?? 5);
const TOTAL = Number(args[0] ?? 10_000);
if (!Number.isInteger(TOTAL) || TOTAL < 1 || !Number.isInteger(ROUNDS) || ROUNDS < 1) {
  throw new Error("usage: node bench/enrichment-cpu.ts [records] [--baseline <git ref>] [--rounds n]");
}
const records = Array.from({ length: TOTAL }, (_, index) => record(index));
const ROOT = fileURLToPath(new URL("..", import.meta.url));

type Enrich = (payload: Record<string, unknown>) => Promise<boolean>;

/** The enrichment steps of the code under `srcDir` (this checkout's src/, or a baseline's). */
async function enricher(srcDir: string): Promise<Enrich> {
  const { addressIdentity } = await import(`${srcDir}/domain/address-identity.ts`);
  const { enrichedRecordSchema } = await import(`${srcDir}/domain/pipeline/contracts.ts`);
  const { qualityEvaluator } = await import(`${srcDir}/domain/pipeline/pure-parts.ts`);
  return async (payload) => {
    const parsed = enrichedRecordSchema.parse(payload);
    const identity = await addressIdentity({
      address: parsed.address,
      city: parsed.city ?? null,
      state: parsed.state ?? null,
      zip: parsed.zip ?? null,
    });
    return qualityEvaluator.evaluate({ ...parsed, ...identity, hazards: null }, {}).passed;
  };
}

function extractBaseline(ref: string): string {
  const sha = execFileSync("git", ["rev-parse", "--short", ref], { cwd: ROOT, encoding: "utf8" }).trim();
  // Outside the checkout (so no tool of this one sees it), with this checkout's node_modules to resolve from.
  const dir = `${tmpdir()}/realestate-enrichment-baseline-${sha}`;
  mkdirSync(dir, { recursive: true });
  if (!existsSync(`${dir}/node_modules`)) symlinkSync(`${ROOT}node_modules`, `${dir}/node_modules`);
  execFileSync("sh", ["-c", `git archive ${sha} src | tar -x -C ${dir}`], { cwd: ROOT });
  return `${dir}/src`;
}

interface Round {
  wallMs: number;
  threadCpuMs: number;
  cpuMs: number;
  passed: number;
}

async function round(enrich: Enrich): Promise<Round> {
  const cpu = process.cpuUsage();
  const threadCpu = process.threadCpuUsage();
  const started = performance.now();
  let passed = 0;
  for (const payload of records) if (await enrich(payload)) passed++;
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  const threadUsed = process.threadCpuUsage(threadCpu);
  return {
    wallMs,
    threadCpuMs: (threadUsed.user + threadUsed.system) / 1000,
    cpuMs: (used.user + used.system) / 1000,
    passed,
  };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
const perRecord = (ms: number) => Math.round((ms / TOTAL) * 1000) / 1000;

const candidates: { name: string; enrich: Enrich; rounds: Round[] }[] = [
  { name: "this checkout", enrich: await enricher(`${ROOT}src`), rounds: [] },
];
if (baselineRef) {
  candidates.push({
    name: `baseline ${baselineRef}`,
    enrich: await enricher(extractBaseline(baselineRef)),
    rounds: [],
  });
}
// Warm-up (JIT, the tagger's tables), then the timed rounds, alternating between the candidates.
for (const candidate of candidates)
  for (const payload of records.slice(0, 500)) await candidate.enrich(payload);
for (let index = 0; index < ROUNDS; index++) {
  // Who goes first alternates too, so neither side always runs right after the other's garbage.
  const order = index % 2 === 0 ? candidates : [...candidates].reverse();
  for (const candidate of order) candidate.rounds.push(await round(candidate.enrich));
}
const results = candidates.map(({ name, rounds }) => ({
  code: name,
  records: TOTAL,
  rounds: ROUNDS,
  passed: rounds[0]?.passed,
  msPerRecord: perRecord(median(rounds.map((r) => r.wallMs))),
  threadCpuMsPerRecord: perRecord(median(rounds.map((r) => r.threadCpuMs))),
  cpuMsPerRecord: perRecord(median(rounds.map((r) => r.cpuMs))),
}));
for (const result of results) console.log(JSON.stringify(result));
const [mine, baseline] = results;
if (mine && baseline) {
  console.log(
    JSON.stringify({
      wallRatio: Math.round((mine.msPerRecord / baseline.msPerRecord) * 100) / 100,
      threadCpuRatio: Math.round((mine.threadCpuMsPerRecord / baseline.threadCpuMsPerRecord) * 100) / 100,
      cpuRatio: Math.round((mine.cpuMsPerRecord / baseline.cpuMsPerRecord) * 100) / 100,
    }),
  );
}
