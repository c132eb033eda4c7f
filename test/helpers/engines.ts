// The two database engines the database suites run on, each behind the local Neon HTTP endpoint so tests
// connect exactly as the Worker does (the Neon driver over HTTP, as app_runtime).
import { type NeonQueryFunction, neon, neonConfig } from "@neondatabase/serverless";
import pg from "pg";
import { type Platform, startPlatform } from "../../scripts/platform/index.ts";

neonConfig.fetchEndpoint = (host, port) => `http://${host}:${port}/sql`;

/** A superuser connection to the PostgreSQL 15 server the suites create their databases on. */
export const POSTGRES_ADMIN_URL =
  process.env.TEST_POSTGRES_URL ?? "postgres://postgres:postgres@127.0.0.1:5432/postgres";

export interface Engine {
  name: "pglite" | "postgres";
  platform: Platform;
  /** The Worker's connection: app_runtime through the Neon HTTP endpoint. */
  runtime: NeonQueryFunction<false, false>;
  /** The pipeline's cross-tenant connection (app_admin). */
  admin: NeonQueryFunction<false, false>;
  close(): Promise<void>;
}

export async function postgresAvailable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * A fresh database on the PostgreSQL server, owned by a non-superuser owner role with CREATEROLE (as on Neon),
 * so migrations run as the owner and nothing in the suite runs as a superuser.
 */
async function createPostgresDatabase(): Promise<{ ownerUrl: string; drop(): Promise<void> }> {
  const database = `reos_test_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`do $$ begin
      if not exists (select from pg_roles where rolname = 'app_owner') then
        create role app_owner login createrole password 'app_owner';
      end if;
    end $$`);
    await admin.query(`create database ${database} owner app_owner`);
  } finally {
    await admin.end();
  }
  const url = new URL(POSTGRES_ADMIN_URL);
  url.username = "app_owner";
  url.password = "app_owner";
  url.pathname = `/${database}`;
  return {
    ownerUrl: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
      await client.connect();
      try {
        await client.query(`drop database if exists ${database} with (force)`);
      } finally {
        await client.end();
      }
    },
  };
}

export async function startEngine(name: Engine["name"]): Promise<Engine> {
  const created = name === "postgres" ? await createPostgresDatabase() : undefined;
  const platform = await startPlatform({ databaseUrl: created?.ownerUrl, referenceData: false });
  return {
    name,
    platform,
    runtime: neon(platform.runtimeDatabaseUrl),
    admin: neon(platform.adminDatabaseUrl),
    async close() {
      await platform.close();
      await created?.drop();
    },
  };
}
