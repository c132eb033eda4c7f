import { describe, expect, it } from "vitest";
import { callApi, createControlledIssuer, generateTestKey } from "../helpers/auth.ts";
import { createTenant } from "../helpers/tenants.ts";

async function setup() {
  const key = await generateTestKey();
  const issuer = await createControlledIssuer([key]);
  const tenant = await createTenant();
  const token = (roles: string[], claims: Record<string, unknown> = {}) =>
    issuer.token(key, tenant.id, { realm_access: { roles }, ...claims });
  return { env: issuer.env(), tenant, token };
}

describe("GET /api/v1/me", () => {
  it("answers the caller's user id, email, tenant and roles", async () => {
    const { env, tenant, token } = await setup();
    const response = await callApi(env, "/api/v1/me", {
      token: await token(["editor", "viewer"], { sub: "kc-123", email: "ana@example.test" }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("private, no-store");
    const body = await response.json<Record<string, unknown>>();
    expect(body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      subject: "kc-123",
      email: "ana@example.test",
      roles: ["editor", "viewer"],
      tenant: { id: tenant.id, slug: tenant.slug },
    });
    const again = await callApi(env, "/api/v1/me", { token: await token(["viewer"], { sub: "kc-123" }) });
    expect((await again.json<{ id: string }>()).id).toBe(body.id);
  });
});

describe("GET /api/v1/users", () => {
  it("pages through the tenant's users with a keyset cursor", async () => {
    const { env, token } = await setup();
    for (let i = 0; i < 4; i++) await callApi(env, "/api/v1/me", { token: await token(["viewer"]) });
    const admin = await token(["admin"]);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor ? `limit=2&cursor=${cursor}` : "limit=2";
      const response = await callApi(env, `/api/v1/users?${query}`, { token: admin });
      expect(response.status).toBe(200);
      const page = await response.json<{ items: { id: string }[]; nextCursor: string | null }>();
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((user) => user.id));
      cursor = page.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(seen).toHaveLength(5);
    expect(new Set(seen).size).toBe(5);
    expect([...seen].sort()).toEqual(seen);
  });

  it.each([
    "limit=0",
    "limit=101",
    "limit=1e9",
    "limit=-1",
    "limit=abc",
    "limit=",
    "cursor=abc",
    "cursor=1' or '1'='1",
    "sort=id",
  ])("answers 400 problem+json for %s", async (query) => {
    const { env, token } = await setup();
    const response = await callApi(env, `/api/v1/users?${query}`, { token: await token(["admin"]) });
    expect(response.status).toBe(400);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    const body = await response.json<{ code: string; errors: unknown[] }>();
    expect(body.code).toBe("bad_request");
    expect(body.errors.length).toBeGreaterThan(0);
  });

  it("answers 400 for a user id that is not a UUID and 404 for an unknown one", async () => {
    const { env, token } = await setup();
    const admin = await token(["admin"]);
    expect((await callApi(env, "/api/v1/users/not-a-uuid", { token: admin })).status).toBe(400);
    expect((await callApi(env, `/api/v1/users/${crypto.randomUUID()}`, { token: admin })).status).toBe(404);
  });
});

describe("PATCH /api/v1/users/{id}", () => {
  const patch = (env: Env, id: string, token: string, body: unknown) =>
    callApi(env, `/api/v1/users/${id}`, {
      method: "PATCH",
      token,
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });

  it("deactivates a user, whose tokens are refused at once, and reactivates them", async () => {
    const { env, token } = await setup();
    const member = await token(["editor"], { sub: `member-${crypto.randomUUID()}` });
    const me = await (await callApi(env, "/api/v1/me", { token: member })).json<{ id: string }>();
    const admin = await token(["admin"], { sub: `admin-${crypto.randomUUID()}` });

    const disabled = await patch(env, me.id, admin, { status: "disabled" });
    expect(disabled.status).toBe(200);
    expect(disabled.headers.get("cache-control")).toBe("private, no-store");
    expect(await disabled.json()).toMatchObject({ id: me.id, status: "disabled" });
    const refused = await callApi(env, "/api/v1/properties?limit=1", { token: member });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({
      code: "forbidden",
      detail: "This user is disabled in this tenant.",
    });
    const listed = await (await callApi(env, `/api/v1/users/${me.id}`, { token: admin })).json();
    expect(listed).toMatchObject({ status: "disabled" });

    expect((await patch(env, me.id, admin, { status: "active" })).status).toBe(200);
    expect((await callApi(env, "/api/v1/properties?limit=1", { token: member })).status).toBe(200);
  });

  it("never reaches another tenant's user, and an admin cannot deactivate themselves", async () => {
    const a = await setup();
    const b = await setup();
    const memberOfA = await a.token(["viewer"], { sub: `a-${crypto.randomUUID()}` });
    const idInA = (await (await callApi(a.env, "/api/v1/me", { token: memberOfA })).json<{ id: string }>())
      .id;
    const adminOfB = await b.token(["admin"]);
    expect((await patch(b.env, idInA, adminOfB, { status: "disabled" })).status).toBe(404);
    expect((await callApi(a.env, "/api/v1/me", { token: memberOfA })).status).toBe(200);

    const adminOfA = await a.token(["admin"], { sub: `a-admin-${crypto.randomUUID()}` });
    const self = (await (await callApi(a.env, "/api/v1/me", { token: adminOfA })).json<{ id: string }>()).id;
    const selfDisable = await patch(a.env, self, adminOfA, { status: "disabled" });
    expect(selfDisable.status).toBe(409);
    expect((await callApi(a.env, "/api/v1/me", { token: adminOfA })).status).toBe(200);
  });

  it("is for admins only and takes exactly a status", async () => {
    const { env, token } = await setup();
    const editor = await token(["editor"]);
    const id = (await (await callApi(env, "/api/v1/me", { token: editor })).json<{ id: string }>()).id;
    expect((await patch(env, id, editor, { status: "active" })).status).toBe(403);
    const admin = await token(["admin"]);
    expect((await patch(env, id, admin, { status: "gone" })).status).toBe(422);
    expect((await patch(env, id, admin, { status: "active", roles: ["admin"] })).status).toBe(422);
    expect((await patch(env, crypto.randomUUID(), admin, { status: "active" })).status).toBe(404);
    const unchanged = await patch(env, id, admin, {});
    expect(unchanged.status).toBe(200);
    expect(await unchanged.json()).toMatchObject({ id, status: "active" });
  });
});

describe("OpenAPI", () => {
  it("documents the users operations with bearer authentication", async () => {
    const { env } = await setup();
    const document = await (await callApi(env, "/openapi.json")).json<{
      paths: Record<string, Record<string, { security?: unknown }>>;
      components: { securitySchemes: Record<string, unknown> };
    }>();
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining(["/api/v1/me", "/api/v1/users", "/api/v1/users/{id}"]),
    );
    expect(document.paths["/api/v1/me"]?.get?.security).toEqual([{ bearerAuth: [] }]);
    expect(document.components.securitySchemes.bearerAuth).toMatchObject({ type: "http", scheme: "bearer" });
  });
});
