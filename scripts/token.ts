// `npm run token -- --tenant <slug> --role <role>` prints an access token of the running dev platform's issuer
// for a user of that tenant: the tenant id is read by slug from the dev database, the token is signed with the
// key the dev issuer persists in .data/issuer-key.json. Only the token goes to stdout, so
//   curl -H "Authorization: Bearer $(npm run -s token -- --tenant demo --role admin)" ...
// works; messages go to stderr.
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { neon, neonConfig } from "@neondatabase/serverless";
import { isRole, ROLES, type Role } from "../src/auth/roles.ts";
import { LOCAL_AUDIENCE, LOCAL_REALM_PATH, loadSigningKey, mintAccessToken } from "./platform/issuer.ts";

export const DEFAULTS = {
  databaseUrl: "postgres://app_admin:app_admin@127.0.0.1:5480/realestate",
  issuer: `http://127.0.0.1:5481${LOCAL_REALM_PATH}`,
  keyFile: new URL("../.data/issuer-key.json", import.meta.url).pathname,
  expiresInSeconds: 3600,
} as const;

export interface TokenOptions {
  tenant: string;
  role: Role;
  subject: string;
  email: string | undefined;
  expiresInSeconds: number;
  issuer: string;
  audience: string;
  databaseUrl: string;
  keyFile: string;
}

export class UsageError extends Error {}

export const USAGE = `usage: npm run token -- --tenant <slug> [--role ${ROLES.join("|")}] [--subject <id>] [--email <address>]
                       [--expires <seconds>] [--issuer <url>] [--audience <aud>] [--database-url <url>] [--key-file <path>]`;

export function parseTokenArgs(argv: string[]): TokenOptions {
  let values: Record<string, string | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        tenant: { type: "string" },
        role: { type: "string" },
        subject: { type: "string" },
        email: { type: "string" },
        expires: { type: "string" },
        issuer: { type: "string" },
        audience: { type: "string" },
        "database-url": { type: "string" },
        "key-file": { type: "string" },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const tenant = values.tenant;
  if (!tenant || !/^[a-z0-9][a-z0-9-]{1,62}$/.test(tenant))
    throw new UsageError("--tenant <slug> is required");
  const role = values.role ?? "viewer";
  if (!isRole(role)) throw new UsageError(`--role must be one of ${ROLES.join(", ")}`);
  const expiresInSeconds = Number(values.expires ?? DEFAULTS.expiresInSeconds);
  if (!Number.isInteger(expiresInSeconds) || expiresInSeconds < 60 || expiresInSeconds > 86_400) {
    throw new UsageError("--expires must be a whole number of seconds from 60 to 86400");
  }
  return {
    tenant,
    role,
    subject: values.subject ?? `dev-${role}@${tenant}`,
    email: values.email,
    expiresInSeconds,
    issuer: values.issuer ?? DEFAULTS.issuer,
    audience: values.audience ?? LOCAL_AUDIENCE,
    databaseUrl: values["database-url"] ?? DEFAULTS.databaseUrl,
    keyFile: values["key-file"] ?? DEFAULTS.keyFile,
  };
}

/** The local platform's Neon HTTP endpoint for a connection string: http://<host>:<port>/sql. */
export function localSqlEndpoint(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  return `http://${url.hostname}:${url.port || 5432}/sql`;
}

type Query = (strings: TemplateStringsArray, ...values: unknown[]) => Promise<Record<string, unknown>[]>;

export async function tenantIdBySlug(query: Query, slug: string): Promise<string> {
  const rows = await query`select id, status from tenants where slug = ${slug}`;
  const row = rows[0];
  if (!row) throw new UsageError(`no tenant with slug ${JSON.stringify(slug)} in the dev database`);
  if (row.status !== "active")
    throw new UsageError(`tenant ${slug} is ${String(row.status)}; its tokens are refused`);
  return String(row.id);
}

export async function mintDevToken(options: TokenOptions): Promise<string> {
  const key = await loadSigningKey(options.keyFile).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") {
      throw new UsageError(`${options.keyFile} does not exist: start the dev platform (npm run dev) first`);
    }
    throw error;
  });
  neonConfig.fetchEndpoint = localSqlEndpoint(options.databaseUrl);
  const tenantId = await tenantIdBySlug(neon(options.databaseUrl) as unknown as Query, options.tenant);
  return mintAccessToken(
    key,
    options.issuer,
    {
      tenantId,
      subject: options.subject,
      roles: [options.role],
      ...(options.email ? { email: options.email } : {}),
      expiresInSeconds: options.expiresInSeconds,
    },
    options.audience,
  );
}

async function main(): Promise<void> {
  try {
    process.stdout.write(`${await mintDevToken(parseTokenArgs(process.argv.slice(2)))}\n`);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(error instanceof UsageError ? `${message}\n${USAGE}\n` : `token: ${message}\n`);
    process.exitCode = error instanceof UsageError ? 2 : 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
