import { OpenAPIHono } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../../app-types.ts";
import { ApiError } from "../../errors.ts";
import { registerGetPropertyValuation } from "./get-property-valuation.ts";
import { registerPostValuation } from "./post-valuation.ts";

/** The body validator skips a body that is not JSON; it must be refused, not valued as an empty subject. */
function requireJsonBody(): MiddlewareHandler<AppEnv> {
  return async function requireJsonBodyMiddleware(c, next) {
    const type = c.req.header("content-type") ?? "";
    if (!/^application\/(.+\+)?json\s*(;|$)/i.test(type)) {
      throw new ApiError("unsupported_media_type", { detail: "Send the subject as application/json." });
    }
    await next();
  };
}

/** Mounted at /api/v1: GET /properties/{id}/valuation and POST /valuations. */
export function valuationRouter() {
  const router = new OpenAPIHono<AppEnv>();
  router.post("/valuations", requireJsonBody());
  registerGetPropertyValuation(router);
  registerPostValuation(router);
  return router;
}
