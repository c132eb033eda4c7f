// Every test makes its own tenants and tokens (no shared fixtures, no order dependence).
import { neon } from "@neondatabase/serverless";
import "../../src/db/client.ts";
import { mintAccessToken, type SigningKey, type TokenClaims } from "../../scripts/platform/issuer.ts";
import type { Role } from "../../src/auth/roles.ts";
import { testEnv } from "./env.ts";

export interface TestTenant {
  id: string;
  slug: string;
  /** A valid access token for a user of this tenant with the given role. */
  token(role?: Role, options?: Partial<TokenClaims>): Promise<string>;
  /** Headers with that token (and JSON content type). */
  headers(role?: Role, options?: Partial<TokenClaims>): Promise<Record<string, string>>;
}

/** The pipeline's cross-tenant role: only tests and the pipeline use it. */
export function adminSql() {
  return neon(testEnv.ADMIN_DATABASE_URL);
}

export function signingKey(): SigningKey {
  return JSON.parse(testEnv.OIDC_TEST_SIGNING_KEY) as SigningKey;
}

export function mintToken(claims: TokenClaims): Promise<string> {
  return mintAccessToken(signingKey(), testEnv.OIDC_ISSUER, claims, testEnv.OIDC_AUDIENCE);
}

export async function createTenant(
  options: { status?: "active" | "suspended"; plan?: string; name?: string } = {},
): Promise<TestTenant> {
  const slug = `t-${crypto.randomUUID().slice(0, 12)}`;
  const sql = adminSql();
  const rows = await sql`insert into tenants (slug, name, status, plan)
    values (${slug}, ${options.name ?? `Tenant ${slug}`}, ${options.status ?? "active"}, ${options.plan ?? "standard"})
    returning id`;
  const id = String(rows[0]?.id);
  const token = (role: Role = "admin", extra: Partial<TokenClaims> = {}) =>
    mintToken({ tenantId: id, subject: `user-${role}-${slug}`, roles: [role], ...extra });
  return {
    id,
    slug,
    token,
    async headers(role, extra) {
      return { authorization: `Bearer ${await token(role, extra)}`, "content-type": "application/json" };
    },
  };
}
