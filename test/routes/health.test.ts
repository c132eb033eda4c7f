import { createExecutionContext } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app.ts";
import { testEnv } from "../helpers/env.ts";

const api = exports.default;

describe("GET /api/v1/health", () => {
  it("answers the version and database reachability without authentication", async () => {
    const response = await api.fetch("http://api.test/api/v1/health");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("application/json");
    expect(response.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    const body = await response.json<{ status: string; version: string; database: { reachable: boolean } }>();
    expect(body).toMatchObject({ status: "ok", version: testEnv.APP_VERSION, database: { reachable: true } });
  });

  it("keeps a well-formed incoming request id and replaces a malformed one", async () => {
    const kept = await api.fetch("http://api.test/api/v1/health", {
      headers: { "x-request-id": "client-req-0001" },
    });
    expect(kept.headers.get("x-request-id")).toBe("client-req-0001");
    const replaced = await api.fetch("http://api.test/api/v1/health", {
      headers: { "x-request-id": "bad id\n" },
    });
    expect(replaced.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("answers 503 problem+json with Retry-After when the database refuses connections", async () => {
    const app = createApp();
    const env = { ...testEnv, DATABASE_URL: "postgres://app_runtime:app_runtime@127.0.0.1:9/realestate" };
    const response = await app.fetch(
      new Request("http://api.test/api/v1/health"),
      env,
      createExecutionContext(),
    );
    expect(response.status).toBe(503);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    expect(Number(response.headers.get("retry-after"))).toBeGreaterThan(0);
    const body = await response.json<Record<string, unknown>>();
    expect(body).toMatchObject({ status: 503, code: "database_unavailable", database: { reachable: false } });
    expect(JSON.stringify(body)).not.toMatch(/ECONNREFUSED|stack|select/i);
  });

  it("gives up on a database that never answers within DB_TIMEOUT_MS", async () => {
    const app = createApp();
    const env = { ...testEnv, DATABASE_URL: testEnv.HANGING_DATABASE_URL, DB_TIMEOUT_MS: "300" };
    const started = Date.now();
    const response = await app.fetch(
      new Request("http://api.test/api/v1/health"),
      env,
      createExecutionContext(),
    );
    const elapsed = Date.now() - started;
    expect([503, 504]).toContain(response.status);
    expect(response.headers.get("retry-after")).toBeTruthy();
    // Three attempts are only made for retryable database errors; a timeout is answered after one.
    expect(elapsed).toBeLessThan(2_000);
  });
});

describe("errors", () => {
  it("answers unknown routes with a 404 problem", async () => {
    const response = await api.fetch("http://api.test/nope");
    expect(response.status).toBe(404);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    const body = await response.json<Record<string, unknown>>();
    expect(body).toMatchObject({
      type: "https://real-estate-os.dev/problems/not-found",
      title: "Not found",
      status: 404,
      instance: "/nope",
      code: "not_found",
    });
    expect(body.requestId).toBe(response.headers.get("x-request-id"));
  });

  it("answers invalid settings with a generic 500 that names neither the setting nor its value", async () => {
    const app = createApp();
    const env = { ...testEnv, DATABASE_URL: "mysql://secret-password@db" };
    const response = await app.fetch(
      new Request("http://api.test/api/v1/health"),
      env,
      createExecutionContext(),
    );
    expect(response.status).toBe(500);
    const body = await response.json<{ code: string; detail?: string; requestId: string }>();
    expect(body.code).toBe("internal");
    expect(body.requestId).toBe(response.headers.get("x-request-id"));
    expect(JSON.stringify(body)).not.toMatch(/databaseUrl|DATABASE_URL|secret-password/);
  });
});
