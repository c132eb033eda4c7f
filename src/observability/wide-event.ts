// The request's wide event: started by the request-context middleware, filled in by what runs after it, then
// written as the request's log line and its Analytics Engine point (metrics.ts). A module of its own so that
// the middleware and the metrics writer both import it rather than each other.

/** The fields of the one log line each request leaves. No tokens, no personal data. */
export interface WideEvent {
  requestId: string;
  method: string;
  route: string;
  status: number;
  durationMs: number;
  dbMs: number;
  dbRoundTrips: number;
  colo: string;
  tenantId?: string;
  userId?: string;
  /** Time spent verifying the token and resolving the caller (database time included when not cached). */
  authMs?: number;
  /** Time spent waiting for rate-limiter decisions (Durable Object calls). */
  rateLimitMs?: number;
  /** The edge cache's outcome for a cacheable read (middleware/edge-cache.ts). */
  cache?: "hit" | "miss" | "bypass";
  errorCode?: string;
  rateLimited?: boolean;
}
