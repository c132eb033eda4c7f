// The tenant-safe edge cache of reads (docs/performance.md, "Edge cache"): route groups opt in with
// `app.use(path, edgeCache())` after authentication, the tenant rate limit and user provisioning (app.ts), and the
// Workers Cache API of the location serving the request keeps their 200 answers for a short TTL (not those whose
// route sends no-store). Why it cannot mix
// tenants or serve a writer stale data:
//
// - The key is built only from what the verified token and the tenant's object say: the verified tenant id, the
//   tenant's data generation, the caller's highest role, the path and the query with its parameters sorted. A
//   request without a verified principal (no token, a failed one, a public path) never reaches a lookup.
// - The generation comes with the tenant limiter's decision (one round trip every read already makes), and every
//   write of the tenant bumps it before its response leaves (bumpGenerationOnWrite; the queue consumer for
//   pipeline loads), so the writer's next read, and every read anywhere that starts after that response, looks up
//   a key no earlier answer was stored under. When the object cannot answer, there is no generation and the read
//   is served uncached (Cache-Status `fwd=bypass`), never from an entry that may be stale.
// - A failing cache (open, match, put) degrades to an uncached read with a warning log line.
//
// Clients still get the route's own `Cache-Control` (always private or no-store; response-headers.ts), an ETag on
// every cached read (the route's own, e.g. a property's version, or a SHA-256 of the body), 304 for a matching
// If-None-Match, and `Cache-Status` (RFC 9211) naming this cache. Hand-written: Hono's own cache middleware keys by
// URL only and stores the route's Cache-Control as-is, which is exactly what must not happen with tenant data.
import type { Context, MiddlewareHandler } from "hono";
import { createRateLimiter } from "../../durable-objects/rate-limiter/client.ts";
import type { AppEnv } from "../app-types.ts";
import { ROLES } from "../auth/roles.ts";
import type { Settings } from "../env.ts";
import { writeLog } from "../observability/log.ts";
import { tenantKey } from "../rate-limit-policies.ts";
import { whenAdmitted } from "./rate-limit.ts";

export const EDGE_CACHE_NAME = "tenant-reads";
/** Longest an entry is kept; also the bound on staleness when a write's generation bump could not be made. */
export const EDGE_CACHE_TTL_SECONDS = 30;

/** Headers of a route's answer that belong to this one response, never to a stored entry. */
const UNSTORED_HEADERS = ["set-cookie", "server-timing", "x-request-id", "ratelimit", "ratelimit-policy"];
/** Where a stored entry keeps the route's client-facing Cache-Control (its own says how long the cache keeps it). */
const ROUTE_CACHE_CONTROL = "x-route-cache-control";

export type CacheOutcome = "hit" | "miss" | "bypass";

export interface EdgeCacheOptions {
  /** The Cache API cache (caches.open); also the name in Cache-Status. */
  name?: string;
  ttlSeconds?: number;
  /** Request headers that change the answer (e.g. OData's `Prefer: odata.maxpagesize`): part of the key. */
  varyHeaders?: string[];
}

function warn(c: Context<AppEnv>, message: string, error: unknown): void {
  writeLog(c.var.settings.logLevel, "warn", message, {
    requestId: c.var.requestId,
    error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
  });
}

/** The query with its parameters sorted by name then value, so that their order never splits an entry. */
export function normalizedQuery(url: URL): string {
  const params = [...url.searchParams].sort(([a, av], [b, bv]) =>
    a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0,
  );
  return new URLSearchParams(params).toString();
}

/** The caller's most privileged role (responses may differ by role); "none" for a token without one. */
function highestRole(roles: readonly string[]): string {
  for (let index = ROLES.length - 1; index >= 0; index--) {
    const role = ROLES[index] as string;
    if (roles.includes(role)) return role;
  }
  return "none";
}

/** The entry's key: an internal URL that only a verified tenant, generation and role can produce. */
export function cacheKey(
  name: string,
  parts: { tenantId: string; generation: number; role: string; url: URL; vary?: string[] },
): string {
  const query = normalizedQuery(parts.url);
  const vary = parts.vary?.length ? `/${encodeURIComponent(JSON.stringify(parts.vary))}` : "";
  return `https://${name}.cache.internal/${encodeURIComponent(parts.tenantId)}/${parts.generation}/${parts.role}${vary}${parts.url.pathname}${query ? `?${query}` : ""}`;
}

/** Whether an If-None-Match value names `etag` (weak comparison, RFC 9110 section 13.1.2). */
export function noneMatch(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  if (ifNoneMatch.trim() === "*") return true;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, "");
  const wanted = opaque(etag);
  return ifNoneMatch.split(",").some((tag) => opaque(tag) === wanted);
}

async function bodyEtag(body: ArrayBuffer): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", body));
  let hex = "";
  for (let index = 0; index < 16; index++) hex += (digest[index] as number).toString(16).padStart(2, "0");
  return `"${hex}"`;
}

function cacheStatus(name: string, outcome: CacheOutcome, stored = false): string {
  if (outcome === "hit") return `${name}; hit`;
  if (outcome === "bypass") return `${name}; fwd=bypass`;
  return `${name}; fwd=uri-miss${stored ? "; stored" : ""}`;
}

/** The client's answer: 304 without a body when If-None-Match names the ETag, else the 200. */
function answer(c: Context<AppEnv>, body: ArrayBuffer, headers: Headers): Response {
  const etag = headers.get("etag") ?? "";
  if (noneMatch(c.req.header("if-none-match"), etag)) {
    headers.delete("content-type");
    headers.delete("content-length");
    return new Response(null, { status: 304, headers });
  }
  return new Response(body, { status: 200, headers });
}

export function edgeCache(options: EdgeCacheOptions = {}): MiddlewareHandler<AppEnv> {
  const name = options.name ?? EDGE_CACHE_NAME;
  const ttlSeconds = options.ttlSeconds ?? EDGE_CACHE_TTL_SECONDS;
  return async function edgeCacheMiddleware(c, next) {
    const auth = c.var.auth;
    if (c.req.method !== "GET" || !auth || !c.var.generation) return next();
    const event = c.var.event;
    const generation = await c.var.generation();
    let cache: Cache | undefined;
    let key: string | undefined;
    if (generation !== null) {
      key = cacheKey(name, {
        tenantId: auth.tenantId,
        generation,
        role: highestRole(auth.roles),
        url: new URL(c.req.url),
        vary: options.varyHeaders?.map((header) => c.req.header(header) ?? ""),
      });
      try {
        cache = await caches.open(name);
        const hit = await cache.match(key);
        if (hit) {
          event.cache = "hit";
          const headers = new Headers(hit.headers);
          headers.set("Cache-Control", headers.get(ROUTE_CACHE_CONTROL) ?? "private, no-cache");
          headers.delete(ROUTE_CACHE_CONTROL);
          headers.delete("age");
          headers.delete("expires");
          headers.set("Cache-Status", cacheStatus(name, "hit"));
          c.res = answer(c, await hit.arrayBuffer(), headers);
          return;
        }
      } catch (error) {
        warn(c, "edge cache lookup failed", error);
        cache = undefined;
      }
    }
    await next();
    // A route that says no-store (the changes feed, say) is never stored, here either.
    if (c.res.status !== 200 || /\bno-store\b/.test(c.res.headers.get("cache-control") ?? "")) {
      c.res.headers.set("Cache-Status", cacheStatus(name, cache ? "miss" : "bypass"));
      return;
    }
    const body = await c.res.arrayBuffer();
    const headers = new Headers(c.res.headers);
    if (!headers.has("etag")) headers.set("ETag", await bodyEtag(body));
    event.cache = cache ? "miss" : "bypass";
    headers.set("Cache-Status", cacheStatus(name, event.cache, cache !== undefined));
    if (cache && key) store(c, cache, key, body, headers, ttlSeconds);
    c.res = answer(c, body, headers);
  };
}

/** Stores the answer once the request is admitted (a refused read's answer is dropped, and so is its entry). */
function store(
  c: Context<AppEnv>,
  cache: Cache,
  key: string,
  body: ArrayBuffer,
  headers: Headers,
  ttlSeconds: number,
): void {
  const stored = new Headers(headers);
  for (const header of UNSTORED_HEADERS) stored.delete(header);
  stored.delete("cache-status");
  stored.set(ROUTE_CACHE_CONTROL, headers.get("cache-control") ?? "private, no-cache");
  stored.set("Cache-Control", `max-age=${ttlSeconds}`);
  const entry = new Response(body, { status: 200, headers: stored });
  c.executionCtx.waitUntil(
    whenAdmitted(c).then(
      () => cache.put(key, entry).catch((error: unknown) => warn(c, "edge cache store failed", error)),
      () => undefined,
    ),
  );
}

/** Paths whose unsafe-method requests change no tenant data a cached read returns. */
const NON_WRITING_PATHS: ReadonlySet<string> = new Set(["/api/v1/valuations"]);

/**
 * After the route of every authenticated request with an unsafe method: bumps the tenant's data generation before
 * the response leaves, so the writer's next read (and every read that starts after this response) misses every
 * entry stored before the write. A bump that fails is retried once after the response; if that fails too, reads
 * elsewhere may see entries from before the write for at most EDGE_CACHE_TTL_SECONDS (logged as a warning).
 */
export function bumpGenerationOnWrite(): MiddlewareHandler<AppEnv> {
  return async function bumpGenerationMiddleware(c, next) {
    await next();
    const method = c.req.method;
    const auth = c.var.auth;
    if (method === "GET" || method === "HEAD" || method === "OPTIONS" || !auth) return;
    if (NON_WRITING_PATHS.has(c.req.path)) return;
    const limiter = createRateLimiter(c.env.RATE_LIMITER, { timeoutMs: c.var.settings.rateLimits.timeoutMs });
    const key = tenantKey(auth.tenantId);
    try {
      await limiter.bump(key);
    } catch (error) {
      warn(c, "generation not bumped; retrying after the response", error);
      c.executionCtx.waitUntil(
        limiter
          .bump(key)
          .catch((retry: unknown) =>
            warn(
              c,
              `generation not bumped; cached reads may be stale up to ${EDGE_CACHE_TTL_SECONDS} s`,
              retry,
            ),
          ),
      );
    }
  };
}

/**
 * Bumps the data generation of each tenant whose data a job outside the request path changed (the queue consumer's
 * pipeline loads), after those writes committed. Failures are logged; those tenants' cached reads may then be
 * stale for at most EDGE_CACHE_TTL_SECONDS.
 */
export async function bumpTenantGenerations(
  env: Env,
  settings: Pick<Settings, "logLevel" | "rateLimits">,
  tenantIds: Iterable<string>,
): Promise<void> {
  const limiter = createRateLimiter(env.RATE_LIMITER, { timeoutMs: settings.rateLimits.timeoutMs });
  await Promise.all(
    [...new Set(tenantIds)].map((tenantId) =>
      limiter.bump(tenantKey(tenantId)).catch((error: unknown) =>
        writeLog(settings.logLevel, "warn", "generation not bumped", {
          tenantId,
          staleForAtMostSeconds: EDGE_CACHE_TTL_SECONDS,
          error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
        }),
      ),
    ),
  );
}
