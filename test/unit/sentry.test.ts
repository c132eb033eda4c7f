import type * as Sentry from "@sentry/cloudflare";
import { describe, expect, it, vi } from "vitest";
import { scrubEvent, sentryDsn, sentryOptions, withOptionalSentry } from "../../src/observability/sentry.ts";
import { testEnv } from "../helpers/env.ts";

describe("sentryDsn", () => {
  it("treats a missing or blank secret as no DSN", () => {
    expect(sentryDsn({})).toBeUndefined();
    expect(sentryDsn({ SENTRY_DSN: "  " })).toBeUndefined();
    expect(sentryDsn(undefined)).toBeUndefined();
    expect(sentryDsn({ SENTRY_DSN: " https://k@sentry.invalid/1 " })).toBe("https://k@sentry.invalid/1");
  });
});

describe("sentryOptions", () => {
  it("collects no personal data, sends no traces and names the environment and release", () => {
    const options = sentryOptions({ ...testEnv, SENTRY_DSN: "https://k@sentry.invalid/1" } as Env);
    expect(options).toMatchObject({
      dsn: "https://k@sentry.invalid/1",
      environment: testEnv.ENVIRONMENT,
      release: testEnv.APP_VERSION,
      tracesSampleRate: 0,
      dataCollection: {
        userInfo: false,
        cookies: false,
        httpHeaders: false,
        httpBodies: [],
        urlQueryParams: false,
      },
    });
  });
});

describe("scrubEvent", () => {
  it("keeps only the method and the path of the request, and drops the user and fetch breadcrumbs", () => {
    const event = scrubEvent({
      type: undefined,
      request: {
        url: "https://api.test/api/v1/properties?owner=jane",
        method: "GET",
        headers: { authorization: "Bearer secret" },
        cookies: { session: "abc" },
        query_string: "owner=jane",
        data: { email: "jane@example.com" },
      },
      user: { id: "u1", email: "jane@example.com", ip_address: "203.0.113.9" },
      breadcrumbs: [
        { category: "fetch", data: { url: "https://idp.test/token?client_secret=x" } },
        { category: "console", message: '{"msg":"request"}' },
      ],
    } as Sentry.ErrorEvent);
    expect(event.request).toEqual({ url: "https://api.test/api/v1/properties", method: "GET" });
    expect(event.user).toBeUndefined();
    expect(event.breadcrumbs?.map((crumb) => crumb.category)).toEqual(["console"]);
  });
});

describe("withOptionalSentry", () => {
  it("passes queue and scheduled invocations to the plain handler when there is no DSN", async () => {
    const queue = vi.fn(async () => {});
    const scheduled = vi.fn(async () => {});
    const wrapped: ExportedHandler<Env> = withOptionalSentry<ExportedHandler<Env>>({ queue, scheduled });
    expect(wrapped.fetch).toBeUndefined();
    const env = { ...testEnv } as Env;
    const ctx = { waitUntil() {}, passThroughOnException() {}, props: {} } as unknown as ExecutionContext;
    await wrapped.queue?.({} as MessageBatch, env, ctx);
    await wrapped.scheduled?.({} as ScheduledController, env, ctx);
    expect(queue).toHaveBeenCalledOnce();
    expect(scheduled).toHaveBeenCalledOnce();
  });
});

describe("scrubEvent, sparse events", () => {
  it("leaves an event without request or breadcrumbs alone apart from the user", () => {
    const event = scrubEvent({ type: undefined, message: "boom", user: { id: "u1" } } as Sentry.ErrorEvent);
    expect(event).toEqual({ type: undefined, message: "boom" });
  });

  it("keeps neither url nor method when the request names none, and drops xhr breadcrumbs", () => {
    const event = scrubEvent({
      type: undefined,
      request: { headers: { cookie: "a=b" } },
      breadcrumbs: [{ category: "xhr" }, { category: "navigation" }],
    } as Sentry.ErrorEvent);
    expect(event.request).toEqual({});
    expect(event.breadcrumbs?.map((crumb) => crumb.category)).toEqual(["navigation"]);
  });
});

describe("withOptionalSentry, handler shapes", () => {
  it("wraps only the entry points the handler has", async () => {
    const fetch = vi.fn(async () => new Response("plain"));
    const wrapped = withOptionalSentry({ fetch } as ExportedHandler<Env>);
    expect(Object.keys(wrapped)).toEqual(["fetch"]);
    const response = await wrapped.fetch?.(
      new Request("https://api.test/") as Parameters<NonNullable<ExportedHandler<Env>["fetch"]>>[0],
      testEnv,
      {} as ExecutionContext,
    );
    expect(await response?.text()).toBe("plain");
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(Object.keys(withOptionalSentry({} as ExportedHandler<Env>))).toEqual([]);
  });
});
