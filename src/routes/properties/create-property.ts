import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../../app-types.ts";
import { ApiError } from "../../errors.ts";
import { requireRole } from "../../middleware/auth.ts";
import { refreshCompsIndex } from "../../services/comps-index.ts";
import { createProperty, type PropertyFields } from "../../services/properties.ts";
import { idempotencyFingerprint, scopedIdempotencyKey } from "../../services/property-idempotency.ts";
import { afterResponse } from "../after-response.ts";
import { bodyLimit, MAX_PROPERTY_BODY_BYTES } from "../body-limit.ts";
import { problemResponses } from "../problem.ts";
import { withDuplicateLink } from "./links.ts";
import { etagOf } from "./preconditions.ts";
import {
  BEARER_SECURITY,
  ETAG_HEADER,
  IdempotencyHeaderSchema,
  PropertyCreateSchema,
  PropertySchema,
} from "./schemas.ts";

export const createPropertyRoute = createRoute({
  method: "post",
  path: "/",
  tags: ["properties"],
  security: BEARER_SECURITY,
  summary: "Create a property",
  description:
    "Send an Idempotency-Key to make retries safe: a replay within 24 hours answers the first result with " +
    "`Idempotent-Replayed: true`; the same key with a different body is 422, and while the first request is " +
    "still running, 409. Keys belong to the caller (tenant and user): another user's same key is their own " +
    "request. A replay answers the original 201 and body even if the property has since been changed or " +
    "deleted, and creates nothing.",
  middleware: [requireRole("editor"), bodyLimit(MAX_PROPERTY_BODY_BYTES)] as const,
  request: {
    headers: IdempotencyHeaderSchema,
    body: { required: true, content: { "application/json": { schema: PropertyCreateSchema } } },
  },
  responses: {
    201: {
      description: "Created (or replayed)",
      headers: {
        ...ETAG_HEADER,
        Location: { description: "The new property", schema: { type: "string" } },
        "Idempotent-Replayed": { description: "true on a replay", schema: { type: "string" } },
      },
      content: { "application/json": { schema: PropertySchema } },
    },
    ...problemResponses(400, 401, 403, 409, 413, 415, 422, 429, 500, 503, 504),
  },
});

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/** The key from an Idempotency-Key header; the draft's quoted sf-string and Stripe's bare form are both taken. */
function idempotencyKey(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const key = /^"(.*)"$/.exec(header.trim())?.[1] ?? header.trim();
  if (!IDEMPOTENCY_KEY.test(key)) {
    throw new ApiError("bad_request", {
      detail: "Invalid header.",
      errors: [{ field: "idempotency-key", message: "Must be 1-255 printable ASCII characters." }],
    });
  }
  return key;
}

export function registerCreateProperty(app: OpenAPIHono<AppEnv>) {
  app.openapi(createPropertyRoute, async (c) => {
    const fields = c.req.valid("json") as PropertyFields;
    const key = idempotencyKey(c.req.valid("header")["idempotency-key"]);
    const idempotency = key
      ? {
          key: await scopedIdempotencyKey(c.var.auth.userId, key),
          requestHash: await idempotencyFingerprint("POST", c.req.path, fields),
        }
      : undefined;
    const { property, replayed } = await withDuplicateLink(() =>
      createProperty(c.var.db, c.var.auth.tenantId, fields, idempotency),
    );
    c.header("Location", new URL(`${c.req.path.replace(/\/$/, "")}/${property.id}`, c.req.url).pathname);
    c.header("ETag", etagOf(property.version));
    if (replayed) c.header("Idempotent-Replayed", "true");
    else
      afterResponse(
        c,
        "comps index not updated",
      )(() => refreshCompsIndex(c.var.settings, c.var.db, c.var.auth.tenantId, { saved: property }));
    return c.json(property, 201);
  });
}
