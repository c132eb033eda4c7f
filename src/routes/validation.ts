// Request validation for every route: the one zod-openapi hook (set as the app's defaultHook; routers inherit it)
// and the one path parameter schema. A body that fails its schema is 422 validation_failed; a query, path
// parameter or header that fails is 400 bad_request. Both list what failed in `errors[]` (errors.ts).
//
// A path id that is not a UUID is 400 on every route, never 404: the answer depends only on the string the client
// sent, checked against the format the OpenAPI document declares, so it says nothing about stored data, and it
// tells a client that builds its URLs wrongly to fix its request rather than that a record is gone. Whether a
// well-formed id exists is a different question, answered 404 alike for a missing id and another tenant's.
import { type Hook, z } from "@hono/zod-openapi";
import { ApiError, fieldIssues, refuseNulText } from "../errors.ts";

const PART_NAMES: Record<string, string> = {
  param: "path",
  query: "query",
  header: "header",
  cookie: "cookie",
};

// biome-ignore lint/suspicious/noExplicitAny: the hook is shared by routes of every input and env type.
export const validationHook: Hook<any, any, any, any> = (result) => {
  if (result.success) {
    const part = result.target === "json" || result.target === "form" ? "body" : PART_NAMES[result.target];
    refuseNulText(result.data, (part ?? "query") as "body" | "query" | "path" | "header");
    return;
  }
  const errors = fieldIssues(result.error);
  if (result.target === "json" || result.target === "form") {
    throw new ApiError("validation_failed", { detail: "The request body is not valid.", errors });
  }
  throw new ApiError("bad_request", {
    detail: `Invalid ${PART_NAMES[result.target] ?? result.target}.`,
    errors,
  });
};

/** `{id}` in a path: a UUID, or 400 before anything is looked up. */
export const IdParamsSchema = z.strictObject({
  id: z.uuid().openapi({
    param: { name: "id", in: "path" },
    description: "A UUID; any other string is answered 400",
    example: "0190f5a2-6f0e-7c4b-9b1e-2f6d1c7e8a90",
  }),
});
