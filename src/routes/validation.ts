// The app-wide zod-openapi validation hook: every route's validation failure becomes a problem with one entry
// per bad field. A body that fails is 422 validation_failed; a query, path parameter or header is 400.
import type { Hook } from "@hono/zod-openapi";
import type { z } from "zod";
import { ApiError, type FieldIssue } from "../errors.ts";

export function fieldIssues(error: z.ZodError): FieldIssue[] {
  return error.issues.flatMap((issue): FieldIssue[] => {
    const path = issue.path.map(String);
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((key) => ({ field: [...path, key].join("."), message: "Unknown field." }));
    }
    return [{ field: path.join(".") || "(root)", message: issue.message }];
  });
}

// biome-ignore lint/suspicious/noExplicitAny: the hook is shared by routes of every input and env type.
export const validationHook: Hook<any, any, any, any> = (result) => {
  if (result.success) return;
  const errors = fieldIssues(result.error);
  if (result.target === "json" || result.target === "form") {
    throw new ApiError("validation_failed", { detail: "The request body is not valid.", errors });
  }
  throw new ApiError("bad_request", {
    detail: `Invalid ${result.target === "param" ? "path" : result.target}.`,
    errors,
  });
};
