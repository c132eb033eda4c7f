import { beforeAll, describe, expect, it } from "vitest";
import { scopedIdempotencyKey } from "../../../src/services/property-idempotency.ts";
import { adminSql, createTenant, type TestTenant } from "../../helpers/tenants.ts";
import { sampleProperty, send, warmUp } from "./helpers.ts";

beforeAll(warmUp, 30_000);

async function count(tenantId: string): Promise<number> {
  const rows = await adminSql()`select count(*)::int as n from properties where tenant_id = ${tenantId}`;
  return Number(rows[0]?.n);
}

/** The key as stored for the tenant's editor (the user `send` acts as), after that user's first request. */
async function storedKey(tenant: TestTenant, key: string): Promise<string> {
  await send(tenant, "GET", "?limit=1");
  const [user] = await adminSql()`select id from users where tenant_id = ${tenant.id}
    and subject = ${`user-editor-${tenant.slug}`}`;
  return scopedIdempotencyKey(String(user?.id), key);
}

describe("POST /api/v1/properties with Idempotency-Key", () => {
  it("replays the original status and body with Idempotent-Replayed and creates nothing more", async () => {
    const tenant = await createTenant();
    const body = sampleProperty();
    const key = crypto.randomUUID();
    const first = await send(tenant, "POST", "", { body, headers: { "idempotency-key": key } });
    expect(first.status).toBe(201);
    expect(first.headers.get("idempotent-replayed")).toBeNull();
    const original = await first.json();

    // Same request with the members in another order is the same request.
    const reordered = Object.fromEntries(Object.entries(body).reverse());
    const replay = await send(tenant, "POST", "", { body: reordered, headers: { "idempotency-key": key } });
    expect(replay.status).toBe(201);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect(replay.headers.get("location")).toBe(first.headers.get("location"));
    expect(await replay.json()).toEqual(original);
    expect(await count(tenant.id)).toBe(1);
  });

  it("replays the original body even after the property changed", async () => {
    const tenant = await createTenant();
    const body = sampleProperty();
    const first = await send(tenant, "POST", "", { body, headers: { "idempotency-key": '"quoted-key-1"' } });
    const original = (await first.json()) as { id: string };
    await send(tenant, "PATCH", `/${original.id}`, { body: { price: 1 }, headers: { "if-match": '"1"' } });
    const replay = await send(tenant, "POST", "", { body, headers: { "idempotency-key": "quoted-key-1" } });
    expect(await replay.json()).toEqual(original);
  });

  it("answers 422 idempotency_key_reused for the same key with a different body", async () => {
    const tenant = await createTenant();
    const key = crypto.randomUUID();
    await send(tenant, "POST", "", { body: sampleProperty(), headers: { "idempotency-key": key } });
    const reused = await send(tenant, "POST", "", {
      body: sampleProperty(),
      headers: { "idempotency-key": key },
    });
    expect(reused.status).toBe(422);
    expect(await reused.json()).toMatchObject({ code: "idempotency_key_reused" });
    expect(await count(tenant.id)).toBe(1);
  });

  it("scopes keys per tenant", async () => {
    const [tenantA, tenantB] = await Promise.all([createTenant(), createTenant()]);
    const key = crypto.randomUUID();
    const body = sampleProperty();
    expect((await send(tenantA, "POST", "", { body, headers: { "idempotency-key": key } })).status).toBe(201);
    const other = await send(tenantB, "POST", "", { body, headers: { "idempotency-key": key } });
    expect(other.status).toBe(201);
    expect(other.headers.get("idempotent-replayed")).toBeNull();
    expect(await count(tenantB.id)).toBe(1);
  });

  it("scopes keys to the caller: another user of the tenant never gets the first user's resource", async () => {
    const tenant = await createTenant();
    const key = crypto.randomUUID();
    const body = sampleProperty();
    const mine = await send(tenant, "POST", "", { body, headers: { "idempotency-key": key } });
    expect(mine.status).toBe(201);
    const colleague = {
      ...(await tenant.headers("editor", { subject: `colleague-${crypto.randomUUID()}` })),
    };
    // The same key and body from a colleague is a request of its own: here, a second property at that address.
    const same = await send(tenant, "POST", "", { body, headers: { ...colleague, "idempotency-key": key } });
    expect(same.status).toBe(409);
    expect(same.headers.get("idempotent-replayed")).toBeNull();
    expect(await same.json()).toMatchObject({ code: "duplicate_address" });
    // The same key with another body is not "reused" for the colleague: it creates their property.
    const other = await send(tenant, "POST", "", {
      body: sampleProperty(),
      headers: { ...colleague, "idempotency-key": key },
    });
    expect(other.status).toBe(201);
    expect(other.headers.get("idempotent-replayed")).toBeNull();
    expect(await count(tenant.id)).toBe(2);
    // And each user's replay still answers that user's own result.
    const replay = await send(tenant, "POST", "", { body, headers: { "idempotency-key": key } });
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect(await replay.json()).toEqual(await mine.json());
  });

  it("replays the original 201 and body after the property was deleted, and creates nothing", async () => {
    const tenant = await createTenant();
    const key = crypto.randomUUID();
    const body = sampleProperty();
    const first = await send(tenant, "POST", "", { body, headers: { "idempotency-key": key } });
    const original = (await first.json()) as { id: string };
    expect((await send(tenant, "DELETE", `/${original.id}`, { headers: { "if-match": '"1"' } })).status).toBe(
      204,
    );
    const replay = await send(tenant, "POST", "", { body, headers: { "idempotency-key": key } });
    expect(replay.status).toBe(201);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect(await replay.json()).toEqual(original);
    expect((await send(tenant, "GET", `/${original.id}`)).status).toBe(404);
    expect(await count(tenant.id)).toBe(1);
  });

  it("answers 409 while the first request's result is not visible yet (in flight)", async () => {
    const tenant = await createTenant();
    const key = crypto.randomUUID();
    // A key row whose result is not (yet) visible: what a concurrent request sees while the first is running.
    await adminSql()`insert into idempotency_keys (tenant_id, key, request_hash, property_id, response_status, expires_at)
      values (${tenant.id}, ${await storedKey(tenant, key)}, ${"0".repeat(64)}, ${crypto.randomUUID()}, 201, now() + interval '1 hour')`;
    const response = await send(tenant, "POST", "", {
      body: sampleProperty(),
      headers: { "idempotency-key": key },
    });
    expect(response.status).toBe(409);
    expect(await response.json()).toMatchObject({ code: "idempotency_conflict" });
    expect(await count(tenant.id)).toBe(0);
  });

  it("serves concurrent duplicates one creation: the rest replay or are told to retry", async () => {
    const tenant = await createTenant();
    const key = crypto.randomUUID();
    const body = sampleProperty();
    const responses = await Promise.all(
      Array.from({ length: 5 }, () =>
        send(tenant, "POST", "", { body, headers: { "idempotency-key": key } }),
      ),
    );
    const statuses = responses.map((response) => response.status);
    expect(statuses.every((status) => status === 201 || status === 409)).toBe(true);
    expect(
      responses.filter((response) => response.status === 201 && !response.headers.get("idempotent-replayed")),
    ).toHaveLength(1);
    expect(await count(tenant.id)).toBe(1);
  });

  it("reclaims an expired key and does not store a failed request's key", async () => {
    const tenant = await createTenant();
    const key = crypto.randomUUID();
    const first = await send(tenant, "POST", "", {
      body: sampleProperty(),
      headers: { "idempotency-key": key },
    });
    expect(first.status).toBe(201);
    await adminSql()`update idempotency_keys set expires_at = now() - interval '1 second'
      where tenant_id = ${tenant.id} and key = ${await storedKey(tenant, key)}`;
    const fresh = await send(tenant, "POST", "", {
      body: sampleProperty(),
      headers: { "idempotency-key": key },
    });
    expect(fresh.status).toBe(201);
    expect(fresh.headers.get("idempotent-replayed")).toBeNull();

    const duplicateKey = crypto.randomUUID();
    const body = sampleProperty({ address: "8 Already Here" });
    await send(tenant, "POST", "", { body });
    const duplicate = await send(tenant, "POST", "", { body, headers: { "idempotency-key": duplicateKey } });
    expect(duplicate.status).toBe(409);
    const stored = await adminSql()`select 1 from idempotency_keys
      where tenant_id = ${tenant.id} and key = ${await storedKey(tenant, duplicateKey)}`;
    expect(stored).toHaveLength(0);
  });

  it("answers 400 for a key that is too long or not printable ASCII", async () => {
    const tenant = await createTenant();
    for (const key of ["k".repeat(256), "with space"]) {
      const response = await send(tenant, "POST", "", {
        body: sampleProperty(),
        headers: { "idempotency-key": key },
      });
      expect(response.status).toBe(400);
    }
  });
});
