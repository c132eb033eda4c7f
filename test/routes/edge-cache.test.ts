// The tenant-safe edge cache (src/middleware/edge-cache.ts) through the real app: real token verification, the real
// rate-limiter Durable Object (which keeps each tenant's data generation), the Workers Cache API of workerd and
// the database. Each request waits for its after-response work, so an entry is stored before the next request.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import fc from "fast-check";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createApp } from "../../src/app.ts";
import { EDGE_CACHE_NAME } from "../../src/middleware/edge-cache.ts";
import { testEnv } from "../helpers/env.ts";
import { envWith } from "../helpers/rate-limit.ts";
import { createTenant, mintToken, type TestTenant } from "../helpers/tenants.ts";
import { sampleProperty } from "./properties/helpers.ts";

const app = createApp();
const HIT = `${EDGE_CACHE_NAME}; hit`;
const STORED = `${EDGE_CACHE_NAME}; fwd=uri-miss; stored`;
const BYPASS = `${EDGE_CACHE_NAME}; fwd=bypass`;

type Role = "viewer" | "editor" | "admin";

async function call(
  tenant: TestTenant | null,
  method: string,
  path: string,
  options: {
    role?: Role;
    body?: unknown;
    headers?: Record<string, string>;
    env?: Env;
    subject?: string;
    /** Where `path` starts: the JSON API by default. */
    root?: string;
  } = {},
): Promise<Response> {
  const headers: Record<string, string> = { ...options.headers };
  if (tenant) {
    const role = options.role ?? "editor";
    const token = options.subject
      ? await mintToken({ tenantId: tenant.id, subject: options.subject, roles: [role] })
      : await tenant.token(role);
    headers.authorization = `Bearer ${token}`;
  }
  if (options.body !== undefined) headers["content-type"] = "application/json";
  const ctx = createExecutionContext();
  const response = await app.fetch(
    new Request(`http://api.test${options.root ?? "/api/v1"}${path}`, {
      method,
      headers,
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    }),
    options.env ?? testEnv,
    ctx,
  );
  const body = await response.arrayBuffer();
  await waitOnExecutionContext(ctx);
  return new Response(response.status === 304 ? null : body, response);
}

async function create(tenant: TestTenant): Promise<{ id: string; etag: string }> {
  const response = await call(tenant, "POST", "/properties", { body: sampleProperty() });
  expect(response.status).toBe(201);
  return { id: ((await response.json()) as { id: string }).id, etag: response.headers.get("etag") ?? "" };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("edge cache of tenant reads", { timeout: 60_000 }, () => {
  it("answers a repeat read from the cache: same body, no database round trip, ETag, 304, Cache-Status", async () => {
    const tenant = await createTenant();
    const { id } = await create(tenant);

    const first = await call(tenant, "GET", `/properties/${id}`, { role: "viewer" });
    expect(first.status).toBe(200);
    expect(first.headers.get("cache-status")).toBe(STORED);
    const second = await call(tenant, "GET", `/properties/${id}`, { role: "viewer" });
    expect(second.headers.get("cache-status")).toBe(HIT);
    expect(await second.text()).toBe(await first.text());
    expect(second.headers.get("etag")).toBe(first.headers.get("etag"));
    expect(second.headers.get("cache-control")).toBe("private, no-cache");
    expect(second.headers.get("server-timing")).toContain('db;dur=0;desc="0 round trips"');
    expect(second.headers.get("server-timing")).toContain('cache;desc="hit"');
    expect(second.headers.get("ratelimit")).toMatch(/^"tenant";r=\d+;t=\d+$/);

    const notModified = await call(tenant, "GET", `/properties/${id}`, {
      role: "viewer",
      headers: { "if-none-match": first.headers.get("etag") ?? "" },
    });
    expect(notModified.status).toBe(304);
    expect(await notModified.text()).toBe("");
    expect(notModified.headers.get("etag")).toBe(first.headers.get("etag"));
    expect(notModified.headers.get("cache-status")).toBe(HIT);
  });

  it("keys list pages by the normalized query, with a body ETag and 304 on a miss too", async () => {
    const tenant = await createTenant();
    await create(tenant);
    const first = await call(tenant, "GET", "/properties?limit=5&sort=-price");
    expect(first.headers.get("cache-status")).toBe(STORED);
    const etag = first.headers.get("etag") ?? "";
    expect(etag).toMatch(/^"[0-9a-f]{32}"$/);
    const reordered = await call(tenant, "GET", "/properties?sort=-price&limit=5");
    expect(reordered.headers.get("cache-status")).toBe(HIT);
    expect(reordered.headers.get("etag")).toBe(etag);
    // Another query is another entry; its miss still answers 304 for a matching validator.
    const other = await call(tenant, "GET", "/properties?limit=6&sort=-price", {
      headers: { "if-none-match": etag },
    });
    expect(other.headers.get("cache-status")).toBe(STORED);
    expect(other.status).toBe(304);
  });

  it("serves the writer, and any other client, the write at once (read-your-writes, bound 0 after the response)", async () => {
    const tenant = await createTenant();
    const { id, etag } = await create(tenant);
    const path = `/properties/${id}`;
    // Another client of the tenant fills the cache.
    expect((await call(tenant, "GET", path, { subject: "other-client" })).headers.get("cache-status")).toBe(
      STORED,
    );
    expect((await call(tenant, "GET", path, { subject: "other-client" })).headers.get("cache-status")).toBe(
      HIT,
    );

    const patched = await call(tenant, "PATCH", path, {
      body: { price: 812_000 },
      headers: { "if-match": etag },
    });
    expect(patched.status).toBe(200);
    // The writer's next read misses the entry from before the write; the other client then gets the new one.
    const writers = await call(tenant, "GET", path);
    expect(writers.headers.get("cache-status")).toBe(STORED);
    expect(((await writers.json()) as { price: number }).price).toBe(812_000);
    const others = await call(tenant, "GET", path, { subject: "other-client" });
    expect(others.headers.get("cache-status")).toBe(HIT);
    expect(((await others.json()) as { price: number }).price).toBe(812_000);

    // A deleted row is never served from the cache.
    expect((await call(tenant, "GET", path)).headers.get("cache-status")).toBe(HIT);
    const deleted = await call(tenant, "DELETE", path, {
      headers: { "if-match": patched.headers.get("etag") ?? "" },
    });
    expect(deleted.status).toBe(204);
    expect((await call(tenant, "GET", path)).status).toBe(404);
    expect((await call(tenant, "GET", path, { subject: "other-client" })).status).toBe(404);
  });

  it("keeps roles apart: an entry stored for one role never answers another", async () => {
    const tenant = await createTenant();
    const { id } = await create(tenant);
    const path = `/properties/${id}/comps`;
    expect((await call(tenant, "GET", path, { role: "admin" })).headers.get("cache-status")).toBe(STORED);
    expect((await call(tenant, "GET", path, { role: "admin" })).headers.get("cache-status")).toBe(HIT);
    expect((await call(tenant, "GET", path, { role: "viewer" })).headers.get("cache-status")).toBe(STORED);
  });

  it("never opens the cache for a request whose token fails verification, or for a public route", async () => {
    const tenant = await createTenant();
    const { id } = await create(tenant);
    const open = vi.spyOn(caches, "open");
    const forged = `${(await tenant.token("viewer")).slice(0, -4)}AAAA`;
    const refused = await call(null, "GET", `/properties/${id}`, {
      headers: { authorization: `Bearer ${forged}` },
    });
    expect(refused.status).toBe(401);
    expect((await call(null, "GET", "/health")).status).toBe(200);
    expect(open).not.toHaveBeenCalled();
    expect((await call(tenant, "GET", `/properties/${id}`)).status).toBe(200);
    expect(open).toHaveBeenCalledWith(EDGE_CACHE_NAME);
  });

  it("degrades to an uncached read when the cache fails", async () => {
    const tenant = await createTenant();
    const { id } = await create(tenant);
    vi.spyOn(caches, "open").mockRejectedValue(new Error("cache unavailable"));
    const read = await call(tenant, "GET", `/properties/${id}`);
    expect(read.status).toBe(200);
    expect(read.headers.get("cache-status")).toBe(BYPASS);
    expect(read.headers.get("etag")).toBeTruthy();
  });

  it("serves uncached, never stale, when the tenant's object cannot give the generation", async () => {
    const tenant = await createTenant();
    const { id } = await create(tenant);
    const broken = {
      getByName: () => ({
        consume: () => Promise.reject(new Error("object reset")),
        peek: () => Promise.reject(new Error("object reset")),
        generation: () => Promise.reject(new Error("object reset")),
        bump: () => Promise.reject(new Error("object reset")),
      }),
    } as unknown as Env["RATE_LIMITER"];
    const env = envWith({ RATE_LIMITER: broken, RATE_LIMIT_AUTH_FAILURES: "off" });
    for (let attempt = 0; attempt < 2; attempt++) {
      const read = await call(tenant, "GET", `/properties/${id}`, { env });
      expect(read.status).toBe(200);
      expect(read.headers.get("cache-status")).toBe(BYPASS);
    }
  });

  it("answers a write whose generation bump fails, retries the bump after the response and logs both", async () => {
    const tenant = await createTenant();
    const warnings: string[] = [];
    vi.spyOn(console, "warn").mockImplementation((line: unknown) => {
      warnings.push(String(line));
    });
    let bumps = 0;
    const flaky = {
      getByName: (key: string) => {
        const real = testEnv.RATE_LIMITER.getByName(key);
        return {
          consume: (request: never) => real.consume(request),
          peek: (request: never) => real.peek(request),
          generation: () => real.generation(),
          bump: () => {
            bumps++;
            return Promise.reject(new Error("object reset"));
          },
        };
      },
    } as unknown as Env["RATE_LIMITER"];
    const created = await call(tenant, "POST", "/properties", {
      body: sampleProperty(),
      env: envWith({ RATE_LIMITER: flaky }),
    });
    expect(created.status).toBe(201);
    expect(bumps).toBe(2);
    expect(warnings.some((line) => line.includes("generation not bumped; retrying after the response"))).toBe(
      true,
    );
    expect(warnings.some((line) => line.includes("cached reads may be stale up to 30 s"))).toBe(true);
  });

  it("keys RESO reads by the Prefer header too: two Prefer values never share an entry", async () => {
    const tenant = await createTenant();
    for (let index = 0; index < 3; index++) await create(tenant);
    const query = async (prefer?: string) => {
      const response = await call(tenant, "GET", "/Property?$top=3&$orderby=ListingKey", {
        role: "viewer",
        root: "/reso/odata",
        headers: prefer === undefined ? {} : { prefer },
      });
      expect(response.status).toBe(200);
      const body = (await response.json()) as { value: unknown[] };
      return { status: response.headers.get("cache-status"), rows: body.value.length, body };
    };
    const one = await query("odata.maxpagesize=1");
    expect(one).toMatchObject({ status: STORED, rows: 1 });
    // Same path and query, another Prefer: its own entry, never the page size 1 answer.
    const two = await query("odata.maxpagesize=2");
    expect(two).toMatchObject({ status: STORED, rows: 2 });
    const none = await query();
    expect(none).toMatchObject({ status: STORED, rows: 3 });
    // Each is then a hit of its own entry.
    expect(await query("odata.maxpagesize=1")).toEqual({ ...one, status: HIT });
    expect(await query("odata.maxpagesize=2")).toEqual({ ...two, status: HIT });
    expect(await query()).toEqual({ ...none, status: HIT });
  });

  it("asks the object for the generation when the tenant's rate limit is off", async () => {
    const tenant = await createTenant();
    const { id } = await create(tenant);
    const env = envWith({ RATE_LIMIT_TENANT: "off" });
    expect((await call(tenant, "GET", `/properties/${id}`, { env })).headers.get("cache-status")).toBe(
      STORED,
    );
    expect((await call(tenant, "GET", `/properties/${id}`, { env })).headers.get("cache-status")).toBe(HIT);
  });
});

// Random interleavings of two tenants' writes and reads of identical paths and queries, checked against a model
// of each tenant's properties: no answer ever shows the other tenant's data, and none is older than the last write.
type Command =
  | { kind: "create"; tenant: 0 | 1 }
  | { kind: "patch" | "delete" | "get"; tenant: 0 | 1; pick: number; ofTenant: 0 | 1 }
  | { kind: "list"; tenant: 0 | 1 };

const tenantIndex = fc.constantFrom<0 | 1>(0, 1);
const command: fc.Arbitrary<Command> = fc.oneof(
  fc.record({ kind: fc.constant("create" as const), tenant: tenantIndex }),
  fc.record({
    kind: fc.constantFrom("patch" as const, "delete" as const, "get" as const, "get" as const),
    tenant: tenantIndex,
    pick: fc.nat(),
    ofTenant: tenantIndex,
  }),
  fc.record({ kind: fc.constant("list" as const), tenant: tenantIndex }),
  fc.record({ kind: fc.constant("list" as const), tenant: tenantIndex }),
);

describe("edge cache against a model", () => {
  it("never answers across tenants and never stale after a write", { timeout: 600_000 }, async () => {
    let hits = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 4, maxLength: 14 }), async (commands) => {
        const tenants = [await createTenant(), await createTenant()] as const;
        const model = [new Map<string, { price: number; etag: string }>(), new Map()] as const;
        const deleted = new Set<string>();
        const check = (response: Response) => {
          if (response.headers.get("cache-status") === HIT) hits++;
        };
        for (const step of commands) {
          const tenant = tenants[step.tenant];
          const own = model[step.tenant];
          if (step.kind === "create") {
            const created = await create(tenant);
            own.set(created.id, { price: 750_000, etag: created.etag });
            continue;
          }
          if (step.kind === "list") {
            const response = await call(tenant, "GET", "/properties?limit=100&sort=-price");
            check(response);
            const body = (await response.json()) as { items: { id: string; price: number }[] };
            expect(new Map(body.items.map((row) => [row.id, row.price]))).toEqual(
              new Map([...own].map(([id, row]) => [id, row.price])),
            );
            continue;
          }
          const ids = [...model[step.ofTenant].keys(), ...deleted];
          const id = ids.length ? (ids[step.pick % ids.length] as string) : crypto.randomUUID();
          const mine = own.get(id);
          if (step.kind === "get") {
            const response = await call(tenant, "GET", `/properties/${id}`, { role: "viewer" });
            check(response);
            if (!mine) {
              expect(response.status).toBe(404);
              continue;
            }
            expect(response.status).toBe(200);
            expect(((await response.json()) as { price: number }).price).toBe(mine.price);
          } else if (step.kind === "patch") {
            const price = mine ? mine.price + 1_000 : 1;
            const response = await call(tenant, "PATCH", `/properties/${id}`, {
              body: { price },
              headers: { "if-match": mine?.etag ?? '"1"' },
            });
            expect(response.status).toBe(mine ? 200 : 404);
            if (mine) own.set(id, { price, etag: response.headers.get("etag") ?? "" });
          } else {
            const response = await call(tenant, "DELETE", `/properties/${id}`, {
              headers: { "if-match": mine?.etag ?? '"1"' },
            });
            expect(response.status).toBe(mine ? 204 : 404);
            if (mine) {
              own.delete(id);
              deleted.add(id);
            }
          }
        }
      }),
      { numRuns: 12 },
    );
    // The model test means something only if reads were actually served from the cache.
    expect(hits).toBeGreaterThan(0);
  });
});
