// The OpenAPI 3.1 document. Routes describe their own inputs, outputs and route-specific errors; the responses
// that come from the shared middleware (authentication, rate limits, database faults, the error handler) are
// the same for every authenticated operation, so they are added here once rather than repeated in every route.
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../app-types.ts";
import { PUBLIC_PATHS } from "../middleware/auth.ts";
import { ODATA_PATH_PREFIX } from "../middleware/errors.ts";
import { problemResponseReferences } from "./problem.ts";

const MIDDLEWARE_STATUSES_AUTHENTICATED = [401, 403, 429, 500, 503, 504];
const MIDDLEWARE_STATUSES_PUBLIC = [429, 500];

function odataErrorResponseReferences(...statuses: number[]) {
  return Object.fromEntries(
    statuses.map((status) => [
      status,
      {
        description: `OData error (${status})`,
        content: { "application/json": { schema: { $ref: "#/components/schemas/ODataError" } } },
      },
    ]),
  );
}

type Operation = { responses?: Record<string, unknown>; security?: unknown[] };

export function registerOpenApiDocument(app: OpenAPIHono<AppEnv>): void {
  app.get("/openapi.json", (c) => {
    const document = app.getOpenAPI31Document({
      openapi: "3.1.0",
      info: { title: "Real Estate OS API", version: c.var.settings.appVersion },
    });
    for (const [path, methods] of Object.entries(document.paths ?? {})) {
      const odata = path.startsWith(ODATA_PATH_PREFIX);
      const authenticated = (path.startsWith("/api/v1/") && !PUBLIC_PATHS.has(path)) || odata;
      const statuses = authenticated ? MIDDLEWARE_STATUSES_AUTHENTICATED : MIDDLEWARE_STATUSES_PUBLIC;
      // The RESO routes answer errors as OData error JSON (middleware/errors.ts), not problem+json.
      const shared = odata
        ? odataErrorResponseReferences(...statuses)
        : problemResponseReferences(...statuses);
      for (const operation of Object.values(methods as Record<string, Operation>)) {
        if (typeof operation !== "object" || !operation) continue;
        operation.responses = { ...shared, ...operation.responses };
        if (authenticated) operation.security ??= [{ bearerAuth: [] }];
      }
    }
    document.components ??= {};
    document.components.securitySchemes = {
      bearerAuth: { type: "http", scheme: "bearer", bearerFormat: "JWT" },
      ...document.components.securitySchemes,
    };
    return c.json(document);
  });
}
