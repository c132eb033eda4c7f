// Retention of the changes feed at steady state: many properties whose only change is past the window (kept
// forever), and a tick's worth of new changes that supersede some of them. Compares, in the same run on the same
// data, the purge the cron runs (src/services/retention.ts: two sweeps from stored positions) with the baseline
// it replaced: each statement scanning the oldest changes first (changed_at order, "is there a later change?"),
// which reads past every kept row on every statement. Results in bench/RETENTION.md.
//   node bench/retention.ts [--engine postgres|pglite] [--kept 200000] [--superseded 1000]
import { performance } from "node:perf_hooks";
import { sql } from "drizzle-orm";
import { parseArgs } from "../scripts/lib/args.ts";
import { createAdminDb } from "../src/db/admin.ts";
import { PROPERTY_CHANGES_RETENTION_DAYS, purgeExpired } from "../src/services/retention.ts";
import { startEngine } from "../test/helpers/engines.ts";

const args = parseArgs(process.argv.slice(2));
const engineName = args.get("engine") === "pglite" ? "pglite" : "postgres";
const kept = Number(args.get("kept") ?? 200_000);
const superseded = Number(args.get("superseded") ?? 1_000);

const engine = await startEngine(engineName);
try {
  const admin = createAdminDb({ url: engine.platform.adminDatabaseUrl, timeoutMs: 600_000 });
  const [tenant] =
    await engine.admin`insert into tenants (slug, name) values ('bench', 'bench') returning id`;
  const tenantId = String(tenant?.id);
  await engine.admin`
    with inserted as (
      insert into properties (tenant_id, address, normalized_address, address_hash)
      select ${tenantId}, n || ' Bench St', n || ' BENCH ST', md5(n::text) from generate_series(1, ${kept}) n
      returning tenant_id, id
    )
    insert into property_changes (tenant_id, property_id, operation, version, changed_at)
    select tenant_id, id, 'created', 1, now() - make_interval(days => ${PROPERTY_CHANGES_RETENTION_DAYS + 10})
    from inserted`;
  // The baseline's scan order; the cron's purge does not use it.
  await engine.platform.database.asOwner((session) =>
    session.exec("create index bench_changed_idx on property_changes (changed_at); analyze property_changes"),
  );
  const far = () => Date.now() + 3_600_000;
  // The sweeps read the history once (the first deploy's backlog), as the cron would over its first ticks.
  const backlog = performance.now();
  await purgeExpired(admin, {
    deadline: far(),
    lineageDelivery: false,
    limits: { batchSize: 1_000, batchesPerTable: 1e9 },
  });
  const backlogMs = performance.now() - backlog;

  /** `superseded` new changes, each replacing a kept old change: that many rows to delete. */
  async function supersede(offset: number) {
    await engine.admin`
      insert into property_changes (tenant_id, property_id, operation, version)
      select tenant_id, property_id, 'updated', 2 from property_changes
      where tenant_id = ${tenantId} and version = 1
      order by change_id offset ${offset} limit ${superseded}`;
    await engine.platform.database.asOwner((session) => session.exec("analyze property_changes"));
  }
  const remaining = async () =>
    Number((await engine.admin`select count(*)::int as n from property_changes where version = 1`)[0]?.n);

  await supersede(0);
  const before = await remaining();
  const started = performance.now();
  const report = await purgeExpired(admin, { deadline: far(), lineageDelivery: false });
  const sweepMs = performance.now() - started;
  const sweepDeleted = before - (await remaining());

  await supersede(superseded);
  const baselineBefore = await remaining();
  const baselineStarted = performance.now();
  let statements = 0;
  for (;;) {
    statements++;
    const [row] = await admin.execute<{ deleted: number }>(sql`
      with doomed as (
        select c.ctid from property_changes c
        where c.changed_at < now() - make_interval(days => ${PROPERTY_CHANGES_RETENTION_DAYS})
          and exists (select 1 from property_changes later where later.tenant_id = c.tenant_id
            and later.property_id = c.property_id and later.version > c.version)
        order by c.changed_at limit 1000
      ), gone as (delete from property_changes where ctid = any (array(select ctid from doomed)) returning 1)
      select count(*)::int as deleted from gone`);
    if (Number(row?.deleted) < 1000) break;
  }
  const baselineMs = performance.now() - baselineStarted;
  const baselineDeleted = baselineBefore - (await remaining());

  console.log(
    JSON.stringify(
      {
        engine: engineName,
        keptOldChanges: kept,
        supersededPerTick: superseded,
        backlogFirstPassMs: Math.round(backlogMs),
        sweep: { ms: Math.round(sweepMs), deleted: sweepDeleted, reported: report.propertyChanges },
        baseline: { ms: Math.round(baselineMs), deleted: baselineDeleted, statements },
        baselineOverSweep: Number((baselineMs / sweepMs).toFixed(1)),
      },
      null,
      2,
    ),
  );
} finally {
  await engine.close();
}
