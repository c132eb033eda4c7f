// `npm run db:migrate`: applies migrations/ to the database at DATABASE_URL (a local PostgreSQL or Neon; use the
// owner role's connection string, e.g. Neon's neondb_owner, with sslmode=require for Neon), or to the embedded
// development database in .data/pglite when DATABASE_URL is not set.
import { openPglite, openPostgres } from "./platform/database.ts";
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
} finally {
  await database.close();
}
