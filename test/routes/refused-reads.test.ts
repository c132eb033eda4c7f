// A read refused by its rate limit has written nothing (issue 13 item 6): through the real app, token verification
// and database, with a scripted RATE_LIMITER so the read overlaps a decision that then refuses it. Neither the
// caller's user row (first sight) nor the valuation log row may exist afterwards; admitted, both are written.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import type { RateLimitDecision } from "../../durable-objects/rate-limiter/algorithm.ts";
import { createApp } from "../../src/app.ts";
import { clearCallerCache } from "../../src/services/identity.ts";
import { envWith, uniqueClientIp } from "../helpers/rate-limit.ts";
import { seedProperties } from "../helpers/sales.ts";
import { decision, type HeldCall, scriptedLimiter } from "../helpers/scripted-limiter.ts";
import { adminSql, createTenant, mintToken } from "../helpers/tenants.ts";

async function usersOf(tenantId: string, subject: string) {
  return adminSql()`select id from users where tenant_id = ${tenantId} and subject = ${subject}`;
}

async function valuationLogCount(tenantId: string) {
  const rows =
    await adminSql()`select count(*)::int as count from valuation_log where tenant_id = ${tenantId}`;
  return rows[0]?.count as number;
}

describe("a read refused with 429 after overlapping its decision", { timeout: 30_000 }, () => {
  it("wrote no user row and no valuation log row; admitted, it writes both", async () => {
    const tenant = await createTenant();
    const [subjectId = ""] = await seedProperties(tenant.id, [
      { latitude: 47.62, longitude: -122.35, status: "active", sqft: 1800 },
      { latitude: 47.621, longitude: -122.351, soldDaysAgo: 40, closingPrice: 640_000, sqft: 1750 },
    ]);
    const limiter = scriptedLimiter();
    const writeDataPoint = vi.fn();
    const env = envWith({
      RATE_LIMITER: limiter.namespace,
      RATE_LIMIT_TENANT: "10/60",
      METRICS: { writeDataPoint } as unknown as AnalyticsEngineDataset,
    });
    const valuationsComputed = () =>
      writeDataPoint.mock.calls.filter((call) => (call[0] as { blobs: string[] }).blobs[0] === "valuation")
        .length;
    const app = createApp();
    const ip = uniqueClientIp();
    const headersFor = async (subject: string) => ({
      authorization: `Bearer ${await mintToken({ tenantId: tenant.id, subject, roles: ["viewer"] })}`,
      "cf-connecting-ip": ip,
    });
    const valuation = `/api/v1/properties/${subjectId}/valuation`;
    /** Sends a GET, answers its decisions with `answer`, and waits for its after-response work as well. */
    async function get(path: string, subject: string, answer: (call: HeldCall) => RateLimitDecision) {
      const ctx = createExecutionContext();
      const pending = Promise.resolve(
        app.fetch(new Request(`http://api.test${path}`, { headers: await headersFor(subject) }), env, ctx),
      );
      const response = await limiter.answerUntil(pending, answer);
      await response.arrayBuffer();
      await waitOnExecutionContext(ctx);
      return response;
    }
    const refuseTenant = (call: HeldCall) => (call.kind === "consume" ? decision(0, false) : decision(9));

    // A first read, admitted with most of the budget left: this isolate's next reads overlap their decisions.
    clearCallerCache();
    expect((await get("/api/v1/me", "warm-up", () => decision(9))).status).toBe(200);

    // A user seen for the first time, refused after overlapping: no row.
    const first = await get(valuation, "first-sight", refuseTenant);
    expect(first.status).toBe(429);
    expect(await usersOf(tenant.id, "first-sight")).toHaveLength(0);
    expect(await valuationLogCount(tenant.id)).toBe(0);

    // A known user's valuation, refused after the valuation ran alongside the decision: no log row.
    expect((await get(valuation, "warm-up", () => decision(8))).status).toBe(200);
    expect(await valuationLogCount(tenant.id)).toBe(1);
    const refused = await get(valuation, "warm-up", refuseTenant);
    expect(refused.status).toBe(429);
    // The valuation did run alongside the decision (its metric point is there); its log row was never written.
    expect(valuationsComputed()).toBe(2);
    expect(await valuationLogCount(tenant.id)).toBe(1);

    // Admitted, the first-sight user is provisioned and the valuation logged.
    const admitted = await get(valuation, "first-sight", () => decision(7));
    expect(admitted.status).toBe(200);
    expect(await usersOf(tenant.id, "first-sight")).toHaveLength(1);
    expect(await valuationLogCount(tenant.id)).toBe(2);
  });
});
