// Onboards a tenant: inserts its row and prints its id (docs/runbooks/onboard-tenant.md).
//
//   DATABASE_URL=<connection of a member of app_admin> node scripts/create-tenant.ts --slug acme --name "Acme" [--plan standard]
//
// The tenants table has forced row-level security. The connection must be a login role that is a member of
// app_admin (the ADMIN_DATABASE_URL secret's role): its policies allow every row, so nothing is set per session.
// The app_runtime role cannot insert tenants at all. Speaks the Postgres wire protocol (`pg`): use Neon's direct
// or pooled connection string, or a local PostgreSQL.
import { pathToFileURL } from "node:url";
import pg from "pg";

export interface TenantInput {
  slug: string;
  name: string;
  plan: string;
}

export class TenantUsageError extends Error {
  override name = "TenantUsageError";
}

// The same rules as the tenants table's checks, so a bad value is refused before any connection is made.
const SLUG = /^[a-z0-9][a-z0-9-]{1,62}$/;

export function parseTenantArgs(argv: readonly string[]): TenantInput {
  const values = new Map<string, string>();
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index] as string;
    const [flag, inline] = arg.includes("=") ? arg.split("=", 2) : [arg, undefined];
    if (!["--slug", "--name", "--plan"].includes(flag as string))
      throw new TenantUsageError(`unknown argument ${arg}`);
    const value = inline ?? argv[++index];
    if (value === undefined) throw new TenantUsageError(`${flag} needs a value`);
    values.set(flag as string, value);
  }
  const slug = values.get("--slug") ?? "";
  const name = (values.get("--name") ?? "").trim();
  const plan = (values.get("--plan") ?? "standard").trim();
  if (!SLUG.test(slug))
    throw new TenantUsageError("--slug: 2 to 63 of a-z, 0-9 and -, starting with a letter or digit");
  if (name.length < 1 || name.length > 200) throw new TenantUsageError("--name: 1 to 200 characters");
  if (plan.length < 1 || plan.length > 50) throw new TenantUsageError("--plan: 1 to 50 characters");
  return { slug, name, plan };
}

export interface Queryable {
  query<R extends object>(text: string, values: unknown[]): Promise<{ rows: R[] }>;
}

export async function insertTenant(client: Queryable, input: TenantInput): Promise<string> {
  try {
    const result = await client.query<{ id: string }>(
      "insert into tenants (slug, name, plan) values ($1, $2, $3) returning id",
      [input.slug, input.name, input.plan],
    );
    const id = result.rows[0]?.id;
    if (!id) throw new Error("the insert returned no id");
    return id;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === "23505") throw new TenantUsageError(`a tenant with slug "${input.slug}" already exists`);
    if (code === "42501") {
      throw new TenantUsageError(
        "permission denied: DATABASE_URL must be a login role that is a member of app_admin",
      );
    }
    throw error;
  }
}

export async function main(
  argv: readonly string[],
  env: Record<string, string | undefined>,
): Promise<number> {
  try {
    const input = parseTenantArgs(argv);
    if (!env.DATABASE_URL) throw new TenantUsageError("DATABASE_URL (a member of app_admin) must be set");
    const client = new pg.Client({ connectionString: env.DATABASE_URL, connectionTimeoutMillis: 10_000 });
    await client.connect();
    try {
      console.log(await insertTenant(client, input));
    } finally {
      await client.end();
    }
    return 0;
  } catch (error) {
    console.error(`create-tenant: ${error instanceof Error ? error.message : String(error)}`);
    return error instanceof TenantUsageError ? 2 : 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv.slice(2), process.env);
}
