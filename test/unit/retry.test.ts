import { describe, expect, it } from "vitest";
import { backoffMs, RetryDeadlineError, retry } from "../../src/retry.ts";

class Transient extends Error {}

/** An attempt that fails with the given errors in turn, then answers "ok"; counts its calls. */
function failing(...errors: Error[]) {
  const calls: number[] = [];
  const attempt = async (remainingMs: number) => {
    calls.push(remainingMs);
    const error = errors[calls.length - 1];
    if (error) throw error;
    return "ok";
  };
  return { attempt, calls };
}

const retryable = (error: unknown) => error instanceof Transient;

describe("backoffMs", () => {
  it("draws from zero to a ceiling that doubles per attempt (full jitter), capped at maxMs", () => {
    const policy = { baseMs: 100, maxMs: 1_000 };
    expect(backoffMs(1, policy, () => 0)).toBe(0);
    expect(backoffMs(1, policy, () => 1)).toBe(100);
    expect(backoffMs(3, policy, () => 1)).toBe(400);
    expect(backoffMs(3, policy, () => 0.5)).toBe(200);
    expect(backoffMs(40, policy, () => 1)).toBe(1_000);
  });

  it("keeps the floor's share of the ceiling", () => {
    expect(backoffMs(1, { baseMs: 10_000, floor: 0.5 }, () => 0)).toBe(5_000);
    expect(backoffMs(2, { baseMs: 10_000, floor: 0.5 }, () => 1)).toBe(20_000);
  });
});

describe("retry", () => {
  it("retries what is retryable until an attempt succeeds", async () => {
    const { attempt, calls } = failing(new Transient(), new Transient());
    await expect(retry(attempt, { attempts: 3, baseMs: 1, retryable })).resolves.toBe("ok");
    expect(calls).toHaveLength(3);
  });

  it("throws the last failure after the last attempt, and anything not retryable at once", async () => {
    const last = new Transient("third");
    const exhausted = failing(new Transient(), new Transient(), last);
    await expect(retry(exhausted.attempt, { attempts: 3, baseMs: 1, retryable })).rejects.toBe(last);
    expect(exhausted.calls).toHaveLength(3);

    const permanent = new Error("permanent");
    const refused = failing(permanent);
    await expect(retry(refused.attempt, { attempts: 3, baseMs: 1, retryable })).rejects.toBe(permanent);
    expect(refused.calls).toHaveLength(1);
  });

  it("gives each attempt the time left and stops at the deadline with the last failure as cause", async () => {
    const cause = new Transient();
    const { attempt, calls } = failing(cause, new Transient(), new Transient());
    const started = Date.now();
    const failure = await retry(attempt, {
      attempts: 10,
      baseMs: 1,
      deadline: started + 60,
      retryable,
      requestedWaitMs: () => 1_000,
    }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(RetryDeadlineError);
    expect((failure as RetryDeadlineError).cause).toBe(cause);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toBeLessThanOrEqual(60);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it("waits what the failure asks for instead of the backoff", async () => {
    const { attempt } = failing(new Transient());
    const started = Date.now();
    await retry(attempt, { attempts: 2, baseMs: 5_000, retryable, requestedWaitMs: () => 20 });
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});
