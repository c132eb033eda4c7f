// Builds the Hono app. Middleware order is fixed here and only here:
// response headers (outermost, so errors get them too) -> request context (id, settings, db, wide event) -> per-IP rate limit -> authentication (all of /api/v1 but
// health, and the RESO Web API at /reso/odata) -> per-tenant rate limit -> user provisioning -> generation bump (writes) -> edge cache (opted-in reads) -> routes; errors from any of them become problem+json in handleError.
import { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "./app-types.ts";
import { authenticate, provisionUser } from "./middleware/auth.ts";
import { bumpGenerationOnWrite, edgeCache } from "./middleware/edge-cache.ts";
import { handleError, handleNotFound } from "./middleware/errors.ts";
import { ipRateLimit, tenantRateLimit } from "./middleware/rate-limit.ts";
import { requestContext } from "./middleware/request-context.ts";
import { allowedMethods, responseHeaders } from "./middleware/response-headers.ts";
import { compsRouter } from "./routes/comps/index.ts";
import { docsRouter } from "./routes/docs/index.ts";
import { healthRouter } from "./routes/health/index.ts";
import { ingestRouter, prospectsRouter } from "./routes/ingest/index.ts";
import { registerOpenApiDocument } from "./routes/openapi.ts";
import { propertiesRouter } from "./routes/properties/index.ts";
import { resoRouter, SERVICE_ROOT_PATH } from "./routes/reso/index.ts";
import { statsRouter } from "./routes/stats/index.ts";
import { usersRouter } from "./routes/users/index.ts";
import { validationHook } from "./routes/validation.ts";
import { valuationRouter } from "./routes/valuation/index.ts";

export function createApp() {
  const app = new OpenAPIHono<AppEnv>({ strict: true, defaultHook: validationHook });
  app.onError(handleError);
  // A known path asked with a method it does not take is 405 with Allow, not 404.
  app.notFound((c) => handleNotFound(c, allowedMethods(app.routes, c.req.path)));

  app.use("*", responseHeaders());
  app.use("*", requestContext());
  app.use("*", ipRateLimit());
  app.use("/api/v1/*", authenticate());
  app.use(`${SERVICE_ROOT_PATH}/*`, authenticate());
  // On every path, so that public routes reached with a made-up token count as anonymous requests.
  app.use("*", tenantRateLimit());
  // Writes a new or changed caller's user row, only once the request is admitted.
  app.use("/api/v1/*", provisionUser());
  app.use(`${SERVICE_ROOT_PATH}/*`, provisionUser());
  // Every write of a tenant bumps its data generation before answering; reads of the properties group (GET one,
  // list and search, comps, valuations of stored properties) and of the RESO Web API are served from the
  // tenant-safe edge cache.
  app.use("/api/v1/*", bumpGenerationOnWrite());
  app.use("/api/v1/properties/*", edgeCache());
  app.use(`${SERVICE_ROOT_PATH}/*`, edgeCache({ varyHeaders: ["prefer"] }));

  app.route("/api/v1/health", healthRouter());
  app.route("/api/v1/properties", propertiesRouter());
  app.route("/docs", docsRouter());
  app.route("/api/v1/stats", statsRouter());
  app.route("/api/v1", usersRouter());
  app.route("/api/v1/prospects", prospectsRouter());
  app.route("/api/v1/ingest", ingestRouter());
  app.route("/api/v1/properties", compsRouter());
  app.route("/api/v1", valuationRouter());
  app.route(SERVICE_ROOT_PATH, resoRouter());

  registerOpenApiDocument(app);
  return app;
}
