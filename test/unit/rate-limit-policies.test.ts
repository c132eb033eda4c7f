import { describe, expect, it } from "vitest";
import { loadSettings } from "../../src/env.ts";
import { ApiError } from "../../src/errors.ts";
import {
  BULK_WRITE_COST,
  policySetting,
  rateLimitSettingsSchema,
  requestCost,
  tenantPolicyFor,
} from "../../src/rate-limit-policies.ts";
import { testEnv } from "../helpers/env.ts";

describe("rate-limit policy settings", () => {
  it("parses limit/windowSeconds and off", () => {
    expect(policySetting(1).parse("100/60")).toEqual({ limit: 100, windowSeconds: 60 });
    expect(policySetting(1).parse(" 5/1 ")).toEqual({ limit: 5, windowSeconds: 1 });
    expect(policySetting(1).parse("off")).toBeNull();
  });

  it("rejects malformed policies and limits below the largest request cost", () => {
    for (const bad of ["100", "100/0", "0/60", "1e3/60", "100/60s", "-1/60", "100/100000", "200000/60"]) {
      expect(policySetting(1).safeParse(bad).success, bad).toBe(false);
    }
    expect(policySetting(BULK_WRITE_COST).safeParse("9/60").success).toBe(false);
    expect(policySetting(BULK_WRITE_COST).safeParse("10/60").success).toBe(true);
  });

  it("maps plans to policies and falls back to the tenant default", () => {
    const settings = rateLimitSettingsSchema.parse({
      anon: "100/60",
      authFailures: "10/60",
      tenant: "1000/60",
      plans: '{"enterprise":"5000/60","trial":"off"}',
      timeoutMs: "250",
    });
    expect(tenantPolicyFor(settings, "enterprise")).toEqual({ limit: 5000, windowSeconds: 60 });
    expect(tenantPolicyFor(settings, "standard")).toEqual({ limit: 1000, windowSeconds: 60 });
    expect(tenantPolicyFor(settings, "trial")).toBeNull();
    expect(tenantPolicyFor(settings, "toString")).toEqual({ limit: 1000, windowSeconds: 60 });
    for (const plans of ["not json", "[]", '{"enterprise":"lots"}', '{"":"10/60"}']) {
      expect(rateLimitSettingsSchema.shape.plans.safeParse(plans).success, plans).toBe(false);
    }
  });

  it("charges reads 1, writes 5 and bulk writes 10", () => {
    expect(requestCost("GET", "/api/v1/properties")).toBe(1);
    expect(requestCost("HEAD", "/api/v1/properties/bulk")).toBe(1);
    expect(requestCost("POST", "/api/v1/properties")).toBe(5);
    expect(requestCost("delete", "/api/v1/properties/42")).toBe(5);
    expect(requestCost("POST", "/api/v1/properties/bulk")).toBe(10);
    expect(requestCost("PUT", "/api/v1/batch/properties")).toBe(10);
    expect(requestCost("POST", "/api/v1/bulkheads")).toBe(5);
  });

  it("validates the variables in loadSettings, and refuses off in production", () => {
    expect(loadSettings({ ...testEnv }).rateLimits.tenant).toEqual({ limit: 1000, windowSeconds: 60 });
    const invalid = () => loadSettings({ ...testEnv, RATE_LIMIT_TENANT: "5/60" });
    expect(invalid).toThrow(ApiError);
    expect(invalid).toThrow(/RATE_LIMIT_TENANT/);
    const offInProduction = () =>
      loadSettings({ ...testEnv, ENVIRONMENT: "production", RATE_LIMIT_PLANS: '{"free":"off"}' });
    expect(offInProduction).toThrow(/RATE_LIMIT_PLANS/);
    expect(loadSettings({ ...testEnv, RATE_LIMIT_ANON: "off" }).rateLimits.anon).toBeNull();
  });
});
