// A misconfigured deployment (the staging and production sections of wrangler.toml, with a bad secret or a
// setting production refuses) answers clients with a generic 500 problem and its request id; the log line with
// that request id names the variables to fix, never their values.
import { afterEach, describe, expect, it, vi } from "vitest";
import { createApp } from "../../src/app.ts";
import { environmentVars, requiredSecrets, type WranglerEnvironment } from "../helpers/wrangler-config.ts";

const GOOD_SECRETS: Record<string, string> = {
  DATABASE_URL: "postgres://app_runtime:runtime-password@db.example.net/realestate",
  ADMIN_DATABASE_URL: "postgres://app_admin:admin-password@db.example.net/realestate",
};

function deployedEnv(environment: WranglerEnvironment, overrides: Record<string, string>): Env {
  const secrets = Object.fromEntries(
    requiredSecrets(environment).map((name) => [name, GOOD_SECRETS[name] ?? "set"]),
  );
  return { ...environmentVars(environment), ...secrets, ...overrides } as unknown as Env;
}

async function misconfiguredRequest(env: Env) {
  const logged: string[] = [];
  vi.spyOn(console, "error").mockImplementation((line: unknown) => void logged.push(String(line)));
  vi.spyOn(console, "log").mockImplementation(() => undefined);
  const response = await createApp().request("/api/v1/properties?limit=1", {}, env);
  const body = (await response.json()) as Record<string, unknown>;
  const lines = logged.flatMap((line) => {
    try {
      return [JSON.parse(line) as Record<string, unknown>];
    } catch {
      return [];
    }
  });
  const serverError = lines.find((line) => line.msg === "server error" && line.requestId === body.requestId);
  return { response, body, serverError };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("configuration errors", () => {
  it.each(["staging", "production"] as const)(
    "%s with a malformed DATABASE_URL secret: the client gets a generic 500, the log names DATABASE_URL",
    async (environment) => {
      const env = deployedEnv(environment, { DATABASE_URL: "mysql://app:secret-password@db.example.net/x" });
      const { response, body, serverError } = await misconfiguredRequest(env);
      expect(response.status).toBe(500);
      expect(response.headers.get("content-type")).toBe("application/problem+json");
      expect(body).toMatchObject({ status: 500, code: "internal", title: "Internal server error" });
      expect(body.requestId).toBe(response.headers.get("x-request-id"));
      expect(JSON.stringify(body)).not.toMatch(/DATABASE_URL|databaseUrl|settings|secret-password|mysql/i);
      expect(serverError?.code).toBe("configuration_error");
      expect(String(serverError?.detail)).toContain("DATABASE_URL");
      expect(JSON.stringify(serverError)).not.toContain("secret-password");
    },
  );

  it("production with a rate limit switched off: the log names RATE_LIMIT_TENANT, the client nothing", async () => {
    const env = deployedEnv("production", { RATE_LIMIT_TENANT: "off" });
    const { response, body, serverError } = await misconfiguredRequest(env);
    expect(response.status).toBe(500);
    expect(body.code).toBe("internal");
    expect(JSON.stringify(body)).not.toMatch(/RATE_LIMIT|rateLimits/);
    expect(String(serverError?.detail)).toContain("RATE_LIMIT_TENANT");
  });
});
