// Worker entry: fetch (the API); re-exports the Durable Object classes wrangler.toml binds.
import { createApp } from "./app.ts";

export { RateLimiterObject } from "../durable-objects/rate-limiter/object.ts";

const app = createApp();

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Env>;
