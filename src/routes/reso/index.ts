// The RESO Web API (OData 4.0, RESO Web API Core 2.0.0; docs/reso.md) at /reso/odata: the service document,
// $metadata, and the Property and Lookup entity sets with their query options. Same bearer tokens, tenant
// isolation and rate limits as /api/v1; a viewer may read. Errors are OData error JSON (middleware/errors.ts).
//
// OData's key syntax, Property('key'), is one path segment that OpenAPI's path templates cannot express as a
// parameter of a zod route, so the handlers are plain Hono routes and their documentation is registered below.
import { OpenAPIHono, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AppEnv } from "../../app-types.ts";
import { ODataSyntaxError } from "../../domain/odata/filter.ts";
import {
  DEFAULT_PAGE_SIZE,
  MAX_ORDERBY_KEYS,
  MAX_PAGE_SIZE,
  MAX_SKIP,
  parseQueryOptions,
  preferredPageSize,
} from "../../domain/odata/query-options.ts";
import {
  ENTITY_SETS,
  type EntitySetName,
  metadataDocument,
  serviceDocument,
} from "../../domain/reso/metadata.ts";
import { ApiError } from "../../errors.ts";
import { requireRole } from "../../middleware/auth.ts";
import { fieldNames, getByKey, queryCollection, queryError } from "../../services/reso.ts";

export const SERVICE_ROOT_PATH = "/reso/odata";
const ODATA_JSON = "application/json;odata.metadata=minimal";

function serviceRoot(c: Context<AppEnv>): string {
  return `${new URL(c.req.url).origin}${SERVICE_ROOT_PATH}`;
}

// Tenant data (collections and entities) says `private, no-cache`: clients revalidate, and the edge cache
// (middleware/edge-cache.ts, keyed by Prefer too) stores it; a route that said no-store would never be stored there.
const TENANT_READ = { "Cache-Control": "private, no-cache" };

function odataJson(body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status: 200,
    headers: {
      "Content-Type": ODATA_JSON,
      "OData-Version": "4.0",
      "Cache-Control": "private, no-store",
      ...headers,
    },
  });
}

function parseOptions(c: Context<AppEnv>, set: EntitySetName) {
  try {
    return parseQueryOptions(new URL(c.req.url).searchParams, fieldNames(set));
  } catch (error) {
    if (error instanceof ODataSyntaxError) throw queryError(error, "$filter");
    throw error;
  }
}

function contextUrl(
  c: Context<AppEnv>,
  set: EntitySetName,
  select: string[] | undefined,
  entity = false,
): string {
  const projection = select ? `(${select.join(",")})` : "";
  return `${serviceRoot(c)}/$metadata#${set}${projection}${entity ? "/$entity" : ""}`;
}

async function collection(c: Context<AppEnv>, set: EntitySetName): Promise<Response> {
  const options = parseOptions(c, set);
  const maxPageSize = preferredPageSize(c.req.header("prefer"));
  const page = await queryCollection(c.var.db, c.var.auth.tenantId, set, options, {
    ...(maxPageSize === undefined ? {} : { maxPageSize }),
  });
  let nextLink: string | undefined;
  if (page.nextSkipToken) {
    // The next page repeats the request's filter, projection, order and count; the token carries the rest.
    const next = new URL(`${serviceRoot(c)}/${set}`);
    for (const name of ["$filter", "$select", "$orderby", "$count"]) {
      const value = new URL(c.req.url).searchParams.get(name);
      if (value !== null) next.searchParams.set(name, value);
    }
    next.searchParams.set("$skiptoken", page.nextSkipToken);
    nextLink = next.toString();
  }
  const body = {
    "@odata.context": contextUrl(c, set, options.select),
    ...(page.count === undefined ? {} : { "@odata.count": page.count }),
    value: page.value,
    ...(nextLink ? { "@odata.nextLink": nextLink } : {}),
  };
  const applied: Record<string, string> =
    maxPageSize === undefined ? {} : { "Preference-Applied": `odata.maxpagesize=${page.pageSize}` };
  return odataJson(body, { ...TENANT_READ, ...applied });
}

const KEY_SEGMENT = /^(Property|Lookup)\('((?:[^']|'')*)'\)$/;

async function entity(c: Context<AppEnv>): Promise<Response> {
  // Hono hands the segment over percent-decoded.
  const segment = c.req.param("entity") ?? "";
  const match = KEY_SEGMENT.exec(segment);
  if (!match) {
    throw new ApiError("bad_request", {
      detail: "A key is written Property('key') or Lookup('key'), in single quotes.",
      errors: [{ field: "key", message: "Expected Property('key') or Lookup('key')." }],
    });
  }
  const set = match[1] as EntitySetName;
  const key = (match[2] as string).replaceAll("''", "'");
  if (key.length > 255 || !key.isWellFormed() || key.includes("\u0000")) {
    throw new ApiError("not_found", { detail: `No ${set} has this key.` });
  }
  const options = parseOptions(c, set);
  if (
    options.filter ||
    options.orderBy.length ||
    options.top !== undefined ||
    options.skip ||
    options.count
  ) {
    throw queryError(new ODataSyntaxError("Only $select applies to a single entity."), "$select");
  }
  const select = options.select;
  const record = await getByKey(c.var.db, c.var.auth.tenantId, set, key, select);
  return odataJson({ "@odata.context": contextUrl(c, set, select, true), ...record }, TENANT_READ);
}

// --- OpenAPI documentation of the routes above ----------------------------------------------------------------

const COLLECTION_PARAMETERS = [
  {
    name: "$filter",
    description:
      "OData filter: and, or, not, parentheses; eq ne gt ge lt le on strings, numbers, booleans, dates and " +
      "DateTimeOffset (with now()); in (...); null comparisons; contains, startswith, endswith on strings. " +
      "Unknown fields and bad syntax are 400.",
    example: "StandardStatus eq 'Active' and ListPrice ge 500000",
  },
  { name: "$select", description: "Comma-separated fields to return.", example: "ListingKey,ListPrice,City" },
  {
    name: "$orderby",
    description: `Up to ${MAX_ORDERBY_KEYS} fields, each asc or desc; ListingKey breaks ties.`,
    example: "ModificationTimestamp asc",
  },
  {
    name: "$top",
    description: `Rows to return in all; one response carries at most ${MAX_PAGE_SIZE} (then @odata.nextLink).`,
    example: "100",
  },
  {
    name: "$skip",
    description: `Rows to skip, at most ${MAX_SKIP}; deeper, replicate with @odata.nextLink.`,
    example: "0",
  },
  {
    name: "$count",
    description: "true adds @odata.count, the number of rows the filter matches.",
    example: "true",
  },
  { name: "$skiptoken", description: "Continuation issued in @odata.nextLink; opaque.", example: undefined },
];

const ODataErrorSchema = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      target: z.string().optional(),
      details: z.array(z.object({ code: z.string(), message: z.string(), target: z.string() })).optional(),
      innererror: z.object({ requestId: z.string() }).passthrough(),
    }),
  })
  .openapi("ODataError", { description: "OData JSON error (OData 4.01 JSON format, section 21)." });

const RecordSchema = z.record(z.string(), z.unknown()).openapi({
  description:
    "Fields as $metadata declares them (Data Dictionary 2.0 names; REOS_ fields are this product's).",
});

const odataErrors = (...statuses: number[]) =>
  Object.fromEntries(
    statuses.map((status) => [
      status,
      {
        description: `OData error (${status})`,
        content: { "application/json": { schema: ODataErrorSchema } },
      },
    ]),
  );

/** Paths are relative to the router, which app.ts mounts at SERVICE_ROOT_PATH. */
function registerDocumentation(router: OpenAPIHono<AppEnv>): void {
  const registry = router.openAPIRegistry;
  const security = [{ bearerAuth: [] }];
  const header = { "OData-Version": { schema: { type: "string" as const, example: "4.0" } } };
  registry.registerPath({
    method: "get",
    path: "/",
    tags: ["reso"],
    summary: "RESO Web API service document (the entity sets)",
    security,
    responses: {
      200: {
        description: "The service document",
        headers: header,
        content: {
          [ODATA_JSON]: {
            schema: z.object({
              "@odata.context": z.string(),
              value: z.array(z.object({ name: z.string(), kind: z.string(), url: z.string() })),
            }),
          },
        },
      },
      ...odataErrors(401, 403, 429),
    },
  });
  registry.registerPath({
    method: "get",
    path: "/$metadata",
    tags: ["reso"],
    summary: "RESO Web API metadata (EDMX 4.0, Data Dictionary 2.0 names and types)",
    security,
    responses: {
      200: {
        description: "CSDL XML",
        headers: header,
        content: { "application/xml": { schema: z.string() } },
      },
      ...odataErrors(401, 403, 429),
    },
  });
  for (const set of ENTITY_SETS) {
    registry.registerPath({
      method: "get",
      path: `/${set}`,
      tags: ["reso"],
      summary: `Query ${set} (OData query options; server-driven paging with Prefer: odata.maxpagesize)`,
      security,
      request: {
        query: z.object(
          Object.fromEntries(
            COLLECTION_PARAMETERS.map((parameter) => [
              parameter.name,
              z
                .string()
                .optional()
                .openapi({
                  description: parameter.description,
                  ...(parameter.example ? { example: parameter.example } : {}),
                }),
            ]),
          ),
        ),
        headers: z.object({
          prefer: z
            .string()
            .optional()
            .openapi({
              description: `odata.maxpagesize=N: rows per page (default ${DEFAULT_PAGE_SIZE}, at most ${MAX_PAGE_SIZE}).`,
              example: "odata.maxpagesize=100",
            }),
        }),
      },
      responses: {
        200: {
          description: "One page; @odata.nextLink when there is more",
          headers: header,
          content: {
            [ODATA_JSON]: {
              schema: z.object({
                "@odata.context": z.string(),
                "@odata.count": z.number().int().optional(),
                value: z.array(RecordSchema),
                "@odata.nextLink": z.string().optional(),
              }),
            },
          },
        },
        ...odataErrors(400, 401, 403, 429, 503, 504),
      },
    });
    registry.registerPath({
      method: "get",
      path: `/${set}('{key}')`,
      tags: ["reso"],
      summary: `One ${set} by its key`,
      security,
      request: {
        params: z.object({ key: z.string().openapi({ description: "The key (ListingKey or LookupKey)." }) }),
        query: z.object({
          $select: z.string().optional().openapi({ description: "Comma-separated fields to return." }),
        }),
      },
      responses: {
        200: {
          description: `The ${set}`,
          headers: header,
          content: { [ODATA_JSON]: { schema: RecordSchema } },
        },
        ...odataErrors(400, 401, 403, 404, 429, 503, 504),
      },
    });
  }
}

export function resoRouter() {
  const router = new OpenAPIHono<AppEnv>({ strict: true });
  const viewer = requireRole("viewer");
  router.get("/", viewer, (c) => odataJson(serviceDocument(serviceRoot(c))));
  router.get(
    "/$metadata",
    viewer,
    () =>
      new Response(metadataDocument(), {
        headers: {
          "Content-Type": "application/xml",
          "OData-Version": "4.0",
          "Cache-Control": "private, no-store",
        },
      }),
  );
  for (const set of ENTITY_SETS) router.get(`/${set}`, viewer, (c) => collection(c, set));
  router.get("/:entity{(?:Property|Lookup)\\(.*\\)}", viewer, entity);
  registerDocumentation(router);
  return router;
}
