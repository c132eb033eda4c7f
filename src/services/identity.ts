// Resolves a verified token to its tenant and user row: the tenant must exist and be active, and the user row
// is created on first sight of a subject in a tenant. The read (lookupCaller) and the write (provisionCaller) are
// apart so that the write waits for the request's rate-limit admission (middleware/auth.ts). Answers are cached per isolate for a short time so a
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

/** Whether a user row is touched again (roles, email and last_seen_at) when nothing else about it changed. */
export const LAST_SEEN_REFRESH = "1 hour";

/** What the read-only lookup found: the tenant's plan and, when the user row needs no write, the caller. */
export interface CallerLookup {
  plan: string;
  /** Null when the user is new to the tenant, or its row must be brought up to date (provisionCaller). */
  caller: Caller | null;
}

// Emails are unique per tenant; when another subject already holds this one (a user re-created at the IdP, say)
// the caller's row keeps none rather than failing every request of this caller.
function emailValue(identity: VerifiedIdentity) {
  return sql`select case when exists (
      select from users
      where tenant_id = ${identity.tenantId} and lower(email) = lower(${identity.email ?? null})
        and subject <> ${identity.subject}
    ) then null else ${identity.email ?? null} end as value`;
}

function cacheCaller(key: string, caller: Caller, now: number): Caller {
  if (callerCache.size >= CACHE_LIMIT) callerCache.clear();
  callerCache.set(key, { caller, expiresAt: now + CALLER_CACHE_TTL_MS });
  return caller;
}

function refuseInactive(status: string | undefined): void {
  // Unknown and suspended tenants look the same from outside.
  if (status !== "active") {
    throw new ApiError("tenant_inactive", { detail: "The token's tenant does not exist or is not active." });
  }
}

function refuseDisabled(userStatus: string | null): void {
  if (userStatus !== null && userStatus !== "active") {
    throw new ApiError("forbidden", { detail: "This user is disabled in this tenant." });
  }
}

/**
 * The caller's tenant and user row, read only: a request may still be refused by its rate limit after this, and a
 * refused request must have written nothing (so first sight, a role or email change, and the hourly last_seen_at
 * touch are left to provisionCaller, which auth's provisionUser middleware runs once the request is admitted).
 */
export async function lookupCaller(
  db: Database,
  identity: VerifiedIdentity,
  now = Date.now(),
): Promise<CallerLookup> {
  const key = callerCacheKey(identity);
  const cached = callerCache.get(key);
  if (cached && cached.expiresAt > now) return { plan: cached.caller.plan, caller: cached.caller };

  const [result] = await db.withTenant(identity.tenantId, (tx) => [
    tx.execute<{
      status: string;
      plan: string;
      user_id: string | null;
      user_status: string | null;
      current: boolean | null;
    }>(sql`
      with tenant as (
        select id, status, plan from tenants where id = ${identity.tenantId}
      ), email as (${emailValue(identity)})
      select tenant.status, tenant.plan, users.id as user_id, users.status as user_status,
        (users.roles = ${`{${identity.roles.join(",")}}`}::text[]
          and users.email is not distinct from email.value
          and users.last_seen_at > now() - ${LAST_SEEN_REFRESH}::interval) as current
      from tenant cross join email
      left join users on users.tenant_id = tenant.id and users.subject = ${identity.subject}`),
  ]);
  const row = result.rows[0];
  refuseInactive(row?.status);
  refuseDisabled(row?.user_status ?? null);
  const plan = row?.plan ?? "";
  if (!row?.user_id || row.current !== true) return { plan, caller: null };
  return { plan, caller: cacheCaller(key, { userId: row.user_id, plan }, now) };
}

/** Creates the caller's user row on first sight, or brings its roles, email and last_seen_at up to date. */
export async function provisionCaller(
  db: Database,
  identity: VerifiedIdentity,
  now = Date.now(),
): Promise<Caller> {
  const [result] = await db.withTenant(identity.tenantId, (tx) => [
    tx.execute<{ status: string; plan: string; user_id: string | null; user_status: string | null }>(sql`
      with tenant as (
        select id, status, plan from tenants where id = ${identity.tenantId}
      ), email as (${emailValue(identity)}), upserted as (
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
  refuseInactive(row?.user_id ? row.status : undefined);
  refuseDisabled(row?.user_status ?? null);
  return cacheCaller(callerCacheKey(identity), { userId: row?.user_id ?? "", plan: row?.plan ?? "" }, now);
}

/** lookupCaller, then provisionCaller when the row needs a write: for callers with no rate limit to wait for. */
export async function resolveCaller(
  db: Database,
  identity: VerifiedIdentity,
  now = Date.now(),
): Promise<Caller> {
  const found = await lookupCaller(db, identity, now);
  return found.caller ?? provisionCaller(db, identity, now);
}
