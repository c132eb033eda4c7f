// Resolves a verified token to its tenant and user row: the tenant must exist and be active, and the user row
// is created on first sight of a subject in a tenant. Answers are cached per isolate for a short time so a
// steady stream of reads costs one database round trip each, not two.
import { sql } from "drizzle-orm";
import type { VerifiedIdentity } from "../auth/verify-token.ts";
import type { Database } from "../db/client.ts";
import { ApiError } from "../errors.ts";

export interface Caller {
  userId: string;
  plan: string;
}

/** How long a tenant's status and a user's id are trusted without asking the database again. */
export const CALLER_CACHE_TTL_MS = 60_000;
const CACHE_LIMIT = 10_000;
const callerCache = new Map<string, { caller: Caller; expiresAt: number }>();

export function clearCallerCache(): void {
  callerCache.clear();
}

export async function resolveCaller(
  db: Database,
  identity: VerifiedIdentity,
  now = Date.now(),
): Promise<Caller> {
  const key = `${identity.tenantId}\u0000${identity.subject}\u0000${identity.roles.join(",")}`;
  const cached = callerCache.get(key);
  if (cached && cached.expiresAt > now) return cached.caller;

  const [result] = await db.withTenant(identity.tenantId, (tx) => [
    tx.execute<{ status: string; plan: string; user_id: string | null }>(sql`
      with tenant as (
        select id, status, plan from tenants where id = ${identity.tenantId}
      ), upserted as (
        insert into users (tenant_id, subject, email, roles)
        select id, ${identity.subject}, ${identity.email ?? null}, ${`{${identity.roles.join(",")}}`}::text[]
        from tenant where status = 'active'
        on conflict (tenant_id, subject) do update
          set roles = excluded.roles, email = excluded.email, last_seen_at = now(), updated_at = now()
        returning id
      )
      select tenant.status, tenant.plan, (select id from upserted) as user_id from tenant`),
  ]);
  const row = result.rows[0];
  if (row?.status !== "active" || !row.user_id) {
    // Unknown and suspended tenants look the same from outside.
    throw new ApiError("tenant_inactive", { detail: "The token's tenant does not exist or is not active." });
  }
  const caller = { userId: row.user_id, plan: row.plan };
  if (callerCache.size >= CACHE_LIMIT) callerCache.clear();
  callerCache.set(key, { caller, expiresAt: now + CALLER_CACHE_TTL_MS });
  return caller;
}
