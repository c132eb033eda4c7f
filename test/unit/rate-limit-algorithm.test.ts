import { describe, expect, it } from "vitest";
import {
  consumeRateLimit,
  EMPTY_SLIDING_LOG,
  idleFromMs,
  peekRateLimit,
  type RateLimitPolicy,
  type SlidingLogState,
} from "../../durable-objects/rate-limiter/algorithm.ts";

const T0 = Date.UTC(2026, 10, 27, 12, 0, 0);

/** Feeds (offset ms, cost) requests through the algorithm with a fake clock; returns each decision. */
function run(policy: RateLimitPolicy, requests: Array<[offsetMs: number, cost?: number]>) {
  let state: SlidingLogState = EMPTY_SLIDING_LOG;
  return {
    decisions: requests.map(([offsetMs, cost = 1]) => {
      const outcome = consumeRateLimit(state, T0 + offsetMs, cost, policy);
      state = outcome.state;
      return outcome.decision;
    }),
    get state() {
      return state;
    },
  };
}

/** A small deterministic PRNG so the randomized check is reproducible. */
function mulberry32(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("sliding-log rate limit algorithm", () => {
  it("admits exactly the limit in a burst, counting remaining down, then refuses", () => {
    const { decisions } = run({ limit: 3, windowSeconds: 60 }, [[0], [0], [0], [0], [1]]);
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, false, false]);
    expect(decisions.map((d) => d.remaining)).toEqual([2, 1, 0, 0, 0]);
    expect(decisions[3]).toMatchObject({
      retryAfterSeconds: 60,
      resetSeconds: 60,
      limit: 3,
      windowSeconds: 60,
    });
    expect(decisions[4]?.retryAfterSeconds).toBe(60);
  });

  it("keeps a request in the window until exactly W ms after it, then frees its quota", () => {
    const policy = { limit: 2, windowSeconds: 10 };
    const { decisions } = run(policy, [[0], [0], [9_999], [10_000], [10_000], [10_001]]);
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, false, true, true, false]);
    // One millisecond before the edge the exact wait is 1 ms, rounded up to a whole second.
    expect(decisions[2]?.retryAfterSeconds).toBe(1);
    expect(decisions[5]?.retryAfterSeconds).toBe(10);
  });

  it("slides: each old admission frees its unit at its own edge, not at a fixed window boundary", () => {
    const policy = { limit: 3, windowSeconds: 10 };
    const { decisions } = run(policy, [[0], [4_000], [8_000], [9_000], [10_000], [11_000], [14_000]]);
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, false, true, false, true]);
    expect(decisions[3]?.retryAfterSeconds).toBe(1);
    expect(decisions[5]?.retryAfterSeconds).toBe(3);
  });

  it("gives a Retry-After after which the request is admitted and one second before which it is not", () => {
    const policy = { limit: 2, windowSeconds: 60 };
    const first = run(policy, [[0], [500], [12_345]]);
    const refused = first.decisions[2];
    expect(refused).toMatchObject({ allowed: false, retryAfterSeconds: 48, resetSeconds: 48 });
    const retryAt = 12_345 + (refused?.retryAfterSeconds ?? 0) * 1000;
    const state = first.state;
    expect(consumeRateLimit(state, T0 + retryAt, 1, policy).decision.allowed).toBe(true);
    expect(consumeRateLimit(state, T0 + retryAt - 1_000, 1, policy).decision.allowed).toBe(false);
  });

  it("waits for enough admissions to expire for an expensive request", () => {
    const policy = { limit: 10, windowSeconds: 60 };
    const { decisions } = run(policy, [
      [0, 4],
      [10_000, 4],
      [20_000, 1],
      [30_000, 5],
    ]);
    // 9 of 10 used: a cost-5 request needs 4 more units, which the admission at 0 frees at 60 s.
    expect(decisions[3]).toMatchObject({ allowed: false, remaining: 1, retryAfterSeconds: 30 });
    const needsTwo = run(policy, [
      [0, 2],
      [10_000, 2],
      [20_000, 5],
      [30_000, 5],
    ]);
    // 9 used: a cost-5 request needs 4 units; the admissions at 0 and 10 s together free them at 70 s.
    expect(needsTwo.decisions[3]).toMatchObject({ allowed: false, retryAfterSeconds: 40 });
  });

  it("reports on an admission the seconds until the oldest admission leaves the window", () => {
    const { decisions } = run({ limit: 5, windowSeconds: 60 }, [[0], [20_500]]);
    expect(decisions[0]).toMatchObject({ allowed: true, resetSeconds: 60, retryAfterSeconds: 0 });
    expect(decisions[1]).toMatchObject({ allowed: true, remaining: 3, resetSeconds: 40 });
  });

  it("merges admissions in the same millisecond into one log entry", () => {
    const burst = run(
      { limit: 100, windowSeconds: 60 },
      Array.from({ length: 50 }, () => [7] as [number]),
    );
    expect(burst.state.admissions).toEqual([{ atMs: T0 + 7, cost: 50 }]);
  });

  it("drops admissions that have left the window from the state it returns", () => {
    const { state } = run({ limit: 5, windowSeconds: 1 }, [[0], [500], [1_600]]);
    expect(state.admissions.map((entry) => entry.atMs - T0)).toEqual([1_600]);
  });

  it("does not reopen spent quota when the clock steps back", () => {
    const { decisions } = run({ limit: 2, windowSeconds: 10 }, [
      [5_000],
      [5_000],
      [-60_000],
      [14_999],
      [15_000],
    ]);
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, false, false, true]);
  });

  it("peeks without charging, and agrees with consume about admission", () => {
    const policy = { limit: 2, windowSeconds: 60 };
    const { state } = run(policy, [[0]]);
    const peeked = peekRateLimit(state, T0 + 1_000, 1, policy);
    expect(peeked).toMatchObject({ allowed: true, remaining: 1, resetSeconds: 59 });
    expect(peekRateLimit(state, T0 + 1_000, 1, policy)).toEqual(peeked);
    const full = consumeRateLimit(state, T0 + 2_000, 1, policy).state;
    const refused = peekRateLimit(full, T0 + 3_000, 1, policy);
    expect(refused).toEqual(consumeRateLimit(full, T0 + 3_000, 1, policy).decision);
    expect(refused).toMatchObject({ allowed: false, retryAfterSeconds: 57, resetSeconds: 57 });
    expect(peekRateLimit(EMPTY_SLIDING_LOG, T0, 1, policy)).toMatchObject({ remaining: 2, resetSeconds: 0 });
  });

  it("rejects costs a policy could never admit and malformed policies", () => {
    expect(() => consumeRateLimit(EMPTY_SLIDING_LOG, T0, 11, { limit: 10, windowSeconds: 60 })).toThrow(
      RangeError,
    );
    expect(() => consumeRateLimit(EMPTY_SLIDING_LOG, T0, 0, { limit: 10, windowSeconds: 60 })).toThrow(
      RangeError,
    );
    expect(() => peekRateLimit(EMPTY_SLIDING_LOG, T0, 1, { limit: 0, windowSeconds: 60 })).toThrow(
      RangeError,
    );
    expect(() => peekRateLimit(EMPTY_SLIDING_LOG, T0, 1, { limit: 5, windowSeconds: 0.5 })).toThrow(
      RangeError,
    );
  });

  it("knows when a log goes idle", () => {
    expect(idleFromMs(EMPTY_SLIDING_LOG, 60)).toBeNull();
    const { state } = run({ limit: 5, windowSeconds: 60 }, [[0], [1_000]]);
    expect(idleFromMs(state, 60)).toBe(T0 + 61_000);
  });

  it("never admits more than the limit in any trailing window, and refuses only when it must (random traffic)", () => {
    const random = mulberry32(4);
    for (let round = 0; round < 40; round++) {
      const policy = { limit: 1 + Math.floor(random() * 20), windowSeconds: 1 + Math.floor(random() * 5) };
      const windowMs = policy.windowSeconds * 1000;
      let state: SlidingLogState = EMPTY_SLIDING_LOG;
      let now = T0;
      const admitted: Array<{ atMs: number; cost: number }> = [];
      const costInWindowEndingAt = (t: number) =>
        admitted
          .filter((entry) => entry.atMs > t - windowMs && entry.atMs <= t)
          .reduce((s, e) => s + e.cost, 0);
      for (let step = 0; step < 400; step++) {
        // Bursts (same millisecond), small gaps and jumps across window edges.
        const gap =
          random() < 0.4 ? 0 : random() < 0.8 ? Math.floor(random() * 300) : Math.floor(random() * windowMs);
        now += gap;
        const cost = 1 + Math.floor(random() * Math.min(policy.limit, 5));
        const outcome = consumeRateLimit(state, now, cost, policy);
        state = outcome.state;
        const usedBefore = costInWindowEndingAt(now);
        expect(outcome.decision.allowed).toBe(usedBefore + cost <= policy.limit);
        if (outcome.decision.allowed) {
          admitted.push({ atMs: now, cost });
          expect(outcome.decision.remaining).toBe(policy.limit - usedBefore - cost);
        } else {
          // Retry-After is exact: not admissible one whole second earlier (unless that is before now), and
          // admissible at that instant if nothing else arrives.
          const retryAt = now + outcome.decision.retryAfterSeconds * 1000;
          expect(costInWindowEndingAt(retryAt) + cost).toBeLessThanOrEqual(policy.limit);
          const exactWait = Math.max(
            ...admitted.map((entry) => entry.atMs + windowMs - now).filter((wait) => wait > 0),
          );
          expect(outcome.decision.retryAfterSeconds).toBeLessThanOrEqual(Math.ceil(exactWait / 1000));
          if (outcome.decision.retryAfterSeconds > 1) {
            expect(costInWindowEndingAt(retryAt - 1_000) + cost).toBeGreaterThan(policy.limit);
          }
        }
      }
      // Every trailing window, checked at every admission instant and just before each one leaves.
      for (const entry of admitted) {
        expect(costInWindowEndingAt(entry.atMs)).toBeLessThanOrEqual(policy.limit);
        expect(costInWindowEndingAt(entry.atMs + windowMs - 1)).toBeLessThanOrEqual(policy.limit);
      }
    }
  });
});
