// Applies migrations/NNNN_name.sql in order, each in its own transaction as the schema owner, and records them
// in schema_migrations with a checksum so an edited, already-applied migration is caught instead of skipped.
import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import type { BackingDatabase } from "./database.ts";

export const MIGRATIONS_DIR = new URL("../../migrations/", import.meta.url).pathname;

export interface Migration {
  version: string;
  name: string;
  checksum: string;
  sql: string;
}

export async function readMigrations(dir = MIGRATIONS_DIR): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((file) => /^\d{4}_[a-z0-9_]+\.sql$/.test(file)).sort();
  return Promise.all(
    files.map(async (file) => {
      const sql = await readFile(join(dir, file), "utf8");
      const [version = "", ...rest] = file.replace(/\.sql$/, "").split("_");
      return { version, name: rest.join("_"), checksum: createHash("sha256").update(sql).digest("hex"), sql };
    }),
  );
}

export interface MigrationReport {
  applied: string[];
  alreadyApplied: number;
}

export async function migrate(database: BackingDatabase, migrations?: Migration[]): Promise<MigrationReport> {
  const all = migrations ?? (await readMigrations());
  const known = await database.asOwner(async (session) => {
    await session.exec(`
      create table if not exists schema_migrations (
        version text primary key,
        name text not null,
        checksum text not null,
        applied_at timestamptz not null default now()
      )`);
    return session.query<{ version: string; checksum: string }>(
      "select version, checksum from schema_migrations",
    );
  });
  const appliedChecksums = new Map(known.map((row) => [row.version, row.checksum]));
  const report: MigrationReport = { applied: [], alreadyApplied: 0 };
  for (const migration of all) {
    const checksum = appliedChecksums.get(migration.version);
    if (checksum !== undefined) {
      if (checksum !== migration.checksum) {
        throw new Error(`migration ${migration.version}_${migration.name} was changed after it was applied`);
      }
      report.alreadyApplied++;
      continue;
    }
    await database.asOwner(async (session) => {
      await session.exec(migration.sql);
      await session.query("insert into schema_migrations (version, name, checksum) values ($1, $2, $3)", [
        migration.version,
        migration.name,
        migration.checksum,
      ]);
    });
    report.applied.push(`${migration.version}_${migration.name}`);
  }
  return report;
}
