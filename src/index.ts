// Worker entry: fetch (the API), queue (enrichment and its dead-letter queue), scheduled (ingestion cron), and
// the Durable Object classes wrangler.toml binds. Errors go to Sentry only when SENTRY_DSN is set
// (observability/sentry.ts).
import {
  consumeDeadLetterBatch,
  consumeEnrichmentBatch,
  isDeadLetterQueue,
} from "../queues/enrichment/consumer.ts";
import { createApp } from "./app.ts";
import { runIngestionTick } from "./ingest/cron.ts";
import { withOptionalSentry } from "./observability/sentry.ts";
import { defaultPipelineDependencies } from "./services/pipeline-dependencies.ts";

export { RateLimiterObject } from "../durable-objects/rate-limiter/object.ts";

const app = createApp();

export default withOptionalSentry({
  fetch: app.fetch,
  async queue(batch, env, _ctx) {
    if (isDeadLetterQueue(batch.queue, env)) await consumeDeadLetterBatch(batch, env);
    else await consumeEnrichmentBatch(batch, env, defaultPipelineDependencies());
  },
  async scheduled(_controller, env, _ctx) {
    await runIngestionTick(env, defaultPipelineDependencies());
  },
});
