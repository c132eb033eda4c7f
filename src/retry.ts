// The one retry helper: how long to wait before attempt n+1 (exponential backoff with full jitter) and a loop
// that retries what the caller says is worth retrying, within a number of attempts and a deadline. The database
// client, the Qdrant client and the enrichment queue consumer (whose waits Queues itself runs) all use it.
//
// Full jitter (a wait drawn uniformly from zero to the ceiling, the ceiling doubling per attempt) spreads callers
// that failed together, so they do not come back in step; `floor` keeps a share of the ceiling for callers with
// few attempts, for whom three waits drawn near zero would give up within moments of the first failure.

export interface BackoffPolicy {
  /** Ceiling of the first wait, in milliseconds; it doubles with each further attempt. */
  baseMs: number;
  /** No wait is longer. */
  maxMs?: number;
  /** Share of the ceiling every wait keeps, 0 (full jitter, the default) to 1 (no jitter). */
  floor?: number;
}

export interface RetryOptions extends BackoffPolicy {
  /** Attempts in all, the first one included. */
  attempts: number;
  /** Whether a failure may be retried; any other is thrown at once. */
  retryable: (error: unknown) => boolean;
  /** Epoch milliseconds after which no attempt starts and no wait runs. */
  deadline?: number;
  /** A wait the failure asks for itself (an HTTP Retry-After), used instead of the backoff. */
  requestedWaitMs?: (error: unknown) => number | undefined;
  random?: () => number;
}

/** Thrown when the deadline passes before an attempt succeeds; `cause` is the last failure, if there was one. */
export class RetryDeadlineError extends Error {
  constructor(cause?: unknown) {
    super("retry deadline passed", { cause });
    this.name = "RetryDeadlineError";
  }
}

/** The wait before the attempt after failed attempt `attempt` (1-based). */
export function backoffMs(
  attempt: number,
  policy: BackoffPolicy,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(
    policy.maxMs ?? Number.POSITIVE_INFINITY,
    policy.baseMs * 2 ** Math.max(0, attempt - 1),
  );
  const floor = ceiling * (policy.floor ?? 0);
  return floor + random() * (ceiling - floor);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Runs `attempt` until it succeeds, throws what is not retryable, or has been tried `attempts` times (then its
 * last failure is thrown). With a deadline, `attempt` is given the milliseconds left, and RetryDeadlineError is
 * thrown when none are left for another attempt.
 */
export async function retry<T>(
  attempt: (remainingMs: number) => Promise<T>,
  options: RetryOptions,
): Promise<T> {
  const deadline = options.deadline ?? Number.POSITIVE_INFINITY;
  let lastError: unknown;
  for (let attemptNumber = 1; ; attemptNumber++) {
    const remaining = deadline - Date.now();
    if (remaining <= 0) throw new RetryDeadlineError(lastError);
    try {
      return await attempt(remaining);
    } catch (error) {
      if (!options.retryable(error) || attemptNumber >= options.attempts) throw error;
      lastError = error;
      const wait = Math.min(
        options.requestedWaitMs?.(error) ?? backoffMs(attemptNumber, options, options.random),
        deadline - Date.now(),
      );
      if (wait <= 0) throw new RetryDeadlineError(error);
      await sleep(wait);
    }
  }
}
