// The rate-limit decision as a pure function of (state, now, cost, policy): no clock, no storage, no I/O, so
// the window's edges can be tested exactly with a fake clock and the Durable Object only persists what it says.
//
// Algorithm: a sliding log of admitted (time, cost) pairs covering the last window.
//
// Why not GCRA: GCRA with burst = limit N and emission interval T = W / N admits a burst of N at time s (its
// theoretical arrival time moves to s + W) and then one more request every T from s + T on, so the window
// [s, s + W) admits up to 2N - 1. No setting of GCRA keeps both "a burst of N is allowed" and "no window of
// length W admits more than N", and the product promises the second. Fixed windows fail the same way (N at the
// end of one window plus N at the start of the next). A log of the window's admissions is exact; its memory is
// O(distinct milliseconds admitted in one window), which the policy limits cap (see src/rate-limit-policies.ts).
//
// Guarantee: for every instant t, the cost admitted in the window (t - W, t] is at most N.
// Proof: let a be the last admission at or before t (if there is none, the window is empty). Nothing was
// admitted in (a, t], so the window holds the admissions of (t - W, a], a subset of (a - W, a] because
// t >= a. Admission times never decrease (now is clamped to the newest logged time), so when a was decided
// the log held every admission at or before a; the rule admitted a only if the cost logged in (a - W, a]
// plus a's own cost was at most N. Hence cost((t - W, t]) <= N. The argument needs each decision to see the
// log left by the previous one, which RateLimiterObject guarantees by deciding and persisting without an
// await in between, however many callers are concurrent.

export interface RateLimitPolicy {
  /** Most cost units admitted in any window of `windowSeconds`. */
  limit: number;
  windowSeconds: number;
}

export interface Admission {
  /** Epoch milliseconds of the admission. */
  atMs: number;
  /** Cost units admitted at that millisecond (several admissions in one millisecond share an entry). */
  cost: number;
}

export interface SlidingLogState {
  /** Admissions inside the window as of the last decision, oldest first, one entry per millisecond. */
  admissions: readonly Admission[];
}

export const EMPTY_SLIDING_LOG: SlidingLogState = { admissions: [] };

export interface RateLimitDecision {
  allowed: boolean;
  limit: number;
  windowSeconds: number;
  /** Cost units still available in the window after this decision. */
  remaining: number;
  /**
   * Seconds until more quota is made available (the RateLimit field's `t`). Admitted: until the oldest
   * admission in the window leaves it. Refused: until a request of the same cost would be admitted, so it
   * equals `retryAfterSeconds`. 0 only when nothing is in the window.
   */
  resetSeconds: number;
  /** Exact time until a request of the same cost would be admitted, rounded up to whole seconds; 0 if allowed. */
  retryAfterSeconds: number;
}

export interface RateLimitOutcome {
  decision: RateLimitDecision;
  /** The state to keep: expired admissions dropped, this one appended if it was allowed. */
  state: SlidingLogState;
}

function assertValid(cost: number, policy: RateLimitPolicy): void {
  if (!Number.isInteger(policy.limit) || policy.limit < 1) throw new RangeError("policy.limit must be >= 1");
  if (!Number.isInteger(policy.windowSeconds) || policy.windowSeconds < 1)
    throw new RangeError("policy.windowSeconds must be >= 1");
  // A cost above the limit could never be admitted; refusing it forever would be a silent misconfiguration.
  if (!Number.isInteger(cost) || cost < 1 || cost > policy.limit)
    throw new RangeError(`cost must be an integer in 1..${policy.limit}`);
}

function secondsUntil(milliseconds: number): number {
  return Math.max(0, Math.ceil(milliseconds / 1000));
}

interface WindowView {
  nowMs: number;
  windowMs: number;
  live: readonly Admission[];
  used: number;
}

function viewWindow(state: SlidingLogState, nowMs: number, policy: RateLimitPolicy): WindowView {
  const newest = state.admissions.at(-1);
  // A clock that steps back (a relocated object) must not reopen quota already spent.
  const effectiveNow = newest && newest.atMs > nowMs ? newest.atMs : nowMs;
  const windowMs = policy.windowSeconds * 1000;
  const cutoff = effectiveNow - windowMs;
  let firstLive = 0;
  while (firstLive < state.admissions.length && (state.admissions[firstLive] as Admission).atMs <= cutoff)
    firstLive++;
  const live = firstLive === 0 ? state.admissions : state.admissions.slice(firstLive);
  let used = 0;
  for (const admission of live) used += admission.cost;
  return { nowMs: effectiveNow, windowMs, live, used };
}

/** Milliseconds until enough of the window's admissions expire for `cost` more units to fit. */
function waitForRoom(view: WindowView, cost: number, limit: number): number {
  const mustFree = view.used + cost - limit;
  let freed = 0;
  for (const admission of view.live) {
    freed += admission.cost;
    if (freed >= mustFree) return admission.atMs + view.windowMs - view.nowMs;
  }
  // Unreachable while cost <= limit: expiring every admission frees `used` >= mustFree units.
  return view.windowMs;
}

function refusal(view: WindowView, cost: number, policy: RateLimitPolicy): RateLimitDecision {
  const retryAfterSeconds = secondsUntil(waitForRoom(view, cost, policy.limit));
  return {
    allowed: false,
    limit: policy.limit,
    windowSeconds: policy.windowSeconds,
    remaining: Math.max(0, policy.limit - view.used),
    resetSeconds: retryAfterSeconds,
    retryAfterSeconds,
  };
}

/** Decides a request of `cost` units at `nowMs` and charges it when admitted. */
export function consumeRateLimit(
  state: SlidingLogState,
  nowMs: number,
  cost: number,
  policy: RateLimitPolicy,
): RateLimitOutcome {
  assertValid(cost, policy);
  const view = viewWindow(state, nowMs, policy);
  if (view.used + cost > policy.limit) {
    return { decision: refusal(view, cost, policy), state: { admissions: view.live } };
  }
  const newest = view.live.at(-1);
  const admissions =
    newest && newest.atMs === view.nowMs
      ? [...view.live.slice(0, -1), { atMs: view.nowMs, cost: newest.cost + cost }]
      : [...view.live, { atMs: view.nowMs, cost }];
  const oldest = admissions[0] as Admission;
  return {
    decision: {
      allowed: true,
      limit: policy.limit,
      windowSeconds: policy.windowSeconds,
      remaining: policy.limit - view.used - cost,
      resetSeconds: secondsUntil(oldest.atMs + view.windowMs - view.nowMs),
      retryAfterSeconds: 0,
    },
    state: { admissions },
  };
}

/** Whether a request of `cost` units would be admitted at `nowMs`, without charging it. */
export function peekRateLimit(
  state: SlidingLogState,
  nowMs: number,
  cost: number,
  policy: RateLimitPolicy,
): RateLimitDecision {
  assertValid(cost, policy);
  const view = viewWindow(state, nowMs, policy);
  if (view.used + cost > policy.limit) return refusal(view, cost, policy);
  const oldest = view.live[0];
  return {
    allowed: true,
    limit: policy.limit,
    windowSeconds: policy.windowSeconds,
    remaining: policy.limit - view.used,
    resetSeconds: oldest ? secondsUntil(oldest.atMs + view.windowMs - view.nowMs) : 0,
    retryAfterSeconds: 0,
  };
}

/** When every admission in the log will have left a window of `windowSeconds`; null for an empty log. */
export function idleFromMs(state: SlidingLogState, windowSeconds: number): number | null {
  const newest = state.admissions.at(-1);
  return newest ? newest.atMs + windowSeconds * 1000 : null;
}
