// Enrichment CPU per record, without the database: the Worker-side part of a consumer chunk (schema parse,
// address parse and normalization with its SHA-256 identity, the quality rules), timed over the ingest
// benchmark's records. Location and hazards are reference lookups (database or isolate cache), not CPU.
//
//   node bench/enrichment-cpu.ts [records=10000]
import { addressIdentity } from "../src/domain/address-identity.ts";
import { enrichedRecordSchema } from "../src/domain/pipeline/contracts.ts";
import { qualityEvaluator } from "../src/domain/pipeline/pure-parts.ts";
import { record } from "./ingest-records.ts";

const TOTAL = Number(process.argv[2] ?? 10_000);
const records = Array.from({ length: TOTAL }, (_, index) => record(index));

async function enrich(payload: Record<string, unknown>) {
  const parsed = enrichedRecordSchema.parse(payload);
  const identity = await addressIdentity({
    address: parsed.address,
    city: parsed.city ?? null,
    state: parsed.state ?? null,
    zip: parsed.zip ?? null,
  });
  return qualityEvaluator.evaluate({ ...parsed, ...identity, hazards: null }, {});
}

// Warm-up (JIT, the tagger's tables), then the timed pass.
for (const payload of records.slice(0, 500)) await enrich(payload);
const started = performance.now();
let passed = 0;
for (const payload of records) if ((await enrich(payload)).passed) passed++;
const ms = performance.now() - started;
console.log(
  JSON.stringify({
    records: TOTAL,
    passed,
    totalMs: Math.round(ms),
    msPerRecord: Math.round((ms / TOTAL) * 1000) / 1000,
  }),
);
