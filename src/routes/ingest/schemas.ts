// Shared pieces of the ingest routes: response schemas and a capped body reader (bodies are parsed by hand so
// JSON and CSV share one limit).
import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AppEnv } from "../../app-types.ts";
import { readCapped } from "../../domain/capped-stream.ts";
import { RECORD_FIELDS } from "../../domain/pipeline/contracts.ts";
import { ApiError, refuseNulText } from "../../errors.ts";

/** Reads the body as text, refusing more than `maxBytes` (from Content-Length, or while streaming). */
export async function readBodyText(c: Context<AppEnv>, maxBytes: number): Promise<string> {
  const bytes = await readCapped(
    c.req.raw.body,
    c.req.header("content-length"),
    maxBytes,
    () => new ApiError("payload_too_large", { detail: `The body may be at most ${maxBytes} bytes.` }),
  );
  return new TextDecoder().decode(bytes);
}

/** A JSON body of at most `maxBytes`; 415 for another content type, 400 for malformed JSON. */
export async function readJsonBody(c: Context<AppEnv>, maxBytes: number, optional = false): Promise<unknown> {
  const contentType = c.req.header("content-type")?.split(";")[0]?.trim().toLowerCase();
  const text = await readBodyText(c, maxBytes);
  if (optional && text.trim() === "") return {};
  if (contentType !== "application/json") {
    throw new ApiError("unsupported_media_type", { detail: "Send application/json." });
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new ApiError("bad_request", { detail: "The body is not valid JSON." });
  }
  refuseNulText(body, "body");
  return body;
}

export const PageQuerySchema = z.object({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(100)
    .default(50)
    .openapi({ param: { name: "limit", in: "query" } }),
  cursor: z
    .string()
    .max(500)
    .optional()
    .openapi({ param: { name: "cursor", in: "query" } }),
});

const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);

export const RecordSchema = z
  .object(Object.fromEntries(RECORD_FIELDS.map((field) => [field, scalar.optional()])))
  .openapi("ProspectRecord");

/** JSON Schema for bodies the routes parse themselves (zod-openapi would otherwise validate them first). */
const scalarJsonType: ("string" | "number" | "boolean" | "null")[] = ["string", "number", "boolean", "null"];

export const RecordJsonSchema = {
  type: "object" as const,
  additionalProperties: false,
  properties: Object.fromEntries(RECORD_FIELDS.map((field) => [field, { type: scalarJsonType }])),
};

export const CorrectionsJsonSchema = {
  type: "object" as const,
  additionalProperties: false,
  properties: { fields: RecordJsonSchema },
};

export const ResubmittedSchema = z
  .object({
    prospectId: z.uuid(),
    batchId: z.uuid(),
    revision: z.number().int(),
    links: z.object({ batch: z.string() }),
  })
  .openapi("Resubmitted");

export const QualityRuleResultSchema = z.object({
  ruleId: z.string(),
  passed: z.boolean(),
  severity: z.enum(["error", "warning"]),
  message: z.string(),
  observed: z.unknown().optional(),
});
