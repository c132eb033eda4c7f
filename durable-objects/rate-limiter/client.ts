// The Worker's side of the limiter: one RPC per decision to the key's object, bounded by a timeout so a slow or
// broken object turns into a typed fault the middleware can fail open or closed on, never into a hung request.
import type { RateLimitDecision, RateLimitPolicy } from "./algorithm.ts";
import type { GenerationDecision, RateLimiterObject } from "./object.ts";

/** Why a decision could not be had: the object said it is overloaded, threw, or did not answer in time. */
export type RateLimiterFault = "overloaded" | "error" | "timeout";

export class RateLimiterUnavailableError extends Error {
  readonly fault: RateLimiterFault;

  constructor(fault: RateLimiterFault, options?: { cause?: unknown }) {
    super(`rate limiter ${fault}`, options);
    this.name = "RateLimiterUnavailableError";
    this.fault = fault;
  }
}

export interface RateLimiter {
  /** Decides and, if admitted, charges `cost` units to `key`; the answer carries the key's data generation. */
  consume(key: string, cost: number, policy: RateLimitPolicy): Promise<GenerationDecision>;
  /** Whether `cost` units would be admitted for `key`, charging nothing. */
  peek(key: string, cost: number, policy: RateLimitPolicy): Promise<RateLimitDecision>;
  /** The key's data generation, without a decision. */
  generation(key: string): Promise<number>;
  /** Bumps the key's data generation; answers the new one. */
  bump(key: string): Promise<number>;
}

export interface RateLimiterOptions {
  /** Longest wait for an answer before the call counts as failed. */
  timeoutMs: number;
}

function classify(error: unknown): RateLimiterUnavailableError {
  if (error instanceof RateLimiterUnavailableError) return error;
  // Durable Object errors carry `overloaded: true` when the object's queue is full.
  const overloaded = (error as { overloaded?: unknown } | null)?.overloaded === true;
  return new RateLimiterUnavailableError(overloaded ? "overloaded" : "error", { cause: error });
}

async function withTimeout<T>(call: () => Promise<T>, timeoutMs: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RateLimiterUnavailableError("timeout")), timeoutMs);
  });
  try {
    return await Promise.race([call(), timedOut]);
  } catch (error) {
    throw classify(error);
  } finally {
    clearTimeout(timer);
  }
}

export function createRateLimiter(
  namespace: DurableObjectNamespace<RateLimiterObject>,
  options: RateLimiterOptions,
): RateLimiter {
  return {
    consume(key, cost, policy) {
      return withTimeout(
        async () => (await namespace.getByName(key).consume({ cost, policy })) as GenerationDecision,
        options.timeoutMs,
      );
    },
    peek(key, cost, policy) {
      return withTimeout(
        async () => (await namespace.getByName(key).peek({ cost, policy })) as RateLimitDecision,
        options.timeoutMs,
      );
    },
    generation(key) {
      return withTimeout(
        async () => (await namespace.getByName(key).generation()) as number,
        options.timeoutMs,
      );
    },
    bump(key) {
      return withTimeout(async () => (await namespace.getByName(key).bump()) as number, options.timeoutMs);
    },
  };
}
