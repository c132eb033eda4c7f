import { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../../app-types.ts";
import { registerCreateFeed } from "./create-feed.ts";
import { registerDeleteFeed } from "./delete-feed.ts";
import { registerGetBatch } from "./get-batch.ts";
import { registerGetFeed } from "./get-feed.ts";
import { registerListFailures } from "./list-failures.ts";
import { registerListFeeds } from "./list-feeds.ts";
import { registerListQuarantine } from "./list-quarantine.ts";
import { registerPostProspects } from "./post-prospects.ts";
import { registerResubmitFailure } from "./resubmit-failure.ts";
import { registerResubmitQuarantined } from "./resubmit-quarantined.ts";
import { registerUpdateFeed } from "./update-feed.ts";

/** /api/v1/prospects: intake. */
export function prospectsRouter() {
  const router = new OpenAPIHono<AppEnv>();
  registerPostProspects(router);
  return router;
}

/** /api/v1/ingest: batches, feed sources, failures and quarantine. */
export function ingestRouter() {
  const router = new OpenAPIHono<AppEnv>();
  registerGetBatch(router);
  registerListFeeds(router);
  registerCreateFeed(router);
  registerGetFeed(router);
  registerUpdateFeed(router);
  registerDeleteFeed(router);
  registerListFailures(router);
  registerResubmitFailure(router);
  registerListQuarantine(router);
  registerResubmitQuarantined(router);
  return router;
}
