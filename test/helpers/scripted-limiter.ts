// A RATE_LIMITER namespace whose calls wait until the test answers them, so the order of a request's own work and
// its limiter decisions can be observed (the overlap suites).
import type { RateLimitDecision } from "../../durable-objects/rate-limiter/algorithm.ts";

export interface HeldCall {
  kind: "consume" | "peek";
  key: string;
  answer: (decision: RateLimitDecision) => void;
  fail: (error: unknown) => void;
}

export function decision(remaining: number, allowed = true): RateLimitDecision {
  return {
    allowed,
    limit: 10,
    windowSeconds: 60,
    remaining,
    resetSeconds: 60,
    retryAfterSeconds: allowed ? 0 : 60,
  };
}

export const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

/** A RATE_LIMITER namespace whose calls wait in `held` until the test answers them. */
export function scriptedLimiter() {
  const held: HeldCall[] = [];
  const call = (kind: HeldCall["kind"], key: string) =>
    new Promise<RateLimitDecision>((answer, fail) => held.push({ kind, key, answer, fail }));
  const namespace = {
    getByName: (key: string) => ({ consume: () => call("consume", key), peek: () => call("peek", key) }),
  } as unknown as Env["RATE_LIMITER"];
  /** Answers every held call with `answerFor` until none is left (calls made meanwhile included). */
  async function answerAll(answerFor: (call: HeldCall) => RateLimitDecision | Error) {
    for (let round = 0; round < 20; round++) {
      await settle();
      const calls = held.splice(0);
      if (calls.length === 0 && round > 0) return;
      for (const held of calls) {
        const answer = answerFor(held);
        if (answer instanceof Error) held.fail(answer);
        else held.answer(answer);
      }
    }
  }
  /** Answers every call held until `response` settles (however long the request's own work takes). */
  async function answerUntil<T>(
    response: Promise<T>,
    answerFor: (call: HeldCall) => RateLimitDecision,
  ): Promise<T> {
    let settled = false;
    const done = response.finally(() => {
      settled = true;
    });
    while (!settled) {
      await Promise.race([done, settle()]);
      for (const call of held.splice(0)) call.answer(answerFor(call));
    }
    return done;
  }
  return { namespace, held, answerAll, answerUntil };
}
