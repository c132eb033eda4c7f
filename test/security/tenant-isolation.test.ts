// Tenancy and authorization through the Worker: the tenant comes only from the verified token, other tenants'
// objects look missing, roles gate admin routes, and the per-isolate caches never answer for another tenant.
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { beforeAll, describe, expect, it } from "vitest";
import type { AppEnv } from "../../src/app-types.ts";
import type { VerifiedIdentity } from "../../src/auth/verify-token.ts";
import { createDatabase } from "../../src/db/client.ts";
import { handleError } from "../../src/middleware/errors.ts";
import { validationHook } from "../../src/routes/validation.ts";
import {
  CALLER_CACHE_TTL_MS,
  callerCacheKey,
  callerCacheSize,
  clearCallerCache,
  resolveCaller,
} from "../../src/services/identity.ts";
import {
  type ControlledIssuer,
  callApi,
  createControlledIssuer,
  generateTestKey,
  type TestKey,
} from "../helpers/auth.ts";
import { testEnv } from "../helpers/env.ts";
import { expectForeignObjectLooksMissing, expectTenantFieldsRejected } from "../helpers/security.ts";
import { adminSql, createTenant } from "../helpers/tenants.ts";

let key: TestKey;
let issuer: ControlledIssuer;
let env: Env;

beforeAll(async () => {
  key = await generateTestKey();
  issuer = await createControlledIssuer([key]);
  env = issuer.env();
});

function tokenFor(tenantId: string, roles: string[], claims: Record<string, unknown> = {}) {
  return issuer.token(key, tenantId, { realm_access: { roles }, ...claims });
}

async function meAs(tenantId: string, roles: string[], claims: Record<string, unknown> = {}) {
  const response = await callApi(env, "/api/v1/me", { token: await tokenFor(tenantId, roles, claims) });
  expect(response.status).toBe(200);
  return response.json<{ id: string; tenant: { id: string; slug: string } }>();
}

describe("objects of another tenant", () => {
  it("answers 404 for tenant B's user exactly as for an id that does not exist", async () => {
    const [a, b] = await Promise.all([createTenant(), createTenant()]);
    const userOfB = await meAs(b.id, ["viewer"]);
    const adminOfA = await tokenFor(a.id, ["admin"]);
    await expectForeignObjectLooksMissing({
      requestForeign: () => callApi(env, `/api/v1/users/${userOfB.id}`, { token: adminOfA }),
      requestMissing: () => callApi(env, `/api/v1/users/${crypto.randomUUID()}`, { token: adminOfA }),
    });
    const own = await callApi(env, `/api/v1/users/${(await meAs(a.id, ["viewer"])).id}`, { token: adminOfA });
    expect(own.status).toBe(200);
  });

  it("lists only the caller's tenant's users when both tenants have the same subjects", async () => {
    const [a, b] = await Promise.all([createTenant(), createTenant()]);
    for (const sub of ["alice", "bob"]) {
      await meAs(a.id, ["viewer"], { sub });
      await meAs(b.id, ["viewer"], { sub });
    }
    const response = await callApi(env, "/api/v1/users?limit=100", {
      token: await tokenFor(a.id, ["admin"]),
    });
    expect(response.status).toBe(200);
    const page = await response.json<{ items: { id: string; subject: string }[] }>();
    const idsOfB = await adminSql()`select id from users where tenant_id = ${b.id}`;
    for (const user of page.items) expect(idsOfB.map((row) => row.id)).not.toContain(user.id);
    expect(page.items.map((user) => user.subject).sort()).toEqual(expect.arrayContaining(["alice", "bob"]));
  });

  it("ignores a tenant named anywhere but the token (query string, header)", async () => {
    const [a, b] = await Promise.all([createTenant(), createTenant()]);
    const token = await tokenFor(a.id, ["viewer"]);
    const viaHeader = await callApi(env, "/api/v1/me", { token, headers: { "x-tenant-id": b.id } });
    expect((await viaHeader.json<{ tenant: { id: string } }>()).tenant.id).toBe(a.id);
    const viaQuery = await callApi(env, `/api/v1/users?tenant_id=${b.id}`, {
      token: await tokenFor(a.id, ["admin"]),
    });
    expect(viaQuery.status).toBe(400);
  });
});

describe("roles", () => {
  it.each([
    ["viewer", 403],
    ["editor", 403],
    ["admin", 200],
  ])("a %s on the admin routes gets %i", async (role, status) => {
    const tenant = await createTenant();
    const token = await tokenFor(tenant.id, [role]);
    for (const path of ["/api/v1/users", `/api/v1/users/${crypto.randomUUID()}`]) {
      const response = await callApi(env, path, { token });
      const expected = path === "/api/v1/users" ? status : status === 200 ? 404 : 403;
      expect(response.status).toBe(expected);
      if (expected === 403) {
        expect(response.headers.get("content-type")).toBe("application/problem+json");
        expect(await response.json()).toMatchObject({
          code: "forbidden",
          requiredRole: "admin",
          detail: expect.stringContaining("admin"),
        });
      }
    }
  });

  it("refuses the role check before validating the request", async () => {
    const tenant = await createTenant();
    const response = await callApi(env, "/api/v1/users?limit=abc", {
      token: await tokenFor(tenant.id, ["viewer"]),
    });
    expect(response.status).toBe(403);
  });

  it("gives a token without any known role nothing, not even itself", async () => {
    const tenant = await createTenant();
    const token = await tokenFor(tenant.id, ["owner", "superuser"]);
    const me = await callApi(env, "/api/v1/me", { token });
    expect(me.status).toBe(403);
    expect(await me.json()).toMatchObject({ requiredRole: "viewer" });
    expect((await callApi(env, "/api/v1/users", { token })).status).toBe(403);
  });

  it("refuses a user an administrator disabled, though the token is valid", async () => {
    const tenant = await createTenant();
    const me = await meAs(tenant.id, ["admin"], { sub: "to-be-disabled" });
    await adminSql()`update users set status = 'disabled' where id = ${me.id}`;
    clearCallerCache();
    const response = await callApi(env, "/api/v1/me", {
      token: await tokenFor(tenant.id, ["admin"], { sub: "to-be-disabled" }),
    });
    expect(response.status).toBe(403);
  });
});

describe("per-isolate caches", () => {
  it("gives the same subject in two tenants two users, whichever tenant was cached first", async () => {
    const [a, b] = await Promise.all([createTenant(), createTenant()]);
    const inA = await meAs(a.id, ["admin"], { sub: "same-subject", email: "same@example.test" });
    const inB = await meAs(b.id, ["admin"], { sub: "same-subject", email: "same@example.test" });
    expect(inA.tenant).toEqual({ id: a.id, slug: a.slug });
    expect(inB.tenant).toEqual({ id: b.id, slug: b.slug });
    expect(inA.id).not.toBe(inB.id);
    const again = await meAs(a.id, ["admin"], { sub: "same-subject", email: "same@example.test" });
    expect(again.id).toBe(inA.id);
  });

  it("keys cached callers by tenant, subject, roles and email", () => {
    const identity: VerifiedIdentity = {
      tenantId: crypto.randomUUID(),
      subject: "s",
      roles: ["viewer"],
      email: undefined,
    };
    const keys = new Set([
      callerCacheKey(identity),
      callerCacheKey({ ...identity, tenantId: crypto.randomUUID() }),
      callerCacheKey({ ...identity, subject: "t" }),
      callerCacheKey({ ...identity, roles: ["admin"] }),
      callerCacheKey({ ...identity, email: "e@example.test" }),
    ]);
    expect(keys.size).toBe(5);
  });

  it("serves a suspended tenant from cache only until the TTL passes or the cache is cleared", async () => {
    const tenant = await createTenant();
    let roundTrips = 0;
    const db = createDatabase({
      url: testEnv.DATABASE_URL,
      timeoutMs: 5_000,
      onRoundTrip: () => roundTrips++,
    });
    const identity: VerifiedIdentity = {
      tenantId: tenant.id,
      subject: "cached",
      roles: ["viewer"],
      email: undefined,
    };
    const start = Date.now();
    // First sight: the read-only lookup, then the user row's insert.
    const first = await resolveCaller(db, identity, start);
    expect(roundTrips).toBe(2);
    await adminSql()`update tenants set status = 'suspended' where id = ${tenant.id}`;
    expect(await resolveCaller(db, identity, start + CALLER_CACHE_TTL_MS - 1)).toEqual(first);
    expect(roundTrips).toBe(2);
    await expect(resolveCaller(db, identity, start + CALLER_CACHE_TTL_MS)).rejects.toMatchObject({
      code: "tenant_inactive",
    });
    expect(roundTrips).toBe(3);

    await adminSql()`update tenants set status = 'active' where id = ${tenant.id}`;
    await resolveCaller(db, identity, start);
    await adminSql()`update tenants set status = 'suspended' where id = ${tenant.id}`;
    clearCallerCache();
    expect(callerCacheSize()).toBe(0);
    await expect(resolveCaller(db, identity, start)).rejects.toMatchObject({ code: "tenant_inactive" });
  });
});

describe("tenant fields in request bodies", () => {
  it("the reusable check passes against a strict body schema with the API's validation hook", async () => {
    // The users routes take no body; this stands in for any write route built the same way.
    const router = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
    router.onError(handleError);
    router.openapi(
      createRoute({
        method: "post",
        path: "/things",
        request: {
          body: { content: { "application/json": { schema: z.object({ name: z.string() }).strict() } } },
        },
        responses: { 201: { description: "created" } },
      }),
      (c) => c.json({ name: c.req.valid("json").name }, 201),
    );
    const send = async (body: Record<string, unknown>) =>
      router.request("/things", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    expect((await send({ name: "ok" })).status).toBe(201);
    await expectTenantFieldsRejected({
      validBody: { name: "ok" },
      foreignTenantId: crypto.randomUUID(),
      send,
    });
  });
});
