// Tenant isolation, proven on both engines for the role the Worker connects as, through the same Neon HTTP
// protocol the Worker uses. A new tenant table without forced RLS fails the first test.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Engine, POSTGRES_ADMIN_URL, postgresAvailable, startEngine } from "../helpers/engines.ts";

const postgresUp = await postgresAvailable();
if (!postgresUp && process.env.CI) {
  throw new Error(`PostgreSQL is required in CI and is not reachable at ${POSTGRES_ADMIN_URL}`);
}

const engines = postgresUp ? (["pglite", "postgres"] as const) : (["pglite"] as const);
if (!postgresUp)
  console.warn(`PostgreSQL not reachable at ${POSTGRES_ADMIN_URL}: RLS suite runs on PGlite only`);

type Sql = Engine["runtime"];

function asTenant(sql: Sql, tenantId: string | null, query: ReturnType<Sql>) {
  const setTenant = sql`select set_config('app.current_tenant_id', ${tenantId ?? ""}, true)`;
  return sql.transaction([setTenant, query]).then((results) => results[1] as Record<string, unknown>[]);
}

describe.each(engines)("row-level security on %s", (engineName) => {
  let engine: Engine;
  let tenantA: string;
  let tenantB: string;

  beforeAll(async () => {
    engine = await startEngine(engineName);
    const admin = engine.admin;
    const [a, b] = await admin.transaction([
      admin`insert into tenants (slug, name) values (${`a-${Date.now()}`}, 'Tenant A') returning id`,
      admin`insert into tenants (slug, name) values (${`b-${Date.now()}`}, 'Tenant B') returning id`,
    ]);
    tenantA = String(a?.[0]?.id);
    tenantB = String(b?.[0]?.id);
    for (const tenant of [tenantA, tenantB]) {
      await admin.transaction([
        admin`insert into users (tenant_id, subject, email, roles) values (${tenant}, 'same-subject', 'same@example.com', '{admin}')`,
        admin`insert into properties (tenant_id, address, normalized_address, address_hash)
              values (${tenant}, '1 Main St', '1 MAIN ST', 'same-hash')`,
      ]);
    }
  });

  afterAll(async () => {
    await engine?.close();
  });

  it("has RLS enabled and forced, with USING and WITH CHECK, on every tenant table", async () => {
    const tables = await engine.runtime`
      select c.relname, c.relrowsecurity, c.relforcerowsecurity
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and c.relkind in ('r', 'p')
        and (c.relname = 'tenants' or exists (
          select from pg_attribute a where a.attrelid = c.oid and a.attname = 'tenant_id' and not a.attisdropped))`;
    expect(tables.map((row) => row.relname)).toEqual(
      expect.arrayContaining(["tenants", "users", "properties"]),
    );
    for (const table of tables) {
      expect({
        table: table.relname,
        enabled: table.relrowsecurity,
        forced: table.relforcerowsecurity,
      }).toEqual({
        table: table.relname,
        enabled: true,
        forced: true,
      });
    }
    const policies = await engine.runtime`
      select tablename, qual, with_check from pg_policies
      where schemaname = 'public' and policyname = 'tenant_isolation'`;
    const byTable = new Map(policies.map((row) => [row.tablename, row]));
    for (const table of tables) {
      const policy = byTable.get(table.relname);
      expect(policy, `tenant_isolation policy on ${table.relname}`).toBeDefined();
      const column = table.relname === "tenants" ? "id" : "tenant_id";
      const expected = new RegExp(
        `^\\(${column} = \\(NULLIF\\(current_setting\\('app\\.current_tenant_id'::text, true\\), ''::text\\)\\)::uuid\\)$`,
      );
      expect(String(policy?.qual)).toMatch(expected);
      expect(String(policy?.with_check)).toMatch(expected);
    }
  });

  it("connects as a runtime role that is not superuser, not an owner, not BYPASSRLS, not app_admin", async () => {
    const [role] = await engine.runtime`
      select current_user as name, r.rolsuper, r.rolbypassrls,
        pg_has_role(current_user, 'app_admin', 'member') as is_admin,
        (select count(*) from pg_class c join pg_namespace n on n.oid = c.relnamespace
          where n.nspname = 'public' and pg_get_userbyid(c.relowner) = current_user) as owned
      from pg_roles r where r.rolname = current_user`;
    expect(role).toEqual({
      name: "app_runtime",
      rolsuper: false,
      rolbypassrls: false,
      is_admin: false,
      owned: "0",
    });
  });

  it("shows a tenant only its own rows, and no rows without a tenant", async () => {
    const sql = engine.runtime;
    for (const table of ["properties", "users"] as const) {
      const ownRows = await asTenant(sql, tenantB, sql.query(`select tenant_id from ${table}`));
      expect(ownRows.map((row) => row.tenant_id)).toEqual([tenantB]);
    }
    const tenants = await asTenant(sql, tenantB, sql`select id from tenants`);
    expect(tenants.map((row) => row.id)).toEqual([tenantB]);
    expect(await asTenant(sql, tenantB, sql`select * from properties where tenant_id = ${tenantA}`)).toEqual(
      [],
    );
    expect(await asTenant(sql, null, sql`select * from properties`)).toEqual([]);
    expect(await sql`select * from properties`).toEqual([]);
    expect(await sql`select * from tenants`).toEqual([]);
  });

  it("refuses to insert, move, update or delete another tenant's rows", async () => {
    const sql = engine.runtime;
    await expect(
      asTenant(
        sql,
        tenantB,
        sql`insert into properties (tenant_id, address, normalized_address, address_hash)
            values (${tenantA}, '2 Main St', '2 MAIN ST', 'other-hash') returning id`,
      ),
    ).rejects.toMatchObject({ code: "42501" });
    await expect(
      asTenant(sql, tenantB, sql`update properties set tenant_id = ${tenantA} returning id`),
    ).rejects.toMatchObject({ code: "42501" });
    expect(
      await asTenant(
        sql,
        tenantB,
        sql`update properties set price = 1 where tenant_id = ${tenantA} returning id`,
      ),
    ).toEqual([]);
    await expect(asTenant(sql, tenantB, sql`delete from properties`)).rejects.toMatchObject({
      code: "42501",
    });
    await expect(
      asTenant(
        sql,
        tenantB,
        sql`insert into users (tenant_id, subject) values (${tenantA}, 'intruder') returning id`,
      ),
    ).rejects.toMatchObject({ code: "42501" });
    const untouched = await asTenant(sql, tenantA, sql`select price from properties`);
    expect(untouched).toEqual([{ price: null }]);
  });

  it("allows the same email and address in two tenants (uniqueness is per tenant)", async () => {
    const both = await engine.admin`select count(*)::int as n from users where email = 'same@example.com'`;
    expect(both).toEqual([{ n: 2 }]);
  });

  it("does not carry the tenant setting into the next transaction on the same connection", async () => {
    if (engineName === "pglite") {
      // PGlite has a single session: every request already shares one connection.
      const sql = engine.runtime;
      await asTenant(sql, tenantA, sql`select 1`);
      const [setting] = await sql`select current_setting('app.current_tenant_id', true) as value`;
      expect(setting?.value === "" || setting?.value === null).toBe(true);
      expect(await sql`select * from properties`).toEqual([]);
      return;
    }
    const url = new URL(POSTGRES_ADMIN_URL);
    const client = new pg.Client({
      host: url.hostname,
      port: Number(url.port || 5432),
      user: "app_runtime",
      password: "app_runtime",
      database: (await engine.admin`select current_database() as db`)[0]?.db as string,
    });
    await client.connect();
    try {
      await client.query("begin");
      await client.query("select set_config('app.current_tenant_id', $1, true)", [tenantA]);
      expect((await client.query("select count(*)::int as n from properties")).rows).toEqual([{ n: 1 }]);
      await client.query("commit");
      const setting = await client.query("select current_setting('app.current_tenant_id', true) as value");
      expect(setting.rows[0].value).toBe("");
      expect((await client.query("select count(*)::int as n from properties")).rows).toEqual([{ n: 0 }]);
    } finally {
      await client.end();
    }
  });

  it("has no views without security_invoker and no SECURITY DEFINER functions", async () => {
    const views = await engine.runtime`
      select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and c.relkind = 'v'
        and not coalesce('security_invoker=true' = any (c.reloptions), false)`;
    expect(views).toEqual([]);
    const definers = await engine.runtime`
      select p.proname from pg_proc p join pg_namespace n on n.oid = p.pronamespace
      where n.nspname = 'public' and p.prosecdef`;
    expect(definers).toEqual([]);
  });
});
