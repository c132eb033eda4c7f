// Rate-limit policies as settings ("limit/windowSeconds", or "off") and what each request costs against them.
// docs/rate-limiting.md explains the defaults and how to tune them per environment.
import { z } from "zod";
import type { RateLimitPolicy } from "../durable-objects/rate-limiter/algorithm.ts";

/** Reads and other safe methods. */
export const READ_COST = 1;
/** Writes take a database transaction, validation and often enrichment work: five reads' worth. */
export const WRITE_COST = 5;
/** A bulk write carries many records in one request. */
export const BULK_WRITE_COST = 10;

const WRITE_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);
// Bulk endpoints are recognised by a `bulk` or `batch` path segment, e.g. POST /api/v1/properties/bulk.
const BULK_SEGMENT = /\/(bulk|batch)(\/|$)/;

/** What a request costs against its tenant's policy. */
export function requestCost(method: string, path: string): number {
  if (!WRITE_METHODS.has(method.toUpperCase())) return READ_COST;
  return BULK_SEGMENT.test(path) ? BULK_WRITE_COST : WRITE_COST;
}

// The sliding log keeps up to one row per admitted millisecond of the window, so the limit bounds its memory.
const MAX_LIMIT = 100_000;
const MAX_WINDOW_SECONDS = 86_400;
const POLICY_SYNTAX = /^(\d{1,6})\/(\d{1,5})$/;

/** A policy string, "off" (no limit) included; `minLimit` is the largest cost a request can be charged. */
export function policySetting(minLimit: number) {
  return z.string().transform((text, ctx): RateLimitPolicy | null => {
    const value = text.trim();
    if (value === "off") return null;
    const match = POLICY_SYNTAX.exec(value);
    const limit = Number(match?.[1]);
    const windowSeconds = Number(match?.[2]);
    if (
      !match ||
      limit < minLimit ||
      limit > MAX_LIMIT ||
      windowSeconds < 1 ||
      windowSeconds > MAX_WINDOW_SECONDS
    ) {
      ctx.issues.push({
        code: "custom",
        input: text,
        message: `must be "off" or "limit/windowSeconds" with limit in ${minLimit}..${MAX_LIMIT} and window in 1..${MAX_WINDOW_SECONDS}`,
      });
      return z.NEVER;
    }
    return { limit, windowSeconds };
  });
}

/** A JSON object from plan name (the tenant row's `plan`) to a policy string. */
export const planPoliciesSetting = z
  .string()
  .transform((text, ctx): unknown => {
    try {
      return JSON.parse(text);
    } catch {
      ctx.issues.push({ code: "custom", input: text, message: "must be a JSON object" });
      return z.NEVER;
    }
  })
  .pipe(z.record(z.string().min(1).max(50), policySetting(BULK_WRITE_COST)));

export const rateLimitSettingsSchema = z.object({
  anon: policySetting(READ_COST),
  authFailures: policySetting(READ_COST),
  tenant: policySetting(BULK_WRITE_COST),
  plans: planPoliciesSetting,
  timeoutMs: z.coerce.number().int().min(10).max(5_000),
});

export type RateLimitSettings = z.infer<typeof rateLimitSettingsSchema>;

/** The policy for a tenant on `plan`: the plan's override when there is one, else the default tenant policy. */
export function tenantPolicyFor(settings: RateLimitSettings, plan: string): RateLimitPolicy | null {
  return Object.hasOwn(settings.plans, plan) ? (settings.plans[plan] ?? null) : settings.tenant;
}

/** The Durable Object key of a tenant's quota; that object also keeps the tenant's data generation. */
export function tenantKey(tenantId: string): string {
  return `tenant:${tenantId}:api`;
}
