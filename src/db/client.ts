// Database access over the Neon serverless driver's HTTP mode: every call is one HTTP round trip and one
// transaction. Tenant data is read and written only through withTenant, whose first statement sets the tenant
// for that transaction alone; row-level security does the isolation.
import { NeonDbError, neon, neonConfig } from "@neondatabase/serverless";
import { type SQL, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { drizzle, type NeonHttpDatabase } from "drizzle-orm/neon-http";
import { LOOPBACK_HOSTS } from "../domain/ip-address.ts";
import { ApiError } from "../errors.ts";
import { type RetryOptions, retry } from "../retry.ts";

// No `schema` is given to drizzle: it would rebuild its relational-query config from every table on each client
// (one per round trip, below), the largest single cost of a small read in the CPU profile (bench/profile.ts),
// and nothing here uses drizzle's relational `db.query` API; queries name their tables directly.
export type Db = NeonHttpDatabase;
type Query = BatchItem<"pg">;
type Results<T extends readonly Query[]> = { [K in keyof T]: Awaited<T[K]> };

const neonEndpoint = neonConfig.fetchEndpoint;

// The local platform serves the Neon HTTP protocol on the connection string's own loopback host and port, over
// plain HTTP; any other host is Neon and keeps the driver's default endpoint.
neonConfig.fetchEndpoint = (host, port, options) =>
  LOOPBACK_HOSTS.has(host)
    ? `http://${host}:${port}/sql`
    : typeof neonEndpoint === "function"
      ? neonEndpoint(host, port, options)
      : neonEndpoint;

// Serialization failures and deadlocks are safe to retry: a batch is one transaction, so it had no effect. The
// transactions that collided retry at once, so full jitter matters most here; each round trip has its own timeout.
const RETRYABLE_CODES = new Set(["40001", "40P01"]);
const RETRY: RetryOptions = { attempts: 3, baseMs: 40, retryable: isRetryable };

export interface DatabaseOptions {
  url: string;
  timeoutMs: number;
  /** Called with each round trip's duration, for the request's wide event. */
  onRoundTrip?: (durationMs: number) => void;
}

export interface Database {
  /**
   * Runs the statements `build` returns in one transaction (one HTTP round trip) whose first statement sets
   * the tenant; answers their results in order. Statements cannot see each other's results: write a statement
   * that needs another's output as one SQL statement (CTEs).
   */
  withTenant<T extends readonly [Query, ...Query[]]>(
    tenantId: string,
    build: (db: Db) => T,
  ): Promise<Results<T>>;
  /** One trivial round trip; answers its latency in milliseconds. */
  ping(): Promise<number>;
}

/** Maps driver failures onto API errors: no SQL text, no stack, a bounded wait and a Retry-After. */
export function toDatabaseError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof NeonDbError && error.code) {
    if (error.code === "57014") {
      return new ApiError("database_timeout", {
        detail: "The database did not answer in time.",
        cause: error,
      });
    }
    if (error.code.startsWith("08") || error.code === "53300" || error.code === "57P03") {
      return new ApiError("database_unavailable", {
        detail: "The database is not reachable right now.",
        headers: { "Retry-After": "5" },
        cause: error,
      });
    }
    // Integrity violations keep the driver error as `cause` (its `constraint` names which one) so a service can
    // turn a known one into a precise answer; the client only ever sees the generic conflict.
    if (error.code.startsWith("23")) {
      return new ApiError("conflict", { detail: "The write conflicts with existing data.", cause: error });
    }
    return new ApiError("internal", { cause: error });
  }
  const failure = error as { name?: string; sourceError?: { name?: string }; cause?: { name?: string } };
  const timedOut = [failure?.name, failure?.sourceError?.name, failure?.cause?.name].includes("TimeoutError");
  return new ApiError(timedOut ? "database_timeout" : "database_unavailable", {
    detail: timedOut ? "The database did not answer in time." : "The database is not reachable right now.",
    headers: { "Retry-After": timedOut ? "2" : "5" },
    cause: error,
  });
}

function isRetryable(error: unknown): boolean {
  return error instanceof NeonDbError && RETRYABLE_CODES.has(error.code ?? "");
}

export function createDatabase(options: DatabaseOptions): Database {
  // A fresh client per round trip gives each its own timeout; building one is cheap (no connection is held).
  function client(): Db {
    const signal = AbortSignal.timeout(options.timeoutMs);
    return drizzle({ client: neon(options.url, { fetchOptions: { signal } }) });
  }

  async function roundTrip<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await retry(async () => {
        const started = performance.now();
        try {
          return await run();
        } finally {
          options.onRoundTrip?.(performance.now() - started);
        }
      }, RETRY);
    } catch (error) {
      throw toDatabaseError(error);
    }
  }

  return {
    withTenant(tenantId, build) {
      return roundTrip(async () => {
        const db = client();
        const setTenant: SQL = sql`select set_config('app.current_tenant_id', ${tenantId}, true)`;
        const [, ...results] = await db.batch([db.execute(setTenant), ...build(db)]);
        return results as never;
      });
    },
    async ping() {
      const started = performance.now();
      await roundTrip(() => client().execute(sql`select 1`));
      return Math.round(performance.now() - started);
    },
  };
}
