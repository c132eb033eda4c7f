import type { Database } from "../db/client.ts";
import { ApiError } from "../errors.ts";

export interface HealthReport {
  status: "ok";
  version: string;
  database: { reachable: true; latencyMs: number };
}

export async function checkHealth(db: Database, version: string): Promise<HealthReport> {
  try {
    const latencyMs = await db.ping();
    return { status: "ok", version, database: { reachable: true, latencyMs } };
  } catch (error) {
    const cause = error instanceof ApiError ? error : undefined;
    throw new ApiError(cause?.code === "database_timeout" ? "database_timeout" : "database_unavailable", {
      detail: "The database is not reachable.",
      headers: { "Retry-After": cause?.headers["Retry-After"] ?? "5" },
      extensions: { version, database: { reachable: false } },
      cause: error,
    });
  }
}
