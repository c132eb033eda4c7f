// Where a consumer chunk's database time goes: intake N records, then load, plan and write them in chunks of
// CHUNK through the same services the consumer calls (src/services/enrichment.ts), against the local platform
// (PGlite, or PostgreSQL when DATABASE_URL is set). Each chunk's write statement is replayed under EXPLAIN ANALYZE
// (rolled back) every REPORT chunks so the per-node timings show where the time is.
//
//   node bench/chunk-write.ts [records=2000] [chunk=100]
import { inArray, sql } from "drizzle-orm";
import { idempotencyKeyFor } from "../queues/enrichment/message.ts";
import { startPlatform } from "../scripts/platform/index.ts";
import { createDatabase } from "../src/db/client.ts";
import { properties } from "../src/db/schema.ts";
import type { Settings } from "../src/env.ts";
import { indexProperties } from "../src/services/comps-index.ts";
import { loadProspects, type PlannedWrite, planProspect, writeEnriched } from "../src/services/enrichment.ts";
import { ingestProspects } from "../src/services/ingest.ts";
import { defaultPipelineDependencies } from "../src/services/pipeline-dependencies.ts";
import { record } from "./ingest-records.ts";

const TOTAL = Number(process.argv[2] ?? 2000);
const CHUNK = Number(process.argv[3] ?? 100);
const ADMIN = { user: "app_admin", password: "app_admin" };
const RUNTIME = { user: "app_runtime", password: "app_runtime" };

const platform = await startPlatform({ databaseUrl: process.env.DATABASE_URL });
try {
  // EXPERIMENT="sql; sql": run as the owner first (what-if measurements only, e.g. dropping an index).
  if (process.env.EXPERIMENT)
    await platform.database.asOwner((session) => session.exec(process.env.EXPERIMENT!));
  const [tenant] = (
    await platform.database.transaction(ADMIN, [
      { query: "insert into tenants (slug, name) values ('bench', 'Bench') returning id" },
    ])
  )[0]?.rows ?? [[]];
  const tenantId = String(tenant?.[0]);
  // EXPLAIN=n: every nth chunk's write runs under EXPLAIN ANALYZE (it still writes) and prints its plan.
  let explainNext = false;
  const transaction = platform.database.transaction.bind(platform.database);
  platform.database.transaction = async (login, statements, options) => {
    if (!explainNext) return transaction(login, statements, options);
    explainNext = false;
    const [first, ...rest] = statements;
    const results = await transaction(
      login,
      [first!, ...rest.map((s) => ({ ...s, query: `explain (analyze, buffers) ${s.query}` }))],
      options,
    );
    for (const r of results.slice(1)) console.log(r.rows.map((row) => row[0]).join("\n"));
    return results;
  };
  const db = createDatabase({ url: platform.runtimeDatabaseUrl, timeoutMs: 60_000 });
  const deps = defaultPipelineDependencies();
  const timings = {
    load: [] as number[],
    plan: [] as number[],
    write: [] as number[],
    index: [] as number[],
  };
  const settings = { vector: { index: "pgvector" } } as Settings;
  for (let offset = 0; offset < TOTAL; offset += 1000) {
    const records = Array.from({ length: Math.min(1000, TOTAL - offset) }, (_, i) => record(offset + i));
    const { batchId } = await ingestProspects(
      db,
      { tenantId, userId: null as unknown as string },
      records as never,
    );
    const [ids] = await platform.database.transaction(ADMIN, [
      {
        query: "select id, revision from prospect_queue where batch_id = $1 order by position",
        params: [batchId],
      },
    ]);
    const rows = ids?.rows ?? [];
    for (let c = 0; c < rows.length; c += CHUNK) {
      const messages = rows.slice(c, c + CHUNK).map(([id, revision]) => ({
        version: 1 as const,
        tenantId,
        prospectId: String(id),
        batchId,
        revision: Number(revision),
        idempotencyKey: idempotencyKeyFor(String(id), Number(revision)),
        enqueuedAt: new Date().toISOString(),
      }));
      let t = performance.now();
      const loaded = await loadProspects(
        db,
        tenantId,
        messages.map((m) => m.prospectId),
      );
      timings.load.push(performance.now() - t);
      t = performance.now();
      const writes: PlannedWrite[] = [];
      for (const message of messages) {
        const plan = await planProspect(
          db,
          deps,
          message,
          loaded.tenantStatus,
          loaded.rows.get(message.prospectId),
        );
        if (plan.kind !== "final") writes.push({ message, plan });
      }
      timings.plan.push(performance.now() - t);
      const chunkNo = timings.write.length + 1;
      explainNext =
        Boolean(process.env.EXPLAIN) && (chunkNo === 1 || chunkNo % Number(process.env.EXPLAIN) === 0);
      if (explainNext) console.log(`--- chunk ${chunkNo} explain ---`);
      t = performance.now();
      const outcomes = await writeEnriched(db, tenantId, deps.quality.suiteVersion, writes);
      timings.write.push(performance.now() - t);
      t = performance.now();
      const loadedIds = [...outcomes.values()].flatMap((o) => (o.kind === "loaded" ? [o.propertyId] : []));
      const [props] = await db.withTenant(tenantId, (tx) => [
        tx.select().from(properties).where(inArray(properties.id, loadedIds)),
      ]);
      await indexProperties({ settings, db }, tenantId, props);
      timings.index.push(performance.now() - t);
    }
  }
  const stat = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    const sum = xs.reduce((a, b) => a + b, 0);
    return {
      mean: +(sum / xs.length).toFixed(1),
      p50: +s[Math.floor(s.length / 2)]!.toFixed(1),
      p95: +s[Math.floor(s.length * 0.95)]!.toFixed(1),
      first: +xs[0]!.toFixed(1),
      last: +xs.at(-1)!.toFixed(1),
    };
  };
  console.log(
    JSON.stringify(
      {
        records: TOTAL,
        chunk: CHUNK,
        kind: platform.database.kind,
        load: stat(timings.load),
        plan: stat(timings.plan),
        write: stat(timings.write),
        index: stat(timings.index),
      },
      null,
      1,
    ),
  );
  void sql;
} finally {
  await platform.close();
}
