// The local platform: the database (PGlite or the PostgreSQL at DATABASE_URL), migrations, and the Neon HTTP
// endpoint the Worker talks to. `npm run dev`, the tests' global setup and the benchmarks all start it here.

import { NRI_DATA_VERSION } from "../../src/domain/geo/hazards.ts";
import { loadReferenceData } from "../load-reference-data.ts";
import { type BackingDatabase, enableLocalLogins, openPglite, openPostgres } from "./database.ts";
import { migrate } from "./migrate.ts";
import { type NeonHttpEndpoint, startNeonHttpEndpoint } from "./neon-http-endpoint.ts";

export interface PlatformOptions {
  /** A PostgreSQL connection string for the schema owner; PGlite when absent. */
  databaseUrl?: string;
  /** PGlite's data folder; in memory when absent. */
  pgliteDir?: string;
  /** Port of the Neon HTTP endpoint; any free port when absent. */
  neonPort?: number;
  /** Load the ZIP and FEMA hazard reference tables (default true; a few seconds on a fresh database). */
  referenceData?: boolean;
}

export interface Platform {
  database: BackingDatabase;
  endpoint: NeonHttpEndpoint;
  /** What the Worker's DATABASE_URL should be: the runtime role, through the local endpoint. */
  runtimeDatabaseUrl: string;
  /** The pipeline's cross-tenant role (app_admin), through the local endpoint. */
  adminDatabaseUrl: string;
  migrationsApplied: string[];
  close(): Promise<void>;
}

export function localConnectionString(role: string, port: number): string {
  return `postgres://${role}:${role}@127.0.0.1:${port}/realestate`;
}

export async function startPlatform(options: PlatformOptions = {}): Promise<Platform> {
  const database = options.databaseUrl
    ? await openPostgres(options.databaseUrl)
    : await openPglite(options.pgliteDir);
  try {
    const report = await migrate(database);
    if (options.referenceData ?? true) await ensureReferenceData(database);
    await enableLocalLogins(database);
    const endpoint = await startNeonHttpEndpoint(database, { port: options.neonPort });
    return {
      database,
      endpoint,
      runtimeDatabaseUrl: localConnectionString("app_runtime", endpoint.port),
      adminDatabaseUrl: localConnectionString("app_admin", endpoint.port),
      migrationsApplied: report.applied,
      async close() {
        await endpoint.close();
        await database.close();
      },
    };
  } catch (error) {
    await database.close();
    throw error;
  }
}

/** Loads the reference tables unless the current data version is already there. */
export async function ensureReferenceData(database: BackingDatabase): Promise<boolean> {
  return database.asOwner(async (session) => {
    const [loaded] = await session.query<{ zips: string; counties: string }>(
      `select (select count(*) from ref_zip_locations) as zips,
              (select count(*) from ref_county_hazards where data_version = $1) as counties`,
      [NRI_DATA_VERSION],
    );
    if (Number(loaded?.zips) > 0 && Number(loaded?.counties) > 0) return false;
    await loadReferenceData((sql, params) => session.query(sql, params));
    return true;
  });
}
