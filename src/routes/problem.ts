// Shared OpenAPI pieces for routes: the problem+json schema and the error responses each operation documents.
import { z } from "@hono/zod-openapi";

export const ProblemSchema = z
  .object({
    type: z.string().url(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    instance: z.string(),
    code: z.string(),
    requestId: z.string(),
    errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  })
  .passthrough()
  .openapi("Problem");

const DESCRIPTIONS: Record<number, string> = {
  400: "Malformed request (query, cursor or body)",
  401: "Missing or invalid access token",
  403: "Authenticated, but not allowed",
  404: "Not found (or not visible to this tenant)",
  409: "Conflict with existing data",
  412: "If-Match did not match the current ETag",
  413: "Body too large",
  415: "Content-Type not supported",
  422: "Body failed validation",
  428: "If-Match required",
  429: "Rate limit exceeded",
  500: "Internal error",
  503: "A dependency is unavailable; retry after Retry-After",
  504: "The database did not answer in time",
};

function responsesWith<Schema>(schema: Schema, statuses: number[]) {
  return Object.fromEntries(
    statuses.map((status) => [
      status,
      {
        description: DESCRIPTIONS[status] ?? "Error",
        content: { "application/problem+json": { schema } },
      },
    ]),
  );
}

/** Problem responses for the given statuses, in the shape createRoute's `responses` takes. */
export function problemResponses(...statuses: number[]) {
  return responsesWith(ProblemSchema, statuses);
}

/** The same for a generated document, where a schema is JSON Schema: a reference to the Problem component. */
export function problemResponseReferences(...statuses: number[]) {
  return responsesWith({ $ref: "#/components/schemas/Problem" }, statuses);
}
