// Exact per-IP and per-tenant rate limits (one Durable Object per key; durable-objects/rate-limiter/).
// app.ts runs ipRateLimit before token verification and tenantRateLimit after it. The response fields follow
// draft-ietf-httpapi-ratelimit-headers-10: `RateLimit-Policy: "tenant";q=1000;w=60` and
// `RateLimit: "tenant";r=0;t=37`, where `t` is the seconds until more quota is made available (the sliding-window
// wording of the working group's issue #149); on a 429 it equals Retry-After. docs/rate-limiting.md has the rest.
import type { MiddlewareHandler } from "hono";
import type { RateLimitDecision, RateLimitPolicy } from "../../durable-objects/rate-limiter/algorithm.ts";
import { createRateLimiter, RateLimiterUnavailableError } from "../../durable-objects/rate-limiter/client.ts";
import { ApiError } from "../errors.ts";
import { writeLog } from "../observability/log.ts";
import { READ_COST, requestCost, tenantPolicyFor } from "../rate-limit-policies.ts";
import { clientAddressKey } from "./client-address.ts";
import type { RequestContextVariables } from "./request-context.ts";

export type RateLimitVariables = {
  /** The client part of the per-IP keys: an IPv4 address, an IPv6 /64, "local" or "unparsed". */
  clientAddress: string;
  /**
   * Settles once every limiter decision of this request is known: resolves when all admitted it, rejects when one
   * refused it or failed closed. Unset while none is outstanding (whenAdmitted).
   */
  admission: Promise<void>;
};

/** What tenantRateLimit needs from the authenticated principal that auth puts on the context. */
export interface RateLimitedPrincipal {
  tenantId: string;
  plan: string;
}

export type PolicyName = "anon" | "auth-failures" | "tenant";

/**
 * What happens when the limiter cannot answer (docs/rate-limiting.md, "Faults"). Open: the request goes on
 * unlimited, with a warning log line and no RateLimit fields. Closed: 503 with Retry-After. An object that
 * reports itself overloaded is refused under every policy: one object serves one key, so it is that key's own
 * traffic that overloads it.
 */
export const FAILURE_MODES: Record<PolicyName, "open" | "closed"> = {
  anon: "open",
  "auth-failures": "closed",
  tenant: "open",
};

export const LIMITER_UNAVAILABLE_RETRY_AFTER_SECONDS = 5;

type IpRateLimitEnv = { Bindings: Env; Variables: RequestContextVariables & RateLimitVariables };
type TenantRateLimitEnv = {
  Bindings: Env;
  Variables: RequestContextVariables & Partial<RateLimitVariables> & { principal?: RateLimitedPrincipal };
};
/** The parts of a request's context the limiters use; both middleware contexts provide them. */
interface LimitedContext {
  env: Env;
  req: { method: string };
  res: Response;
  var: Pick<RequestContextVariables, "requestId" | "settings" | "event"> & { admission?: Promise<void> };
  set(key: "admission", value: Promise<void>): void;
}

/**
 * Resolves once the request is admitted by every limiter that decided it, at once when no decision is outstanding.
 * Work with effects that a read may do (a user row, a log row) waits for it: a read may run alongside its decision
 * (below), and a refused request must have written nothing.
 */
export function whenAdmitted(c: { var: { admission?: Promise<void> } }): Promise<void> {
  return c.var.admission ?? Promise.resolve();
}

/** The RateLimit-Policy and RateLimit field values for one policy's decision. */
export function rateLimitFields(policy: PolicyName, decision: RateLimitDecision) {
  return {
    "RateLimit-Policy": `"${policy}";q=${decision.limit};w=${decision.windowSeconds}`,
    RateLimit: `"${policy}";r=${decision.remaining};t=${decision.resetSeconds}`,
  };
}

function appendRateLimitFields(headers: Headers, policy: PolicyName, decision: RateLimitDecision): void {
  for (const [name, value] of Object.entries(rateLimitFields(policy, decision))) headers.append(name, value);
}

function rateLimited(c: LimitedContext, policy: PolicyName, decision: RateLimitDecision): ApiError {
  c.var.event.rateLimited = true;
  return new ApiError("rate_limited", {
    detail: `The "${policy}" rate limit is exhausted; retry in ${decision.retryAfterSeconds} s.`,
    headers: { "Retry-After": String(decision.retryAfterSeconds), ...rateLimitFields(policy, decision) },
    extensions: { policy },
  });
}

function logFault(c: LimitedContext, policy: PolicyName, error: unknown, outcome: string): void {
  const fault = error instanceof RateLimiterUnavailableError ? error.fault : "error";
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  writeLog(c.var.settings.logLevel, "warn", "rate limiter unavailable", {
    requestId: c.var.requestId,
    policy,
    fault,
    outcome,
    error: cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause),
  });
}

/** The limiter's decision, or null when it failed and the policy fails open; throws 503 when it fails closed. */
async function decideOrFail(
  c: LimitedContext,
  policy: PolicyName,
  decide: () => Promise<RateLimitDecision>,
): Promise<RateLimitDecision | null> {
  try {
    return await decide();
  } catch (error) {
    const overloaded = error instanceof RateLimiterUnavailableError && error.fault === "overloaded";
    if (FAILURE_MODES[policy] === "open" && !overloaded) {
      logFault(c, policy, error, "admitted unlimited");
      return null;
    }
    logFault(c, policy, error, "refused 503");
    throw new ApiError("service_unavailable", {
      detail: "Rate limiting is temporarily unavailable; retry later.",
      headers: { "Retry-After": String(LIMITER_UNAVAILABLE_RETRY_AFTER_SECONDS) },
      cause: error,
    });
  }
}

// Overlapping a read with its limiter decision. A GET or HEAD changes nothing, so its token verification and
// database read can run while the Durable Object decides; the answer still waits for the decision, and a refused
// read is answered 429 exactly as if it had waited (what it read is dropped). That takes the limiter's round trip
// off a read's latency. A request overlaps only while this isolate's latest decision for the key, still inside
// its window, left at least a tenth of the budget after this request's cost: an isolate's first request for a
// key, and every request near the limit, waits for the decision first, so refused reads that did work are few
// and bounded, and the decisions themselves stay exactly those of the object.
const OVERLAPPING_METHODS = new Set(["GET", "HEAD"]);
const OVERLAP_MIN_BUDGET_SHARE = 0.1;
const REMEMBERED_KEYS = 10_000;
const latestDecisions = new Map<string, { remaining: number; limit: number; expiresAtMs: number }>();

function remember(key: string, decision: RateLimitDecision | null): void {
  if (!decision) return;
  latestDecisions.delete(key);
  if (latestDecisions.size >= REMEMBERED_KEYS) {
    const oldest = latestDecisions.keys().next().value;
    if (oldest !== undefined) latestDecisions.delete(oldest);
  }
  latestDecisions.set(key, {
    remaining: decision.remaining,
    limit: decision.limit,
    expiresAtMs: Date.now() + decision.windowSeconds * 1000,
  });
}

function mayOverlap(method: string, key: string, cost: number): boolean {
  if (!OVERLAPPING_METHODS.has(method)) return false;
  const latest = latestDecisions.get(key);
  return (
    latest !== undefined &&
    latest.expiresAtMs > Date.now() &&
    latest.remaining - cost >= latest.limit * OVERLAP_MIN_BUDGET_SHARE
  );
}

/** Awaits a decision, adding the time the request spent waiting for it to the wide event. */
async function waitFor<T>(c: LimitedContext, pending: Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await pending;
  } finally {
    const event = c.var.event;
    event.rateLimitMs = Math.round(((event.rateLimitMs ?? 0) + performance.now() - started) * 100) / 100;
  }
}

/**
 * Decides `key` under `policy` and runs the rest of the request: after an admission, or alongside the decision
 * when the request may overlap it (above). Answers the decision (null when the limiter failed open) and throws
 * 429 for a refusal or 503 for a closed failure, in both cases without answering what the request produced.
 */
async function limitAround(
  c: LimitedContext,
  policy: PolicyName,
  key: string,
  cost: number,
  decide: () => Promise<RateLimitDecision>,
  next: () => Promise<void>,
): Promise<RateLimitDecision | null> {
  const overlap = mayOverlap(c.req.method, key, cost);
  const pending = decideOrFail(c, policy, decide).then((decision) => {
    remember(key, decision);
    return decision;
  });
  if (!overlap) {
    const decision = await waitFor(c, pending);
    if (decision && !decision.allowed) throw rateLimited(c, policy, decision);
    await next();
    return decision;
  }
  // Settled below, after the request's own work; the empty handlers only mark the rejections as awaited.
  pending.catch(() => undefined);
  const previous = c.var.admission;
  const admitted = pending.then((decision) => {
    if (decision && !decision.allowed) throw rateLimited(c, policy, decision);
  });
  const admission = previous ? Promise.all([previous, admitted]).then(() => undefined) : admitted;
  admission.catch(() => undefined);
  c.set("admission", admission);
  await next();
  let decision: RateLimitDecision | null;
  try {
    decision = await waitFor(c, pending);
  } catch (error) {
    await c.res.body?.cancel();
    throw error;
  }
  if (decision && !decision.allowed) {
    await c.res.body?.cancel();
    throw rateLimited(c, policy, decision);
  }
  return decision;
}

function limiterFor(c: LimitedContext) {
  return createRateLimiter(c.env.RATE_LIMITER, { timeoutMs: c.var.settings.rateLimits.timeoutMs });
}

/** Charges `cost` to `key` under `policy` around the rest of the request, and adds the RateLimit fields. */
async function chargeAround(
  c: LimitedContext,
  name: PolicyName,
  key: string,
  cost: number,
  policy: RateLimitPolicy,
  next: () => Promise<void>,
): Promise<void> {
  const limiter = limiterFor(c);
  const decision = await limitAround(c, name, key, cost, () => limiter.consume(key, cost, policy), next);
  if (decision) appendRateLimitFields(c.res.headers, name, decision);
}

/** Charges one anonymous request to the client address and runs the rest; 429 when its budget is spent. */
function chargeAnonymous(c: LimitedContext, clientAddress: string, next: () => Promise<void>): Promise<void> {
  const policy = c.var.settings.rateLimits.anon;
  if (!policy) return next();
  return chargeAround(c, "anon", `ip:${clientAddress}:anon`, READ_COST, policy, next);
}

/**
 * Per client address, before any token is verified. Without an Authorization header the request is charged to
 * `ip:<addr>:anon`. With one, the address's failed-authentication budget is only checked (429 at once when it is
 * spent, so a brute force stops before verification), and a 401 answer then charges one failure to it.
 */
export function ipRateLimit(): MiddlewareHandler<IpRateLimitEnv> {
  return async function ipRateLimitMiddleware(c, next) {
    const settings = c.var.settings.rateLimits;
    const clientAddress = clientAddressKey(c.req.header("cf-connecting-ip"));
    c.set("clientAddress", clientAddress);

    if (!c.req.header("authorization")) return chargeAnonymous(c, clientAddress, next);

    const policy = settings.authFailures;
    if (!policy) return next();
    const failureKey = `ip:${clientAddress}:auth-failures`;
    const limiter = limiterFor(c);
    await limitAround(c, "auth-failures", failureKey, 1, () => limiter.peek(failureKey, 1, policy), next);
    if (c.res.status !== 401) return;
    try {
      const charged = await limiter.consume(failureKey, 1, policy);
      remember(failureKey, charged);
      appendRateLimitFields(c.res.headers, "auth-failures", charged);
    } catch (error) {
      // The 401 is already the right answer; an uncounted failure only lets this client try once more.
      logFault(c, "auth-failures", error, "failure not counted");
    }
  };
}

/**
 * Per tenant, after authentication: charges `tenant:<id>:api` with the request's cost (rate-limit-policies.ts)
 * under the tenant's plan policy. A request that arrives here without a principal reached a public route; if it
 * carried an Authorization header, ipRateLimit did not charge it as anonymous, so it is charged here: otherwise
 * any made-up token would buy unlimited anonymous requests.
 */
export function tenantRateLimit(): MiddlewareHandler<TenantRateLimitEnv> {
  return async function tenantRateLimitMiddleware(c, next) {
    const principal = c.var.principal;
    if (!principal) {
      if (!c.req.header("authorization")) return next();
      const clientAddress = c.var.clientAddress ?? clientAddressKey(c.req.header("cf-connecting-ip"));
      return chargeAnonymous(c, clientAddress, next);
    }
    const policy = tenantPolicyFor(c.var.settings.rateLimits, principal.plan);
    if (!policy) return next();
    const cost = requestCost(c.req.method, c.req.path);
    return chargeAround(c, "tenant", `tenant:${principal.tenantId}:api`, cost, policy, next);
  };
}
