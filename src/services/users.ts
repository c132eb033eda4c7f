// Users of the caller's tenant: who am I, and (for admins) who else is here. Every query runs inside
// withTenant and also filters by the tenant explicitly; either alone keeps other tenants' users invisible.
import { and, asc, eq, gt, sql } from "drizzle-orm";
import type { Role } from "../auth/roles.ts";
import type { Database } from "../db/client.ts";
import { tenants, users } from "../db/schema.ts";
import { ApiError } from "../errors.ts";
import { forgetCachedUser } from "./identity.ts";

export interface UserView {
  id: string;
  subject: string;
  email: string | null;
  name: string | null;
  roles: string[];
  status: "active" | "disabled";
  createdAt: string;
  lastSeenAt: string;
}

export interface CurrentUser {
  id: string;
  subject: string;
  email: string | null;
  roles: Role[];
  tenant: { id: string; slug: string };
}

export interface UserPage {
  items: UserView[];
  /** Pass as `cursor` to get the next page; null on the last page. */
  nextCursor: string | null;
}

export const MAX_PAGE_SIZE = 100;

const userColumns = {
  id: users.id,
  subject: users.subject,
  email: users.email,
  name: users.name,
  roles: users.roles,
  status: users.status,
  createdAt: users.createdAt,
  lastSeenAt: users.lastSeenAt,
};

/** The caller as the API knows them; roles are the verified token's, i.e. what this request may do. */
export async function getCurrentUser(
  db: Database,
  caller: { tenantId: string; userId: string; roles: Role[] },
): Promise<CurrentUser> {
  const [rows] = await db.withTenant(caller.tenantId, (tx) => [
    tx
      .select({ id: users.id, subject: users.subject, email: users.email, slug: tenants.slug })
      .from(users)
      .innerJoin(tenants, eq(tenants.id, users.tenantId))
      .where(and(eq(users.tenantId, caller.tenantId), eq(users.id, caller.userId))),
  ]);
  const row = rows[0];
  // The user row was read or created moments ago by authentication; not finding it means it just vanished.
  if (!row) throw new ApiError("not_found", { detail: "No such user." });
  return {
    id: row.id,
    subject: row.subject,
    email: row.email,
    roles: caller.roles,
    tenant: { id: caller.tenantId, slug: row.slug },
  };
}

/** One page of the tenant's users in id order (keyset: the cursor is the last id of the previous page). */
export async function listUsers(
  db: Database,
  tenantId: string,
  page: { limit: number; cursor?: string | undefined },
): Promise<UserPage> {
  const limit = Math.min(Math.max(page.limit, 1), MAX_PAGE_SIZE);
  const [rows] = await db.withTenant(tenantId, (tx) => [
    tx
      .select(userColumns)
      .from(users)
      .where(and(eq(users.tenantId, tenantId), page.cursor ? gt(users.id, page.cursor) : undefined))
      .orderBy(asc(users.id))
      .limit(limit + 1),
  ]);
  const items = rows.slice(0, limit);
  return { items, nextCursor: rows.length > limit ? (items.at(-1)?.id ?? null) : null };
}

/** A user of the tenant; another tenant's user answers exactly like a missing one. */
export async function getUser(db: Database, tenantId: string, userId: string): Promise<UserView> {
  const [rows] = await db.withTenant(tenantId, (tx) => [
    tx
      .select(userColumns)
      .from(users)
      .where(and(eq(users.tenantId, tenantId), eq(users.id, userId))),
  ]);
  const user = rows[0];
  if (!user) throw new ApiError("not_found", { detail: "No such user." });
  return user;
}

export type UserStatus = UserView["status"];

/**
 * Deactivates or reactivates a user of the tenant. A disabled user's tokens are refused with 403 (the identity
 * check reads the status): at once in this isolate, within the caller cache's TTL everywhere else. Admins cannot
 * deactivate themselves, so a tenant never loses its last way back in by accident. Roles are not managed here:
 * they are the identity provider's, carried by each token.
 */
export async function setUserStatus(
  db: Database,
  caller: { tenantId: string; userId: string },
  userId: string,
  status: UserStatus,
): Promise<UserView> {
  if (userId === caller.userId && status === "disabled") {
    throw new ApiError("conflict", { detail: "You cannot deactivate yourself." });
  }
  const [rows] = await db.withTenant(caller.tenantId, (tx) => [
    tx
      .update(users)
      .set({ status, updatedAt: sql`now()` })
      .where(and(eq(users.tenantId, caller.tenantId), eq(users.id, userId)))
      .returning(userColumns),
  ]);
  const user = rows[0];
  if (!user) throw new ApiError("not_found", { detail: "No such user." });
  forgetCachedUser(user.id);
  return user;
}
