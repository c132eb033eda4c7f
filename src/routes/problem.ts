// Shared OpenAPI pieces for routes: the problem+json schema and the error responses each operation documents.
import { z } from "@hono/zod-openapi";
import { MAX_FIELD_ISSUES } from "../errors.ts";

const FieldIssueSchema = z
  .object({
    field: z.string().openapi({
      description:
        'Dotted path inside the part of the request that failed: a body member ("price", "records.3.zip"), ' +
        'a query parameter ("limit"), a path parameter ("id") or a header ("if-match"); "(root)" for the part ' +
        "as a whole. An unknown member or parameter has an entry of its own.",
      example: "price",
    }),
    message: z.string().openapi({ example: "Too small: expected number to be >=0" }),
  })
  .openapi("FieldIssue", {
    description: "One bad input of a 400 or 422 problem; the same shape on every operation.",
  });

export const ProblemSchema = z
  .object({
    type: z.string().url(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    instance: z.string(),
    code: z.string(),
    requestId: z.string(),
    errors: z
      .array(FieldIssueSchema)
      .max(MAX_FIELD_ISSUES)
      .optional()
      .openapi({
        description:
          `On a 400 or 422 about particular inputs: what failed, at most ${MAX_FIELD_ISSUES} entries. A body ` +
          "that breaks its schema is 422 validation_failed; a query, path parameter or header is 400 " +
          "bad_request. A path id that is not a UUID is 400 on every operation; a well-formed id that is " +
          "missing or another tenant's is 404, with the same body either way.",
      }),
  })
  .passthrough()
  .openapi("Problem", { description: "RFC 9457 problem details, the body of every error response." });

const DESCRIPTIONS: Record<number, string> = {
  400: "Malformed request (query, path parameter, header, cursor or JSON syntax); see Problem.errors",
  401: "Missing or invalid access token",
  403: "Authenticated, but not allowed",
  404: "Not found (or not visible to this tenant)",
  409: "Conflict with existing data",
  410: "Gone: the cursor is older than the changes feed's retention; start again without `since`",
  412: "If-Match did not match the current ETag",
  413: "Body too large",
  415: "Content-Type not supported",
  422: "Body failed validation; see Problem.errors",
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
