import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { RateLimitDecision } from "../../durable-objects/rate-limiter/algorithm.ts";
import { createRateLimiter } from "../../durable-objects/rate-limiter/client.ts";
import { testEnv } from "../helpers/env.ts";

/** A fresh object per test: keys are never shared between tests. */
function freshLimiter() {
  return testEnv.RATE_LIMITER.getByName(`test:${crypto.randomUUID()}`);
}

function countAllowed(decisions: RateLimitDecision[]) {
  return decisions.filter((decision) => decision.allowed).length;
}

/** User tables in the object's SQLite database (workerd's own `_cf_` tables excluded). */
function storedTables(stub: DurableObjectStub) {
  return runInDurableObject(stub, (_instance, state) =>
    state.storage.sql
      .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '_cf_%'")
      .toArray()
      .map((row) => row.name),
  );
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("RateLimiterObject", () => {
  it("admits exactly N of N+k concurrent calls on one stub", async () => {
    const stub = freshLimiter();
    const policy = { limit: 25, windowSeconds: 60 };
    const decisions = await Promise.all(Array.from({ length: 40 }, () => stub.consume({ cost: 1, policy })));
    expect(countAllowed(decisions)).toBe(25);
    expect(decisions.filter((d) => d.allowed).map((d) => d.remaining)).toEqual(
      Array.from({ length: 25 }, (_, index) => 24 - index),
    );
    for (const refused of decisions.filter((d) => !d.allowed)) {
      expect(refused.retryAfterSeconds).toBeGreaterThanOrEqual(59);
      expect(refused.resetSeconds).toBe(refused.retryAfterSeconds);
    }
  });

  it("does not over-admit under 500 parallel calls of mixed cost", async () => {
    const stub = freshLimiter();
    const policy = { limit: 300, windowSeconds: 60 };
    const costs = Array.from({ length: 500 }, (_, index) => [1, 5, 10][index % 3] as number);
    const decisions = await Promise.all(costs.map((cost) => stub.consume({ cost, policy })));
    const admittedCost = decisions.reduce((sum, d, index) => sum + (d.allowed ? (costs[index] ?? 0) : 0), 0);
    expect(admittedCost).toBeLessThanOrEqual(300);
    // Exact, not merely safe: it stops only when the cheapest request no longer fits.
    expect(admittedCost).toBeGreaterThan(300 - 1);
    const last = decisions.at(-1);
    expect(last?.allowed).toBe(false);
    expect(last?.remaining).toBe(0);
  });

  it("admits exactly the limit of 500 parallel calls through the Worker-side client", async () => {
    const limiter = createRateLimiter(testEnv.RATE_LIMITER, { timeoutMs: 5_000 });
    const key = `test:${crypto.randomUUID()}`;
    const policy = { limit: 200, windowSeconds: 60 };
    const decisions = await Promise.all(Array.from({ length: 500 }, () => limiter.consume(key, 1, policy)));
    expect(countAllowed(decisions)).toBe(200);
  });

  it("keeps each key's count separate", async () => {
    const policy = { limit: 2, windowSeconds: 60 };
    const first = freshLimiter();
    const second = freshLimiter();
    await Promise.all([1, 2, 3].map(() => first.consume({ cost: 1, policy })));
    expect((await second.consume({ cost: 1, policy })).allowed).toBe(true);
  });

  it("keeps counts across eviction", async () => {
    const stub = freshLimiter();
    const policy = { limit: 3, windowSeconds: 60 };
    for (let i = 0; i < 3; i++) expect((await stub.consume({ cost: 1, policy })).allowed).toBe(true);
    await evictDurableObject(stub);
    const afterEviction = await stub.consume({ cost: 1, policy });
    expect(afterEviction).toMatchObject({ allowed: false, remaining: 0 });
    expect(await stub.peek({ cost: 1, policy })).toMatchObject({ allowed: false });
  });

  it("answers the data generation with each decision; a bump moves it forward, across eviction and cleanup", async () => {
    const stub = freshLimiter();
    const policy = { limit: 5, windowSeconds: 60 };
    const first = (await stub.consume({ cost: 1, policy })).generation;
    expect(await stub.generation()).toBe(first);
    expect((await stub.consume({ cost: 1, policy })).generation).toBe(first);
    const bumped = await stub.bump();
    expect(bumped).toBeGreaterThan(first);
    expect((await stub.consume({ cost: 1, policy })).generation).toBe(bumped);
    const seen = new Set([first, bumped]);
    for (let index = 0; index < 20; index++) seen.add(await stub.bump());
    expect(seen.size).toBe(22);
    const latest = await stub.generation();
    await evictDurableObject(stub);
    expect(await stub.generation()).toBeGreaterThanOrEqual(latest);
    // The idle cleanup deletes the log, never the generation.
    await runInDurableObject(stub, (_instance, state) => {
      state.storage.sql.exec("UPDATE admissions SET at_ms = at_ms - 61000");
    });
    await evictDurableObject(stub);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const kept = await runInDurableObject(stub, (_instance, state) =>
      state.storage.kv.get<number>("generation"),
    );
    expect(kept).toBeGreaterThanOrEqual(latest);
    expect(await stub.generation()).toBe(kept);
  });

  it("peeks without charging or writing anything", async () => {
    const stub = freshLimiter();
    const policy = { limit: 1, windowSeconds: 60 };
    expect(await stub.peek({ cost: 1, policy })).toMatchObject({ allowed: true, remaining: 1 });
    expect(await stub.peek({ cost: 1, policy })).toMatchObject({ allowed: true, remaining: 1 });
    expect(await storedTables(stub)).toEqual([]);
    expect((await stub.consume({ cost: 1, policy })).allowed).toBe(true);
    expect(await stub.peek({ cost: 1, policy })).toMatchObject({ allowed: false, remaining: 0 });
  });

  it("deletes all its storage from the alarm once the window has passed with no traffic", async () => {
    const stub = freshLimiter();
    const policy = { limit: 2, windowSeconds: 60 };
    await stub.consume({ cost: 1, policy });
    await stub.consume({ cost: 1, policy });
    expect(await storedTables(stub)).toEqual(expect.arrayContaining(["admissions", "limiter_meta"]));
    // Age the log past its window without waiting a minute; the restart makes the object reload it.
    await runInDurableObject(stub, (_instance, state) => {
      state.storage.sql.exec("UPDATE admissions SET at_ms = at_ms - 61000");
    });
    await evictDurableObject(stub);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await storedTables(stub)).toEqual([]);
    expect(await runInDurableObject(stub, (_instance, state) => state.storage.getAlarm())).toBeNull();
    // A later call starts from an empty window and recreates what it needs.
    expect(await stub.consume({ cost: 2, policy })).toMatchObject({ allowed: true, remaining: 0 });
    await evictDurableObject(stub);
    expect(await stub.consume({ cost: 1, policy })).toMatchObject({ allowed: false });
  });

  it("cleans up on its own when the scheduled alarm fires", async () => {
    const stub = freshLimiter();
    await stub.consume({ cost: 1, policy: { limit: 2, windowSeconds: 1 } });
    expect(await storedTables(stub)).toContain("admissions");
    await sleep(1_500);
    expect(await storedTables(stub)).toEqual([]);
    expect(await runDurableObjectAlarm(stub)).toBe(false);
  });

  it("keeps a busy key's state when the alarm fires early, and moves the alarm to the new idle time", async () => {
    const stub = freshLimiter();
    const policy = { limit: 5, windowSeconds: 60 };
    await stub.consume({ cost: 1, policy });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await storedTables(stub)).toEqual(expect.arrayContaining(["admissions"]));
    const nextAlarm = await runInDurableObject(stub, (_instance, state) => state.storage.getAlarm());
    expect(nextAlarm).toBeGreaterThan(Date.now() + 50_000);
    expect(await stub.consume({ cost: 1, policy })).toMatchObject({ allowed: true, remaining: 3 });
  });
});
