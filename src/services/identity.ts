// Resolves a verified token to its tenant and user row: the tenant must exist and be active, and the user row
// is created on first sight of a subject in a tenant. Answers are cached per isolate for a short time so a
// steady stream of reads costs one database round trip each, not two. The cache key is the whole verified
// identity (tenant, subject, roles, email): the same subject in two tenants, or with other roles, is another
// entry, so nothing cached for one tenant can answer for another. A suspended tenant or a disabled user is
// refused by every isolate within the TTL.
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

/** Drops a user's cached answers, so a status change applies to this isolate's next request at once. */
export function forgetCachedUser(userId: string): void {
  for (const [key, entry] of callerCache) if (entry.caller.userId === userId) callerCache.delete(key);
}

export function callerCacheSize(): number {
  return callerCache.size;
}

export function callerCacheKey(identity: VerifiedIdentity): string {
  return [identity.tenantId, identity.subject, identity.roles.join(","), identity.email ?? ""].join("\u0000");
}

export async function resolveCaller(
  db: Database,
  identity: VerifiedIdentity,
  now = Date.now(),
): Promise<Caller> {
  const key = callerCacheKey(identity);
  const cached = callerCache.get(key);
  if (cached && cached.expiresAt > now) return cached.caller;

  const [result] = await db.withTenant(identity.tenantId, (tx) => [
    tx.execute<{ status: string; plan: string; user_id: string | null; user_status: string | null }>(sql`
      with tenant as (
        select id, status, plan from tenants where id = ${identity.tenantId}
      ), email as (
        -- Emails are unique per tenant; when another subject already holds this one (a user re-created at the
        -- IdP, say) the new row keeps none rather than failing every request of this caller.
        select case when exists (
          select from users
          where tenant_id = ${identity.tenantId} and lower(email) = lower(${identity.email ?? null})
            and subject <> ${identity.subject}
        ) then null else ${identity.email ?? null} end as value
      ), upserted as (
        insert into users (tenant_id, subject, email, roles)
        select tenant.id, ${identity.subject}, email.value, ${`{${identity.roles.join(",")}}`}::text[]
        from tenant, email where tenant.status = 'active'
        on conflict (tenant_id, subject) do update
          set roles = excluded.roles, email = excluded.email, last_seen_at = now(), updated_at = now()
        returning id, status
      )
      select tenant.status, tenant.plan, upserted.id as user_id, upserted.status as user_status
      from tenant left join upserted on true`),
  ]);
  const row = result.rows[0];
  if (row?.status !== "active" || !row.user_id) {
    // Unknown and suspended tenants look the same from outside.
    throw new ApiError("tenant_inactive", { detail: "The token's tenant does not exist or is not active." });
  }
  if (row.user_status !== "active") {
    throw new ApiError("forbidden", { detail: "This user is disabled in this tenant." });
  }
  const caller = { userId: row.user_id, plan: row.plan };
  if (callerCache.size >= CACHE_LIMIT) callerCache.clear();
  callerCache.set(key, { caller, expiresAt: now + CALLER_CACHE_TTL_MS });
  return caller;
}
