// Helpers for the rate-limit suites: unique client addresses, custom-env requests and RateLimit field parsing.
import { createExecutionContext } from "cloudflare:test";
import { testEnv } from "./env.ts";

/** A private-range IPv4 address no other test uses. */
export function uniqueClientIp(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(3));
  return `10.${bytes[0]}.${bytes[1]}.${bytes[2]}`;
}

/** The first four groups of a /64 no other test uses, e.g. "2001:db8:1f:a0c3". */
export function uniqueIPv6Prefix(): string {
  const words = crypto.getRandomValues(new Uint16Array(2));
  return `2001:db8:${[...words].map((word) => word.toString(16)).join(":")}`;
}

export function envWith(overrides: Partial<Record<keyof Env, unknown>>): Env {
  return { ...testEnv, ...overrides } as Env;
}

interface FetchingApp {
  fetch(request: Request, env: Env, ctx: ExecutionContext): Response | Promise<Response>;
}

/** One request through `app` with a custom env, as the Worker's fetch would make it. */
export async function send(
  app: FetchingApp,
  env: Env,
  path: string,
  init: RequestInit = {},
): Promise<Response> {
  return app.fetch(new Request(`http://api.test${path}`, init), env, createExecutionContext());
}

/** The `r` and `t` parameters of a RateLimit field value such as `"anon";r=4;t=60`. */
export function parseRateLimit(value: string | null) {
  const match = /^"([a-z-]+)";r=(\d+);t=(\d+)$/.exec(value ?? "");
  if (!match) throw new Error(`not a RateLimit field value: ${value}`);
  return { policy: match[1], remaining: Number(match[2]), reset: Number(match[3]) };
}
