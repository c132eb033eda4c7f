// Request validation failures as problem+json: a malformed query, path or cursor is 400; a body that parses but
// breaks its schema (unknown fields such as tenant_id included) is 422.
import type { Hook } from "@hono/zod-openapi";
import type { AppEnv } from "../../app-types.ts";
import { ApiError } from "../../errors.ts";

export const validationHook: Hook<unknown, AppEnv, string, unknown> = (result) => {
  if (result.success) return;
  const errors = result.error.issues.map((issue) => ({
    field:
      issue.path.map(String).join(".") || (issue.code === "unrecognized_keys" ? issue.keys.join(",") : ""),
    message: issue.message,
  }));
  const isBody = result.target === "json" || result.target === "form";
  throw new ApiError(isBody ? "validation_failed" : "bad_request", {
    detail: isBody ? "The request body is not valid." : `The request ${result.target} is not valid.`,
    errors,
  });
};
