// JSON-schema fragments of the Qdrant REST request bodies this project sends, transcribed from Qdrant's published
// OpenAPI document (github.com/qdrant/qdrant, docs/redoc/master/openapi.json; API v1.12-v1.15: CreateCollection,
// CreateFieldIndex, PointInsertOperations/PointsList, QueryRequest, PointsSelector, Filter, FieldCondition).
// Only the members this client can send are spelled out; `additionalProperties: false` is stricter than the
// published document on purpose, so a misspelt member fails here instead of being ignored by the server.
// A small validator (the keywords these fragments use) is below; no JSON-schema library is installed.

type DefinitionName =
  | "ExtendedPointId"
  | "GeoPoint"
  | "ValueVariants"
  | "FieldCondition"
  | "HasIdCondition"
  | "Condition"
  | "Filter"
  | "HnswConfigDiff"
  | "VectorParams"
  | "Payload";

export type JsonSchema = {
  type?: "object" | "array" | "string" | "number" | "integer" | "boolean" | "null";
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean;
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  minimum?: number;
  minItems?: number;
  format?: "uuid";
  $ref?: DefinitionName;
};

const nullable = (schema: JsonSchema): JsonSchema => ({ anyOf: [schema, { type: "null" }] });
const uint: JsonSchema = { type: "integer", minimum: 0 };

const DEFINITIONS: Record<DefinitionName, JsonSchema> = {
  ExtendedPointId: { anyOf: [uint, { type: "string", format: "uuid" }] },
  GeoPoint: {
    type: "object",
    required: ["lon", "lat"],
    additionalProperties: false,
    properties: { lon: { type: "number" }, lat: { type: "number" } },
  },
  ValueVariants: { anyOf: [{ type: "string" }, { type: "integer" }, { type: "boolean" }] },
  FieldCondition: {
    type: "object",
    required: ["key"],
    additionalProperties: false,
    properties: {
      key: { type: "string" },
      match: nullable({
        anyOf: [
          {
            type: "object",
            required: ["value"],
            additionalProperties: false,
            properties: { value: { $ref: "ValueVariants" } },
          },
          {
            type: "object",
            required: ["any"],
            additionalProperties: false,
            properties: { any: { type: "array", items: { $ref: "ValueVariants" } } },
          },
        ],
      }),
      range: nullable({
        type: "object",
        additionalProperties: false,
        properties: {
          lt: nullable({ type: "number" }),
          gt: nullable({ type: "number" }),
          gte: nullable({ type: "number" }),
          lte: nullable({ type: "number" }),
        },
      }),
      geo_radius: nullable({
        type: "object",
        required: ["center", "radius"],
        additionalProperties: false,
        properties: { center: { $ref: "GeoPoint" }, radius: { type: "number" } },
      }),
      geo_bounding_box: nullable({
        type: "object",
        required: ["top_left", "bottom_right"],
        additionalProperties: false,
        properties: { top_left: { $ref: "GeoPoint" }, bottom_right: { $ref: "GeoPoint" } },
      }),
    },
  },
  HasIdCondition: {
    type: "object",
    required: ["has_id"],
    additionalProperties: false,
    properties: { has_id: { type: "array", items: { $ref: "ExtendedPointId" } } },
  },
  Condition: { anyOf: [{ $ref: "FieldCondition" }, { $ref: "HasIdCondition" }, { $ref: "Filter" }] },
  Filter: {
    type: "object",
    additionalProperties: false,
    properties: {
      should: nullable({ anyOf: [{ type: "array", items: { $ref: "Condition" } }, { $ref: "Condition" }] }),
      must: nullable({ anyOf: [{ type: "array", items: { $ref: "Condition" } }, { $ref: "Condition" }] }),
      must_not: nullable({ anyOf: [{ type: "array", items: { $ref: "Condition" } }, { $ref: "Condition" }] }),
      min_should: nullable({ type: "object" }),
    },
  },
  HnswConfigDiff: {
    type: "object",
    additionalProperties: false,
    properties: {
      m: nullable(uint),
      ef_construct: nullable({ type: "integer", minimum: 4 }),
      full_scan_threshold: nullable({ type: "integer", minimum: 10 }),
      max_indexing_threads: nullable(uint),
      on_disk: nullable({ type: "boolean" }),
      payload_m: nullable(uint),
    },
  },
  VectorParams: {
    type: "object",
    required: ["size", "distance"],
    additionalProperties: false,
    properties: {
      size: { type: "integer", minimum: 1 },
      distance: { enum: ["Cosine", "Euclid", "Dot", "Manhattan"] },
      hnsw_config: nullable({ $ref: "HnswConfigDiff" }),
      on_disk: nullable({ type: "boolean" }),
      datatype: nullable({ enum: ["float32", "uint8", "float16"] }),
    },
  },
  Payload: { type: "object" },
};

/** Request bodies by "METHOD path-template". */
export const QDRANT_REQUEST_SCHEMAS: Record<string, JsonSchema | null> = {
  "GET /collections/{collection_name}/exists": null,
  "PUT /collections/{collection_name}": {
    type: "object",
    required: ["vectors"],
    additionalProperties: false,
    properties: {
      vectors: { $ref: "VectorParams" },
      shard_number: nullable({ type: "integer", minimum: 1 }),
      replication_factor: nullable({ type: "integer", minimum: 1 }),
      on_disk_payload: nullable({ type: "boolean" }),
      hnsw_config: nullable({ $ref: "HnswConfigDiff" }),
    },
  },
  "PUT /collections/{collection_name}/index": {
    type: "object",
    required: ["field_name"],
    additionalProperties: false,
    properties: {
      field_name: { type: "string" },
      field_schema: nullable({
        anyOf: [
          { enum: ["keyword", "integer", "float", "geo", "text", "bool", "datetime", "uuid"] },
          {
            type: "object",
            required: ["type"],
            additionalProperties: false,
            properties: {
              type: { const: "keyword" },
              is_tenant: nullable({ type: "boolean" }),
              on_disk: nullable({ type: "boolean" }),
            },
          },
        ],
      }),
    },
  },
  "PUT /collections/{collection_name}/points": {
    type: "object",
    required: ["points"],
    additionalProperties: false,
    properties: {
      points: {
        type: "array",
        items: {
          type: "object",
          required: ["id", "vector"],
          additionalProperties: false,
          properties: {
            id: { $ref: "ExtendedPointId" },
            vector: { type: "array", items: { type: "number" } },
            payload: nullable({ $ref: "Payload" }),
          },
        },
      },
    },
  },
  "POST /collections/{collection_name}/points/query": {
    type: "object",
    additionalProperties: false,
    properties: {
      query: nullable({ type: "array", items: { type: "number" } }),
      using: nullable({ type: "string" }),
      filter: nullable({ $ref: "Filter" }),
      score_threshold: nullable({ type: "number" }),
      limit: nullable({ type: "integer", minimum: 1 }),
      offset: nullable(uint),
      with_vector: nullable({ type: "boolean" }),
      with_payload: nullable({ type: "boolean" }),
    },
  },
  "POST /collections/{collection_name}/points/delete": {
    anyOf: [
      {
        type: "object",
        required: ["points"],
        additionalProperties: false,
        properties: { points: { type: "array", items: { $ref: "ExtendedPointId" } } },
      },
      {
        type: "object",
        required: ["filter"],
        additionalProperties: false,
        properties: { filter: { $ref: "Filter" } },
      },
    ],
  },
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function typeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

/** Validation errors of `value` against `schema` ("" paths are the root); empty when it conforms. */
export function validateJson(schema: JsonSchema, value: unknown, path = ""): string[] {
  if (schema.$ref) return validateJson(DEFINITIONS[schema.$ref], value, path);
  if (schema.anyOf) {
    const branches = schema.anyOf.map((branch) => validateJson(branch, value, path));
    return branches.some((errors) => errors.length === 0)
      ? []
      : [
          `${path || "(root)"}: matches none of ${branches.length} alternatives (${branches.flat()[0] ?? ""})`,
        ];
  }
  const errors: string[] = [];
  const actual = typeOf(value);
  if (schema.type && !(actual === schema.type || (schema.type === "number" && actual === "integer"))) {
    return [`${path || "(root)"}: expected ${schema.type}, got ${actual}`];
  }
  if (schema.const !== undefined && value !== schema.const)
    errors.push(`${path}: expected ${String(schema.const)}`);
  if (schema.enum && !schema.enum.includes(value))
    errors.push(`${path}: not one of ${schema.enum.join(", ")}`);
  if (schema.minimum !== undefined && typeof value === "number" && value < schema.minimum) {
    errors.push(`${path}: below ${schema.minimum}`);
  }
  if (schema.format === "uuid" && !(typeof value === "string" && UUID.test(value)))
    errors.push(`${path}: not a uuid`);
  if (actual === "array" && schema.items) {
    (value as unknown[]).forEach((item, index) => {
      errors.push(...validateJson(schema.items as JsonSchema, item, `${path}[${index}]`));
    });
  }
  if (actual === "object" && (schema.properties || schema.required)) {
    const record = value as Record<string, unknown>;
    for (const name of schema.required ?? []) {
      if (!(name in record)) errors.push(`${path}.${name}: required`);
    }
    for (const [name, member] of Object.entries(record)) {
      const memberSchema = schema.properties?.[name];
      if (memberSchema) errors.push(...validateJson(memberSchema, member, `${path}.${name}`));
      else if (schema.additionalProperties === false) errors.push(`${path}.${name}: not allowed`);
    }
  }
  return errors;
}
