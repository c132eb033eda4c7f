import { z } from "@hono/zod-openapi";

export const FeedSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    kind: z.enum(["csv_url", "reso_web_api"]),
    url: z.string(),
    secretName: z.string().nullable(),
    secretBinding: z
      .string()
      .nullable()
      .openapi({ description: "The Worker secret holding the bearer token" }),
    intervalMinutes: z.number().int(),
    pageSize: z.number().int(),
    enabled: z.boolean(),
    cursor: z.object({ modificationTimestamp: z.string().nullable(), key: z.string().nullable() }),
    nextRunAt: z.string(),
    lastRunAt: z.string().nullable(),
    lastStatus: z.string().nullable(),
    lastError: z.string().nullable(),
    recordsIngested: z.number().int(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("IngestFeed");

const kind = { type: "string" as const, enum: ["csv_url", "reso_web_api"] };
export const FeedInputJsonSchema = {
  type: "object" as const,
  additionalProperties: false,
  properties: {
    name: { type: "string" as const, maxLength: 200 },
    kind,
    url: { type: "string" as const, format: "uri", description: "https, public host" },
    secretName: { type: ["string" as const, "null" as const], pattern: "^[A-Z0-9_]{1,40}$" },
    intervalMinutes: { type: "integer" as const, minimum: 1, maximum: 10080 },
    pageSize: { type: "integer" as const, minimum: 1, maximum: 5000 },
    enabled: { type: "boolean" as const },
  },
};
