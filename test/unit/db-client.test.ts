// Driver failures as API errors, on the local platform's real Neon HTTP endpoint: the SQLSTATE of a real error
// decides the mapping, serialization failures are retried, and transport failures become 503/504.
import { NeonDbError } from "@neondatabase/serverless";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createDatabase, toDatabaseError } from "../../src/db/client.ts";
import { ApiError } from "../../src/errors.ts";
import { testEnv } from "../helpers/env.ts";
import { createTenant } from "../helpers/tenants.ts";

const REFUSING_DATABASE_URL = "postgres://app_runtime:app_runtime@127.0.0.1:9/realestate";

async function failWith(sqlState: string, onRoundTrip?: () => void) {
  const tenant = await createTenant();
  const db = createDatabase({
    url: testEnv.DATABASE_URL,
    timeoutMs: 10_000,
    ...(onRoundTrip ? { onRoundTrip } : {}),
  });
  return db
    .withTenant(tenant.id, (tx) => [tx.execute(sql`select test_raise_sqlstate(${sqlState})`)])
    .then(
      () => {
        throw new Error("expected a failure");
      },
      (error: unknown) => error as ApiError,
    );
}

describe("database errors", () => {
  it.each([
    ["57014", "database_timeout", 504, undefined],
    ["08006", "database_unavailable", 503, "5"],
    ["53300", "database_unavailable", 503, "5"],
    ["57P03", "database_unavailable", 503, "5"],
    ["23505", "conflict", 409, undefined],
    ["22012", "internal", 500, undefined],
  ])("maps SQLSTATE %s to %s", async (sqlState, code, status, retryAfter) => {
    const error = await failWith(sqlState);
    expect(error).toBeInstanceOf(ApiError);
    expect(error.code).toBe(code);
    expect(error.status).toBe(status);
    expect(error.headers["Retry-After"]).toBe(retryAfter);
    // The driver error stays the cause (constraint names for conflicts); no SQL text reaches the message.
    expect(error.cause).toBeInstanceOf(NeonDbError);
    expect((error.cause as NeonDbError).code).toBe(sqlState);
    expect(error.message).not.toContain("test_raise_sqlstate");
  });

  it("retries serialization failures and deadlocks up to three attempts", async () => {
    for (const sqlState of ["40001", "40P01"]) {
      let roundTrips = 0;
      const error = await failWith(sqlState, () => roundTrips++);
      expect(roundTrips).toBe(3);
      expect(error.code).toBe("internal");
    }
    // Other failures are not retried.
    let roundTrips = 0;
    await failWith("23505", () => roundTrips++);
    expect(roundTrips).toBe(1);
  });

  it("answers 503 with Retry-After when the database refuses connections", async () => {
    const db = createDatabase({ url: REFUSING_DATABASE_URL, timeoutMs: 2_000 });
    const error = (await db.ping().catch((e: unknown) => e)) as ApiError;
    expect(error).toBeInstanceOf(ApiError);
    expect(error.code).toBe("database_unavailable");
    expect(error.headers["Retry-After"]).toBe("5");
  });

  it("gives up after one attempt when the database does not answer in time", async () => {
    const db = createDatabase({ url: testEnv.HANGING_DATABASE_URL, timeoutMs: 200 });
    const started = Date.now();
    const error = (await db.ping().catch((e: unknown) => e)) as ApiError;
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(error).toBeInstanceOf(ApiError);
    // How the runtime surfaces the abort decides between the two; both carry a Retry-After.
    expect(["database_timeout", "database_unavailable"]).toContain(error.code);
    expect(error.headers["Retry-After"]).toMatch(/^[25]$/);
  });

  it("passes ApiErrors through and maps code-less and timeout errors", () => {
    const own = new ApiError("not_found");
    expect(toDatabaseError(own)).toBe(own);
    const codeless = new NeonDbError("no code");
    expect(toDatabaseError(codeless).code).toBe("database_unavailable");
    expect(toDatabaseError({ name: "Error", cause: { name: "TimeoutError" } }).code).toBe("database_timeout");
    expect(toDatabaseError({ name: "Error", sourceError: { name: "TimeoutError" } }).code).toBe(
      "database_timeout",
    );
    expect(toDatabaseError(new DOMException("timed out", "TimeoutError")).code).toBe("database_timeout");
    expect(toDatabaseError(null).code).toBe("database_unavailable");
  });
});
