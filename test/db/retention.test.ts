// Retention (src/services/retention.ts, migrations/0009) on PGlite and a real PostgreSQL 15, as the cron runs it:
// app_admin over the Neon protocol, across tenants. Rows past each table's retention go, rows inside it stay, a
// tick deletes a bounded number of rows and leaves the rest for the next one, and the changes feed (read as
// app_runtime through the real service) answers 410 exactly for the cursors after which a change was removed.
import { PgDialect } from "drizzle-orm/pg-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdminDb } from "../../src/db/admin.ts";
import { createDatabase } from "../../src/db/client.ts";
import { ApiError } from "../../src/errors.ts";
import { listPropertyChanges } from "../../src/services/property-changes.ts";
import { IDEMPOTENCY_KEY_TTL_HOURS } from "../../src/services/property-idempotency.ts";
import {
  LINEAGE_EVENTS_RETENTION_DAYS,
  PROPERTY_CHANGES_RETENTION_DAYS,
  purgeExpired,
  purgeStatements,
  VALUATION_LOG_RETENTION_DAYS,
} from "../../src/services/retention.ts";
import { type Engine, POSTGRES_ADMIN_URL, postgresAvailable, startEngine } from "../helpers/engines.ts";

const postgresUp = await postgresAvailable();
if (!postgresUp && process.env.CI) {
  throw new Error(`PostgreSQL is required in CI and is not reachable at ${POSTGRES_ADMIN_URL}`);
}
const engines = postgresUp ? (["pglite", "postgres"] as const) : (["pglite"] as const);

const DAY = 24;
const FAR_DEADLINE = () => Date.now() + 60_000;

describe.each(engines)("retention on %s", (engineName) => {
  let engine: Engine;
  const tenant: Record<"a" | "b", string> = { a: "", b: "" };
  // Properties of tenant a by what their changes are; "fresh" only has changes inside the window.
  const property: Record<
    "superseded" | "onlyOld" | "tombstoned" | "updatedRecently" | "fresh" | "b",
    string
  > = {
    superseded: "",
    onlyOld: "",
    tombstoned: "",
    updatedRecently: "",
    fresh: "",
    b: "",
  };

  const admin = () => createAdminDb({ url: engine.platform.adminDatabaseUrl, timeoutMs: 10_000 });
  const runtime = () => createDatabase({ url: engine.platform.runtimeDatabaseUrl, timeoutMs: 10_000 });

  async function insertProperty(tenantId: string): Promise<string> {
    const [row] = await engine.admin`
      insert into properties (tenant_id, address, normalized_address, address_hash)
      values (${tenantId}, '1 Main St', '1 MAIN ST', ${crypto.randomUUID()}) returning id`;
    return String(row?.id);
  }

  /** One change per statement, so each has its own (later) transaction id, as real writes do. */
  async function change(
    tenantId: string,
    propertyId: string,
    operation: "created" | "updated" | "deleted",
    version: number,
    hoursAgo: number,
  ) {
    await engine.admin`
      insert into property_changes (tenant_id, property_id, operation, version, changed_at, snapshot)
      select p.tenant_id, p.id, ${operation}, ${version}, now() - make_interval(hours => ${hoursAgo}),
        case when ${operation} <> 'deleted' then to_jsonb(p) || jsonb_build_object('version', ${version}::int) end
      from properties p where p.tenant_id = ${tenantId} and p.id = ${propertyId}`;
  }

  async function changesOf(tenantId: string) {
    const rows = await engine.admin`
      select property_id, operation, version from property_changes where tenant_id = ${tenantId}
      order by xid, change_id`;
    return rows.map((row) => `${row.property_id}:${row.operation}:${row.version}`);
  }

  const count = async (query: Promise<Record<string, unknown>[]>) => Number((await query)[0]?.n);

  beforeAll(async () => {
    engine = await startEngine(engineName);
    for (const name of ["a", "b"] as const) {
      const [row] = await engine.admin`
        insert into tenants (slug, name) values (${`${name}-${crypto.randomUUID().slice(0, 8)}`}, ${name})
        returning id`;
      tenant[name] = String(row?.id);
    }
    for (const name of Object.keys(property) as (keyof typeof property)[]) {
      property[name] = await insertProperty(name === "b" ? tenant.b : tenant.a);
    }
    const window = PROPERTY_CHANGES_RETENTION_DAYS * DAY;
    // In commit order (oldest first), as the feed serves them.
    await change(tenant.a, property.superseded, "created", 1, window + 10 * DAY);
    await change(tenant.b, property.b, "created", 1, window + 10 * DAY);
    await change(tenant.a, property.onlyOld, "created", 1, window + 10 * DAY);
    await change(tenant.a, property.tombstoned, "created", 1, window + 9 * DAY);
    await change(tenant.a, property.updatedRecently, "created", 1, window + 9 * DAY);
    await change(tenant.a, property.superseded, "updated", 2, window + 5 * DAY);
    await change(tenant.a, property.tombstoned, "deleted", 2, window + 5 * DAY);
    await change(tenant.a, property.superseded, "updated", 3, 2 * DAY);
    await change(tenant.a, property.updatedRecently, "updated", 2, 10 * DAY);
    await change(tenant.a, property.fresh, "created", 1, window - DAY);
    await change(tenant.a, property.fresh, "updated", 2, DAY);

    // 25 expired Idempotency-Keys of tenant a, 3 of tenant b, and live ones of both.
    await engine.admin`
      insert into idempotency_keys (tenant_id, key, request_hash, property_id, response_status, created_at, expires_at)
      select t.id, 'expired-' || n, repeat('a', 64), gen_random_uuid(), 201,
        now() - make_interval(hours => ${IDEMPOTENCY_KEY_TTL_HOURS} + n), now() - make_interval(hours => n)
      from (values (${tenant.a}::uuid, 25), (${tenant.b}::uuid, 3)) as t(id, keys), generate_series(1, t.keys) n`;
    await engine.admin`
      insert into idempotency_keys (tenant_id, key, request_hash, property_id, response_status, expires_at)
      select t.id, 'live', repeat('b', 64), gen_random_uuid(), 201, now() + interval '1 hour'
      from (values (${tenant.a}::uuid), (${tenant.b}::uuid)) as t(id)`;

    // Served valuations: three past retention, two inside it (one a day before the cut).
    await engine.admin`
      insert into valuation_log (tenant_id, property_id, model_version, estimate, fsd, requested_at,
        subject_features)
      select ${tenant.a}, ${property.fresh}, 'avm-v1', 500000, 0.1, now() - make_interval(days => d), '{}'::jsonb
      from unnest(${[
        VALUATION_LOG_RETENTION_DAYS + 30,
        VALUATION_LOG_RETENTION_DAYS + 2,
        VALUATION_LOG_RETENTION_DAYS + 1,
        VALUATION_LOG_RETENTION_DAYS - 1,
        1,
      ]}::int[]) d`;

    // Lineage events of one batch: past retention delivered and undelivered, and a recent one.
    const [batch] = await engine.admin`
      insert into ingest_batches (tenant_id, source, received, status) values (${tenant.a}, 'api', 1, 'completed')
      returning id, run_id`;
    await engine.admin`
      insert into lineage_events (tenant_id, batch_id, run_id, event_type, event_time, event, delivered_at)
      values
        (${tenant.a}, ${batch?.id}, ${batch?.run_id}, 'START',
          now() - make_interval(days => ${LINEAGE_EVENTS_RETENTION_DAYS + 5}), '{"eventType":"START"}', now()),
        (${tenant.a}, ${batch?.id}, ${batch?.run_id}, 'COMPLETE',
          now() - make_interval(days => ${LINEAGE_EVENTS_RETENTION_DAYS + 4}), '{"eventType":"COMPLETE"}', null),
        (${tenant.a}, ${batch?.id}, gen_random_uuid(), 'START', now() - interval '1 day', '{"eventType":"START"}',
          null)`;
  });

  afterAll(async () => {
    await engine?.close();
  });

  it("keeps change rows as long as the idempotency keys that replay them", () => {
    // A replay reads the 'created' change of the key's property; it must outlive the key.
    expect(PROPERTY_CHANGES_RETENTION_DAYS * DAY).toBeGreaterThan(IDEMPOTENCY_KEY_TTL_HOURS);
  });

  it("bounds a tick, leaves the rest for the next, deletes only what is past retention, and is idempotent", async () => {
    const feed = await listPropertyChanges(runtime(), tenant.a, { limit: 100 });
    expect(feed.changes).toHaveLength(10);
    const firstOfA = await listPropertyChanges(runtime(), tenant.a, { limit: 1 });
    const firstOfB = await listPropertyChanges(runtime(), tenant.b, { limit: 1 });

    // Two statements of two rows per purge.
    const first = await purgeExpired(admin(), {
      limits: { batchSize: 2, batchesPerTable: 2 },
      deadline: FAR_DEADLINE(),
      lineageDelivery: true,
    });
    // The feed's expiry sweep reads its first four changes in feed order and deletes the two superseded ones.
    expect(first).toEqual({ idempotencyKeys: 4, propertyChanges: 2, valuationLog: 3, lineageEvents: 1 });
    // Oldest first: the four keys that expired longest ago are gone, all of them tenant a's.
    expect(
      await count(
        engine.admin`select count(*)::int as n from idempotency_keys where tenant_id = ${tenant.a}`,
      ),
    ).toBe(26 - 4);

    // A tick at the real limits deletes the rest, and a tick after it nothing.
    // The expiry sweep stops at the first change inside the window (superseded, 2 days old): the three past it go.
    const second = await purgeExpired(admin(), { deadline: FAR_DEADLINE(), lineageDelivery: true });
    expect(second).toEqual({
      idempotencyKeys: 21 + 3,
      propertyChanges: 3,
      valuationLog: 0,
      lineageEvents: 0,
    });
    const third = await purgeExpired(admin(), { deadline: FAR_DEADLINE(), lineageDelivery: true });
    expect(third).toEqual({ idempotencyKeys: 0, propertyChanges: 0, valuationLog: 0, lineageEvents: 0 });

    // Only the live keys are left, one per tenant.
    const keys = await engine.admin`select tenant_id, key from idempotency_keys order by tenant_id`;
    expect(keys.map((row) => `${row.tenant_id}:${row.key}`).sort()).toEqual(
      [`${tenant.a}:live`, `${tenant.b}:live`].sort(),
    );

    // Each property's latest change stays; superseded changes and the tombstone past the window go.
    expect(await changesOf(tenant.a)).toEqual([
      `${property.onlyOld}:created:1`,
      `${property.superseded}:updated:3`,
      `${property.updatedRecently}:updated:2`,
      `${property.fresh}:created:1`,
      `${property.fresh}:updated:2`,
    ]);
    // Tenant b's only change is its property's latest: kept, however old.
    expect(await changesOf(tenant.b)).toEqual([`${property.b}:created:1`]);

    const valuations = await engine.admin`
      select (now() - requested_at) < make_interval(days => ${VALUATION_LOG_RETENTION_DAYS}) as inside
      from valuation_log`;
    expect(valuations.map((row) => row.inside)).toEqual([true, true]);

    // With delivery configured, the undelivered old event waits for the cron to deliver it.
    const events =
      await engine.admin`select event_type, delivered_at is null as undelivered from lineage_events
      order by event_time`;
    expect(events.map((row) => `${row.event_type}:${row.undelivered}`)).toEqual([
      "COMPLETE:true",
      "START:true",
    ]);
    // Without delivery, nothing will ever read it: it goes too.
    expect(await purgeExpired(admin(), { deadline: FAR_DEADLINE(), lineageDelivery: false })).toEqual({
      idempotencyKeys: 0,
      propertyChanges: 0,
      valuationLog: 0,
      lineageEvents: 1,
    });
    expect(await count(engine.admin`select count(*)::int as n from lineage_events`)).toBe(1);

    // The feed: a cursor after which changes were removed is 410; the end cursor and tenant b's are not.
    const gone = listPropertyChanges(runtime(), tenant.a, { since: firstOfA.nextCursor, limit: 100 });
    await expect(gone).rejects.toBeInstanceOf(ApiError);
    await expect(gone).rejects.toMatchObject({ status: 410, code: "changes_cursor_expired" });
    const fromEnd = await listPropertyChanges(runtime(), tenant.a, { since: feed.nextCursor, limit: 100 });
    expect(fromEnd.changes).toEqual([]);
    const ofB = await listPropertyChanges(runtime(), tenant.b, { since: firstOfB.nextCursor, limit: 100 });
    expect(ofB.changes).toEqual([]);
    // Read from the start, the feed still holds every property's current state.
    const restart = await listPropertyChanges(runtime(), tenant.a, { limit: 100 });
    expect(restart.changes.map((entry) => `${entry.propertyId}:${entry.operation}:${entry.version}`)).toEqual(
      await changesOf(tenant.a),
    );
    // A kept latest change past the window goes once a new change supersedes it, and a copy that had read the
    // whole feed is not cut off by that (it saw the removed change and gets the new one).
    await change(tenant.a, property.onlyOld, "updated", 2, 0);
    expect(await purgeExpired(admin(), { deadline: FAR_DEADLINE(), lineageDelivery: false })).toEqual({
      idempotencyKeys: 0,
      propertyChanges: 1,
      valuationLog: 0,
      lineageEvents: 0,
    });
    expect(await changesOf(tenant.a)).toEqual([
      `${property.superseded}:updated:3`,
      `${property.updatedRecently}:updated:2`,
      `${property.fresh}:created:1`,
      `${property.fresh}:updated:2`,
      `${property.onlyOld}:updated:2`,
    ]);
    const caughtUp = await listPropertyChanges(runtime(), tenant.a, { since: feed.nextCursor, limit: 100 });
    expect(caughtUp.changes.map((entry) => `${entry.propertyId}:${entry.version}`)).toEqual([
      `${property.onlyOld}:2`,
    ]);

    // The horizon is tenant a's alone, and the runtime role reads only its own tenant's.
    const horizons = await engine.admin`select tenant_id from property_changes_horizon`;
    expect(horizons.map((row) => row.tenant_id)).toEqual([tenant.a]);
    for (const [name, expected] of [
      ["a", 1],
      ["b", 0],
    ] as const) {
      const [, visible] = await engine.runtime.transaction((tx) => [
        tx`select set_config('app.current_tenant_id', ${tenant[name]}, true)`,
        tx`select count(*)::int as n from property_changes_horizon`,
      ]);
      expect(visible?.[0]?.n).toBe(expected);
    }
  });

  it("runs one batch per purge, and no more, once the tick's deadline has passed", async () => {
    await engine.admin`
      insert into idempotency_keys (tenant_id, key, request_hash, property_id, response_status, expires_at)
      select ${tenant.b}, 'late-' || n, ${"c".repeat(64)}, gen_random_uuid(), 201, now() - interval '1 hour'
      from generate_series(1, 5) n`;
    const report = await purgeExpired(admin(), {
      limits: { batchSize: 2, batchesPerTable: 10 },
      deadline: Date.now() - 1,
      lineageDelivery: false,
    });
    expect(report).toEqual({ idempotencyKeys: 2, propertyChanges: 0, valuationLog: 0, lineageEvents: 0 });
    expect(
      await count(engine.admin`select count(*)::int as n from idempotency_keys where key like 'late-%'`),
    ).toBe(3);
  });

  it("reads every table through an index, never a sequential scan, with thousands of rows kept", async () => {
    // 10,000 properties of a third tenant whose only change is past the window: all kept. Statistics as
    // autovacuum would leave them (the owner runs ANALYZE; nothing else here runs as the owner). With a few
    // rows a sequential scan is the right plan, so the evidence needs tables of some size.
    const [row] =
      await engine.admin`insert into tenants (slug, name) values (${`c-${crypto.randomUUID().slice(0, 8)}`}, 'c')
      returning id`;
    const tenantC = String(row?.id);
    await engine.admin`
      with inserted as (
        insert into properties (tenant_id, address, normalized_address, address_hash)
        select ${tenantC}, n || ' Kept St', n || ' KEPT ST', md5(n::text) from generate_series(1, 10000) n
        returning tenant_id, id
      )
      insert into property_changes (tenant_id, property_id, operation, version, changed_at)
      select tenant_id, id, 'created', 1, now() - make_interval(days => ${PROPERTY_CHANGES_RETENTION_DAYS + 1})
      from inserted`;
    // And 10,000 rows inside retention in each of the other tables.
    await engine.admin`
      insert into idempotency_keys (tenant_id, key, request_hash, property_id, response_status, expires_at)
      select ${tenantC}, 'kept-' || n, md5(n::text) || md5(n::text), gen_random_uuid(), 201, now() + interval '1 hour'
      from generate_series(1, 10000) n`;
    await engine.admin`
      insert into valuation_log (tenant_id, model_version, estimate, fsd, subject_features)
      select ${tenantC}, 'avm-v1', 100000 + n, 0.1, '{}'::jsonb from generate_series(1, 10000) n`;
    const [batch] = await engine.admin`
      insert into ingest_batches (tenant_id, source, received, status) values (${tenantC}, 'api', 0, 'completed')
      returning id`;
    await engine.admin`
      insert into lineage_events (tenant_id, batch_id, run_id, event_type, event, delivered_at)
      select ${tenantC}, ${batch?.id}, gen_random_uuid(), 'START', '{}'::jsonb, case when n % 2 = 0 then now() end
      from generate_series(1, 10000) n`;
    await engine.platform.database.asOwner((session) =>
      session.exec(
        "analyze property_changes; analyze idempotency_keys; analyze valuation_log; analyze lineage_events",
      ),
    );
    const dialect = new PgDialect();
    for (const lineageDelivery of [false, true]) {
      for (const { table, statement } of purgeStatements(1_000, lineageDelivery)) {
        const query = dialect.sqlToQuery(statement);
        // EXPLAIN goes to the database directly: the local Neon endpoint accepts only plain DML.
        const [result] = await engine.platform.database.transaction(
          { user: "app_admin", password: "app_admin" },
          [{ query: `explain (costs off) ${query.sql}`, params: query.params }],
        );
        const plan = (result?.rows ?? []).map((line) => String(line[0])).join("\n");
        expect(plan, `${table}\n${plan}`).not.toMatch(
          /Seq Scan on (property_changes|idempotency_keys|valuation_log|lineage_events)/,
        );
      }
    }
  }, 120_000);
});
