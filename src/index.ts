// Worker entry: fetch (the API), queue (enrichment and its dead-letter queue) and scheduled (ingestion cron).
import {
  consumeDeadLetterBatch,
  consumeEnrichmentBatch,
  isDeadLetterQueue,
} from "../queues/enrichment/consumer.ts";
import { createApp } from "./app.ts";
import { runIngestionTick } from "./ingest/cron.ts";
import { defaultPipelineDependencies } from "./ingest/dependencies.ts";

const app = createApp();

export default {
  fetch: app.fetch,
  async queue(batch, env, _ctx) {
    if (isDeadLetterQueue(batch.queue)) await consumeDeadLetterBatch(batch, env);
    else await consumeEnrichmentBatch(batch, env, defaultPipelineDependencies());
  },
  async scheduled(_controller, env, _ctx) {
    await runIngestionTick(env, defaultPipelineDependencies());
  },
} satisfies ExportedHandler<Env>;
