// Reads overlapping their limiter decision (src/middleware/rate-limit.ts): a scripted RATE_LIMITER binding holds
// each decision until the test answers it, so the order of the read's own work and the answer can be observed.
import { describe, expect, it } from "vitest";
import { envWith, send, uniqueClientIp } from "../helpers/rate-limit.ts";
import { decision, scriptedLimiter, settle } from "../helpers/scripted-limiter.ts";
import { appWithStandInAuth, bearer, tenantToken } from "../helpers/stand-in-auth.ts";

function probeApp() {
  const { app } = appWithStandInAuth();
  const reads: string[] = [];
  app.get("/api/v1/probe", (c) => {
    reads.push(c.req.header("x-probe") ?? "");
    return c.json({ secret: "what the read found" });
  });
  app.post("/api/v1/probe", (c) => {
    reads.push(c.req.header("x-probe") ?? "");
    return c.json({ ok: true }, 201);
  });
  return { app, reads };
}

/**
 * A probe app, a scripted limiter and a tenant whose first read was admitted with 9 of 10 left, so this isolate's
 * next reads of that tenant and address may overlap their decisions.
 */
async function warmedUp() {
  const limiter = scriptedLimiter();
  const env = envWith({ RATE_LIMITER: limiter.namespace, RATE_LIMIT_TENANT: "10/60" });
  const { app, reads } = probeApp();
  const init = bearer(tenantToken(), uniqueClientIp());
  const first = send(app, env, "/api/v1/probe", init);
  await limiter.answerAll(() => decision(9));
  expect((await first).status).toBe(200);
  return { limiter, env, app, reads, init };
}

/** Sends a request and reports whether it has been answered yet. */
function track(response: Promise<Response>) {
  const state = { answered: false, response };
  response.then(() => {
    state.answered = true;
  });
  return state;
}

describe("reads overlapping the limiter's decision", () => {
  it("waits for the first decision of a key, then runs later reads alongside theirs and answers after it", async () => {
    const limiter = scriptedLimiter();
    const env = envWith({ RATE_LIMITER: limiter.namespace, RATE_LIMIT_TENANT: "10/60" });
    const { app, reads } = probeApp();
    const init = bearer(tenantToken(), uniqueClientIp());
    const probe = (name: string) => ({ ...init, headers: { ...init.headers, "x-probe": name } });

    const first = track(send(app, env, "/api/v1/probe", probe("first")));
    await settle();
    expect(limiter.held.map((call) => call.kind)).toEqual(["peek"]);
    expect(reads).toEqual([]);
    await limiter.answerAll(() => decision(9));
    expect((await first.response).status).toBe(200);
    expect(reads).toEqual(["first"]);

    const second = track(send(app, env, "/api/v1/probe", probe("second")));
    await settle();
    // Both decisions are still held, and the read has already run; the answer waits for them.
    expect(limiter.held.map((call) => call.kind).sort()).toEqual(["consume", "peek"]);
    expect(reads).toEqual(["first", "second"]);
    expect(second.answered).toBe(false);
    await limiter.answerAll(() => decision(8));
    const answered = await second.response;
    expect(answered.status).toBe(200);
    expect(answered.headers.get("ratelimit")).toBe('"tenant";r=8;t=60');
  });

  it("answers 429, never what the read found, when the overlapped decision refuses", async () => {
    const { limiter, env, app, reads, init } = await warmedUp();

    const refused = send(app, env, "/api/v1/probe", init);
    await limiter.answerAll((call) => (call.kind === "consume" ? decision(0, false) : decision(9)));
    const response = await refused;
    expect(reads).toHaveLength(2);
    expect(response.status).toBe(429);
    expect(response.headers.get("retry-after")).toBe("60");
    const body = await response.text();
    expect(body).toContain("rate_limited");
    expect(body).not.toContain("what the read found");
  });

  it("fails closed after an overlapped read when the failed-authentication check cannot answer", async () => {
    const { limiter, env, app, reads, init } = await warmedUp();

    const failing = send(app, env, "/api/v1/probe", init);
    await limiter.answerAll((call) => (call.kind === "peek" ? new Error("object reset") : decision(8)));
    const response = await failing;
    expect(reads).toHaveLength(2);
    expect(response.status).toBe(503);
    expect(await response.text()).not.toContain("what the read found");
  });

  it("never runs a write, or a read near the limit, before its decision", async () => {
    const { limiter, env, app, reads, init } = await warmedUp();

    // A write with plenty of budget left waits.
    const write = track(send(app, env, "/api/v1/probe", { ...init, method: "POST" }));
    await settle();
    expect(reads).toHaveLength(1);
    await limiter.answerAll((call) => decision(call.kind === "consume" ? 1 : 9));
    expect((await write.response).status).toBe(201);
    expect(reads).toHaveLength(2);

    // The tenant's latest decision left 1 of 10: the next read waits for its own.
    const nearLimit = track(send(app, env, "/api/v1/probe", init));
    await settle();
    expect(limiter.held.map((call) => call.kind).sort()).toEqual(["consume", "peek"]);
    expect(reads).toHaveLength(2);
    await limiter.answerAll(() => decision(0));
    expect((await nearLimit.response).status).toBe(200);
    expect(reads).toHaveLength(3);
  });
});
