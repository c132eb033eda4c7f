// Dead letters under every environment's real configuration: the queue names and vars come from wrangler.toml
// (read by the global setup, test/helpers/wrangler-config.ts), so a renamed queue or a forgotten var fails here.
import { describe, expect, inject, it } from "vitest";
import { MAX_RETRIES } from "../../queues/enrichment/consumer.ts";
import worker from "../../src/index.ts";
import { testEnv } from "../helpers/env.ts";
import { callApi, capturingQueue, deliver, pipelineEnv, prospect } from "../helpers/pipeline.ts";
import { adminSql, createTenant } from "../helpers/tenants.ts";

const REFUSING_DATABASE_URL = "postgres://app_runtime:app_runtime@127.0.0.1:9/realestate";
const environments = inject("queueEnvironments");

describe("dead letters in every environment of wrangler.toml", () => {
  it("covers the top level, staging and production", () => {
    expect(environments.map((environment) => environment.environment)).toEqual([
      "development",
      "staging",
      "production",
    ]);
  });

  describe.each(environments)("$environment", (environment) => {
    it("names its consumer's dead_letter_queue in ENRICHMENT_DEAD_LETTER_QUEUE, and consumes that queue", () => {
      expect(environment.vars.ENRICHMENT_DEAD_LETTER_QUEUE).toBe(environment.deadLetterQueue);
      expect(environment.consumers).toContain(environment.deadLetterQueue);
    });

    it("retries a poison record on its queue, then records it from its dead-letter queue in GET /ingest/failures", async () => {
      const tenant = await createTenant();
      const queue = capturingQueue();
      const apiEnv = pipelineEnv(queue);
      const submitted = await callApi(apiEnv, "/api/v1/prospects", {
        method: "POST",
        headers: await tenant.headers("editor"),
        body: JSON.stringify([prospect(1)]),
      });
      expect(submitted.status).toBe(202);
      const [message] = queue.take().filter((body) => body.tenantId === tenant.id);
      expect(message).toBeDefined();

      // The Worker as that environment runs it: its vars, the test platform's databases as its secrets.
      const deployed = (overrides: Record<string, string> = {}) =>
        pipelineEnv(queue, {
          ...environment.vars,
          DATABASE_URL: testEnv.DATABASE_URL,
          ADMIN_DATABASE_URL: testEnv.ADMIN_DATABASE_URL,
          ...overrides,
        });
      const down = deployed({ DATABASE_URL: REFUSING_DATABASE_URL });
      for (let attempt = 1; attempt <= MAX_RETRIES + 1; attempt++) {
        const result = await deliver(
          environment.queue,
          [message],
          (batch, ctx) => worker.queue(batch, down, ctx),
          attempt,
        );
        expect(result.retryMessages).toEqual([{ msgId: result.ids[0] }]);
      }

      // Queues moves it to the environment's dead-letter queue; that delivery is recorded, not enriched.
      const dead = await deliver(environment.deadLetterQueue, [message], (batch, ctx) =>
        worker.queue(batch, deployed(), ctx),
      );
      expect(dead.explicitAcks).toEqual(dead.ids);
      const [row] = await adminSql()`select status from prospect_queue where tenant_id = ${tenant.id}`;
      expect(row?.status).toBe("failed");
      const [properties] =
        await adminSql()`select count(*)::int as n from properties where tenant_id = ${tenant.id}`;
      expect(properties?.n).toBe(0);

      const listed = await callApi(apiEnv, "/api/v1/ingest/failures", {
        headers: await tenant.headers("viewer"),
      });
      expect(listed.status).toBe(200);
      const { items } = await listed.json<{ items: { reason: string; prospectId: string }[] }>();
      expect(items).toEqual([
        expect.objectContaining({ reason: "retries_exhausted", prospectId: message?.prospectId }),
      ]);
    });
  });
});
