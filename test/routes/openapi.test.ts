// The OpenAPI 3.1 document comes from the same zod schemas that validate requests. Checked here for shape and
// snapshotted; test/scripts/openapi-document.test.ts validates it against the OpenAPI 3.1 JSON Schema.
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";

const api = exports.default;

interface Operation {
  responses: Record<string, { content?: Record<string, unknown> }>;
  security?: unknown[];
}

describe("GET /openapi.json", () => {
  it("is public, OpenAPI 3.1, and documents every properties operation with its problem responses", async () => {
    const response = await api.fetch("http://api.test/openapi.json");
    expect(response.status).toBe(200);
    const document = (await response.json()) as {
      openapi: string;
      paths: Record<string, Record<string, Operation>>;
      components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
    };
    expect(document.openapi).toBe("3.1.0");
    const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => ({
        key: `${method.toUpperCase()} ${path}`,
        operation,
      })),
    );
    expect(operations.map((entry) => entry.key)).toEqual(
      expect.arrayContaining([
        "POST /api/v1/properties",
        "GET /api/v1/properties",
        "GET /api/v1/properties/changes",
        "GET /api/v1/properties/{id}",
        "PUT /api/v1/properties/{id}",
        "PATCH /api/v1/properties/{id}",
        "DELETE /api/v1/properties/{id}",
      ]),
    );
    for (const { key, operation } of operations.filter((entry) => entry.key.includes("/properties"))) {
      for (const status of ["400", "401", "403", "429", "500"]) {
        expect(operation.responses[status]?.content, `${key} ${status}`).toHaveProperty([
          "application/problem+json",
        ]);
      }
      expect(operation.security, key).toEqual([{ bearerAuth: [] }]);
    }
    // Every error response, the routes' own and the middleware's added to each operation, is the one component.
    for (const { key, operation } of operations) {
      for (const [status, response] of Object.entries(operation.responses)) {
        const problem = response.content?.["application/problem+json"];
        if (problem)
          expect(problem, `${key} ${status}`).toEqual({ schema: { $ref: "#/components/schemas/Problem" } });
      }
    }
    // The RESO Web API: its routes with their query options, errors as OData error JSON.
    const resoOperations = operations.filter((entry) => entry.key.includes(" /reso/odata"));
    expect(resoOperations.map((entry) => entry.key).sort()).toEqual([
      "GET /reso/odata",
      "GET /reso/odata/$metadata",
      "GET /reso/odata/Lookup",
      "GET /reso/odata/Lookup('{key}')",
      "GET /reso/odata/Property",
      "GET /reso/odata/Property('{key}')",
    ]);
    for (const { key, operation } of resoOperations) {
      expect(operation.security, key).toEqual([{ bearerAuth: [] }]);
      for (const status of ["401", "403", "429", "500"]) {
        expect(operation.responses[status]?.content, `${key} ${status}`).toEqual({
          "application/json": { schema: { $ref: "#/components/schemas/ODataError" } },
        });
      }
    }
    const query = resoOperations.find((entry) => entry.key === "GET /reso/odata/Property")
      ?.operation as unknown as {
      parameters: { name: string; in: string }[];
    };
    expect(query.parameters.map((parameter) => parameter.name)).toEqual(
      expect.arrayContaining([
        "$filter",
        "$select",
        "$orderby",
        "$top",
        "$skip",
        "$count",
        "$skiptoken",
        "prefer",
      ]),
    );
    expect(document.components.securitySchemes).toHaveProperty("bearerAuth");
    expect(Object.keys(document.components.schemas)).toEqual(
      expect.arrayContaining(["Property", "PropertyCreate", "PropertyPatch", "PropertyPage", "Problem"]),
    );
    expect(document).toMatchSnapshot();
  }, 30_000);
});

describe("GET /docs", () => {
  it("is public and loads Scalar's bundle from this origin, not a CDN", async () => {
    const response = await api.fetch("http://api.test/docs");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
    const html = await response.text();
    expect(html).toContain('<script src="/docs/scalar.js"');
    expect(html).toContain("/openapi.json");
    expect(html).not.toMatch(/cdn\.jsdelivr|unpkg/);
  });
});
