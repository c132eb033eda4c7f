// `npm run db:migrate`: applies migrations/ to the database at DATABASE_URL (a local PostgreSQL or Neon; use the
// owner role's connection string, e.g. Neon's neondb_owner, with sslmode=require for Neon), or to the embedded
// development database in .data/pglite when DATABASE_URL is not set. Then loads the reference tables (ZIP
// locations, FEMA hazards) when their data version is not there yet.
import { openPglite, openPostgres } from "./platform/database.ts";
import { ensureReferenceData } from "./platform/index.ts";
import { migrate } from "./platform/migrate.ts";

const databaseUrl = process.env.DATABASE_URL;
const database = databaseUrl
  ? await openPostgres(databaseUrl)
  : await openPglite(new URL("../.data/pglite", import.meta.url).pathname);
try {
  const report = await migrate(database);
  console.log(
    report.applied.length
      ? `applied ${report.applied.length} migration(s): ${report.applied.join(", ")}`
      : `up to date (${report.alreadyApplied} migration(s) already applied)`,
  );
  if (await ensureReferenceData(database)) console.log("loaded the ZIP and FEMA hazard reference tables");
} finally {
  await database.close();
}
