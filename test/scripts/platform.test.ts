// The local platform's own parts: migrations, the Neon HTTP endpoint's protocol, the issuer and the demo seed.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRemoteJWKSet, jwtVerify } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseKcSales } from "../../scripts/lib/kc-csv.ts";
import { type BackingDatabase, openPglite } from "../../scripts/platform/database.ts";
import {
  ensureReferenceData,
  localConnectionString,
  type Platform,
  startPlatform,
} from "../../scripts/platform/index.ts";
import { LOCAL_AUDIENCE, loadOrCreateSigningKey, startLocalIssuer } from "../../scripts/platform/issuer.ts";
import { migrate, readMigrations } from "../../scripts/platform/migrate.ts";
import {
  DEMO_TENANT,
  latestSalePerParcel,
  seedDemoTenant,
  toHalfBaths,
} from "../../scripts/platform/seed.ts";
import { NRI_DATA_VERSION } from "../../src/domain/geo/hazards.ts";

// Loosely typed JSON answers: the assertions check their shape.
// biome-ignore lint/suspicious/noExplicitAny: test-only view of JSON bodies
type Json = any;
const json = async (response: Response): Promise<Json> => response.json();

describe("migrations", () => {
  it("applies each migration once, in order, and refuses one edited after it was applied", async () => {
    const database = await openPglite();
    try {
      const migrations = await readMigrations();
      expect(migrations.map((migration) => migration.version)).toEqual(
        [...migrations.map((migration) => migration.version)].sort(),
      );
      const first = await migrate(database, migrations);
      expect(first.applied).toHaveLength(migrations.length);
      const second = await migrate(database, migrations);
      expect(second).toEqual({ applied: [], alreadyApplied: migrations.length });
      const edited = migrations.map((migration, index) =>
        index === 0 ? { ...migration, checksum: "0".repeat(64) } : migration,
      );
      await expect(migrate(database, edited)).rejects.toThrow(/was changed after it was applied/);
    } finally {
      await database.close();
    }
  });
});

describe("Neon HTTP endpoint", () => {
  let platform: Platform;

  beforeAll(async () => {
    platform = await startPlatform({ referenceData: false });
  });
  afterAll(async () => {
    await platform?.close();
  });

  async function post(body: unknown, headers: Record<string, string> = {}) {
    return fetch(`${platform.endpoint.url}/sql`, {
      method: "POST",
      headers: { "neon-connection-string": platform.runtimeDatabaseUrl, ...headers },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
  }

  it("answers a query in Postgres text form with type OIDs, as Neon does", async () => {
    const response = await post({
      query: "select $1::int8 as n, now() as t, null::text as x",
      params: ["42"],
    });
    expect(response.status).toBe(200);
    const body = await json(response);
    expect(body.fields).toEqual([
      { name: "n", dataTypeID: 20 },
      { name: "t", dataTypeID: 1184 },
      { name: "x", dataTypeID: 25 },
    ]);
    expect(body.rows[0][0]).toBe("42");
    expect(body.rows[0][1]).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/);
    expect(body.rows[0][2]).toBeNull();
    expect(body).toMatchObject({ command: "SELECT", rowCount: 1 });
  });

  it("runs a batch in one transaction and rolls all of it back when one statement fails", async () => {
    const admin = { "neon-connection-string": platform.adminDatabaseUrl };
    const slug = `rollback-${Date.now()}`;
    const failed = await post(
      {
        queries: [
          { query: "insert into tenants (slug, name) values ($1, 'x')", params: [slug] },
          { query: "select 1/0" },
        ],
      },
      admin,
    );
    expect(failed.status).toBe(400);
    expect(await json(failed)).toMatchObject({ code: "22012", message: "division by zero" });
    const check = await post(
      { query: "select count(*) from tenants where slug = $1", params: [slug] },
      admin,
    );
    expect((await json(check)).rows).toEqual([["0"]]);
  });

  it("honours the batch isolation and read-only headers", async () => {
    const response = await post(
      {
        queries: [
          {
            query:
              "select current_setting('transaction_isolation'), current_setting('transaction_read_only')",
          },
        ],
      },
      {
        "neon-batch-isolation-level": "Serializable",
        "neon-batch-read-only": "true",
        "neon-batch-deferrable": "true",
      },
    );
    expect((await json(response)).results[0].rows).toEqual([["serializable", "on"]]);
    const invalid = await post(
      { queries: [{ query: "select 1" }] },
      { "neon-batch-isolation-level": "Chaos" },
    );
    expect(invalid.status).toBe(400);
  });

  it("refuses what could leave the transaction or its role, unknown roles and malformed requests", async () => {
    for (const query of [
      "reset role",
      "set role postgres",
      "commit",
      "begin",
      "SET SESSION AUTHORIZATION postgres",
    ]) {
      const response = await post({ query });
      expect(response.status, query).toBe(400);
    }
    const superuser = await post(
      { query: "select 1" },
      { "neon-connection-string": localConnectionString("postgres", 1) },
    );
    expect(superuser.status).toBe(403);
    expect((await post("not json")).status).toBe(400);
    expect((await post({ nothing: true })).status).toBe(400);
    expect((await post({ query: "select 1", params: "x" })).status).toBe(400);
    const noHeader = await fetch(`${platform.endpoint.url}/sql`, {
      method: "POST",
      body: '{"query":"select 1"}',
    });
    expect(noHeader.status).toBe(400);
    const badHeader = await post({ query: "select 1" }, { "neon-connection-string": "::" });
    expect(badHeader.status).toBe(400);
    expect((await fetch(`${platform.endpoint.url}/other`)).status).toBe(404);
  });

  // Each statement changes the role (or leaves the transaction) when it reaches the database; the guard must see
  // through comments, case, quoting, escapes, dollar quotes, named arguments and several statements in one string.
  const ROLE_ESCAPES: { query: string; params?: unknown[] }[] = [
    { query: "/* a comment first */ reset role" },
    { query: "-- a line comment\nset role postgres" },
    { query: "/* nested /* comments */ still one */ RESET ROLE" },
    { query: "select set_config('role', 'postgres', true)" },
    { query: "SELECT PG_CATALOG.SET_CONFIG('role', 'postgres', true)" },
    { query: "select \"pg_catalog\".\"set_config\"('role', 'postgres', true)" },
    { query: "select U&\"set\\005fconfig\"('role', 'postgres', true)" },
    { query: "select set_config(E'rol\\x65', 'postgres', true)" },
    { query: "select set_config('session_authorization', 'postgres', true)" },
    { query: "select set_config($1, 'postgres', true)", params: ["role"] },
    { query: "select set_config('ro' || 'le', 'postgres', true)" },
    { query: "select * from (select 1) t, lateral set_config('role', 'postgres', true)" },
    { query: "do $$ begin set role postgres; end $$" },
    { query: "do $body$ begin perform set_config('role', 'postgres', true); end $body$" },
    { query: "set session authorization postgres" },
  ];

  it("proves each of the role escapes below works when it reaches the database unguarded", async () => {
    for (const attempt of ROLE_ESCAPES) {
      const [, who] = await platform.database.transaction({ user: "app_runtime", password: "app_runtime" }, [
        attempt,
        { query: "select current_user" },
      ]);
      expect(who?.rows[0]?.[0], attempt.query).not.toBe("app_runtime");
    }
  });

  it("refuses every way out of the role however it is written, and keeps what only looks like one", async () => {
    for (const attempt of [
      ...ROLE_ESCAPES,
      { query: "select 1; reset role" },
      { query: "reset all" },
      { query: "select set_config(setting_name => 'role', new_value => 'postgres', is_local => true)" },
      { query: "commit" },
      { query: "/**/ begin" },
      { query: "savepoint s" },
      { query: "select current_user; commit" },
      { query: "select from where" },
    ]) {
      const single = await post(attempt);
      expect(single.status, attempt.query).toBe(400);
      expect((await json(single)).code, attempt.query).toMatch(/^(42501|42601)$/);
      const batch = await post({ queries: [{ query: "select 1" }, attempt] });
      expect(batch.status, attempt.query).toBe(400);
    }
    for (const harmless of [
      "select 1 -- reset role",
      "select 'reset role', $$set role postgres$$",
      "/* set role postgres */ select current_user",
    ]) {
      const response = await post({ query: harmless });
      expect(response.status, harmless).toBe(200);
    }
    const tenant = await post({
      queries: [
        { query: "select set_config('app.current_tenant_id', $1, true)", params: [crypto.randomUUID()] },
        { query: "select current_user" },
      ],
    });
    expect(tenant.status).toBe(200);
    expect((await json(tenant)).results[1].rows[0][0]).toBe("app_runtime");
    const bounded = await post({
      queries: [
        { query: "select set_config('statement_timeout', '1500ms', true)" },
        { query: "select current_setting('statement_timeout'), current_user" },
      ],
    });
    expect(bounded.status).toBe(200);
    expect((await json(bounded)).results[1].rows[0]).toEqual(["1500ms", "app_runtime"]);
  });

  it("never interleaves concurrent transactions on PGlite's single session", async () => {
    const admin = { "neon-connection-string": platform.adminDatabaseUrl };
    const created = await post(
      {
        queries: [
          {
            query: "insert into tenants (slug, name) values ($1, 'A') returning id",
            params: [`ia-${Date.now()}`],
          },
          {
            query: "insert into tenants (slug, name) values ($1, 'B') returning id",
            params: [`ib-${Date.now()}`],
          },
        ],
      },
      admin,
    );
    const ids = (await json(created)).results.map((result: { rows: string[][] }) => result.rows[0]?.[0]);
    const answers = await Promise.all(
      Array.from({ length: 24 }, async (_, index) => {
        const tenant = ids[index % 2];
        const response = await post({
          queries: [
            { query: "select set_config('app.current_tenant_id', $1, true)", params: [tenant] },
            { query: "select pg_sleep(0.005)" },
            { query: "select id from tenants" },
          ],
        });
        return { tenant, seen: (await json(response)).results[2].rows.flat() };
      }),
    );
    for (const answer of answers) expect(answer.seen).toEqual([answer.tenant]);
  });

  it("counts round trips and statements", async () => {
    platform.endpoint.resetStats();
    await post({ queries: [{ query: "select 1" }, { query: "select 2" }] });
    await post({ query: "select 3" });
    const stats = await json(await fetch(`${platform.endpoint.url}/__stats`));
    expect(stats).toEqual({ requests: 2, statements: 3, errors: 0 });
  });
});

describe("local OIDC issuer", () => {
  it("serves discovery and JWKS at Keycloak's paths, and its tokens verify against them", async () => {
    const issuer = await startLocalIssuer();
    try {
      const discovery = await json(await fetch(`${issuer.issuer}/.well-known/openid-configuration`));
      expect(discovery).toMatchObject({ issuer: issuer.issuer, jwks_uri: issuer.jwksUrl });
      const token = await issuer.mint({ tenantId: DEMO_TENANT.id, subject: "alice", roles: ["viewer"] });
      const { payload } = await jwtVerify(token, createRemoteJWKSet(new URL(issuer.jwksUrl)), {
        issuer: issuer.issuer,
        audience: LOCAL_AUDIENCE,
      });
      expect(payload).toMatchObject({
        sub: "alice",
        tenant_id: DEMO_TENANT.id,
        realm_access: { roles: ["viewer"] },
      });
      expect((await fetch(`${issuer.issuer}/nothing`)).status).toBe(404);
    } finally {
      await issuer.close();
    }
  });

  it("keeps the development signing key across restarts", async () => {
    const dir = await mkdtemp(join(tmpdir(), "reos-key-"));
    try {
      const path = join(dir, "nested", "issuer-key.json");
      const created = await loadOrCreateSigningKey(path);
      const loaded = await loadOrCreateSigningKey(path);
      expect(loaded).toEqual(created);
      expect(JSON.parse(await readFile(path, "utf8")).kid).toBe(created.kid);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("demo seed", () => {
  const csv = [
    "id,date,price,bedrooms,bathrooms,sqft_living,sqft_lot,floors,waterfront,view,condition,grade,sqft_above,sqft_basement,yr_built,yr_renovated,zipcode,lat,long,sqft_living15,sqft_lot15",
    "1,20140502T000000,100000.00,3,1.75,1500,5000,1,0,0,3,7,1500,0,1960,0,98001,47.3,-122.2,1500,5000",
    "1,20141002T000000,120000.00,3,2.25,1500,5000,1,1,2,3,7,1000,500,1960,2001,98001,47.3,-122.2,1500,5000",
  ].join("\n");

  it("parses King County rows and keeps the latest sale of each parcel", () => {
    const sales = parseKcSales(csv);
    expect(sales[0]).toMatchObject({ parcelId: "1", date: "2014-05-02", price: 100000, yearRenovated: null });
    const [latest] = latestSalePerParcel(sales);
    expect(latest).toMatchObject({
      date: "2014-10-02",
      price: 120000,
      waterfront: true,
      yearRenovated: 2001,
    });
    expect(() => parseKcSales("id,date\n1,2")).toThrow(/no price column/);
  });

  it("stores quarter baths as halves, rounding up", () => {
    expect([0.75, 1, 1.25, 1.75, 2.5].map(toHalfBaths)).toEqual([1, 1, 1.5, 2, 2.5]);
  });

  describe("on PGlite", () => {
    let database: BackingDatabase;
    beforeAll(async () => {
      database = await openPglite();
      await migrate(database);
      // As the platform starts: reference data before the seed, so seeded properties get their hazards.
      await ensureReferenceData(database);
    }, 120_000);
    afterAll(async () => {
      await database?.close();
    });

    it("loads the demo tenant once, every property in that tenant, and is idempotent", async () => {
      const events: string[] = [];
      const inserted = await seedDemoTenant(database, {
        start: (total) => events.push(`start ${total}`),
        increment: () => {},
        stop: () => events.push("stop"),
      });
      expect(inserted).toBe(15_559);
      expect(events).toEqual(["start 15559", "stop"]);
      expect(await seedDemoTenant(database)).toBe(0);
      const counts = await database.asOwner(async (session) => {
        await session.query("select set_config('app.current_tenant_id', $1, true)", [DEMO_TENANT.id]);
        return session.query<{ tenant_id: string; n: string; sold: string; king_hazards: string }>(
          `select tenant_id, count(*) as n, count(*) filter (where status = 'sold') as sold,
             count(*) filter (where hazards_county_fips = '53033' and hazards_version = $1
               and hazard_risk_rating = 'Very High') as king_hazards
           from properties group by 1`,
          [NRI_DATA_VERSION],
        );
      });
      // Every King County sale carries King County's NRI hazards.
      expect(counts).toEqual([
        { tenant_id: DEMO_TENANT.id, n: "15559", sold: "15559", king_hazards: "15559" },
      ]);
    });
  });
});
