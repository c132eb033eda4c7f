// One validation rule for the whole API: every operation with an {id} answers a malformed id with the same 400,
// and every route reports bad and unknown inputs in the same errors[] shape. The id operations are read from the
// OpenAPI document, so an operation added later is checked without touching this file.
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createTenant } from "../helpers/tenants.ts";

const api = exports.default;

interface Problem {
  status: number;
  code: string;
  detail?: string;
  errors?: { field: string; message: string }[];
}

/** The smallest body each method accepts: a PUT replaces a whole property, the other writes take `{}`. */
function call(method: string, path: string, headers: Record<string, string>): Promise<Response> {
  const body =
    method === "GET" || method === "DELETE"
      ? undefined
      : JSON.stringify(method === "PUT" ? { address: "1 Main St", status: "active" } : {});
  return api.fetch(`http://api.test${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
}

async function idOperations(): Promise<{ method: string; path: string }[]> {
  const document = (await (await api.fetch("http://api.test/openapi.json")).json()) as {
    paths: Record<string, Record<string, unknown>>;
  };
  return Object.entries(document.paths)
    .filter(([path]) => path.includes("{id}"))
    .flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => ({ method: method.toUpperCase(), path })),
    );
}

describe("a path id that is not a UUID", () => {
  it("is 400 bad_request naming id on every operation with an {id}, before anything is looked up", async () => {
    const operations = await idOperations();
    // properties (get, put, patch, delete), comps, valuation, users, batches, feeds (get, patch, delete),
    // failure and quarantine resubmission.
    expect(operations.length).toBeGreaterThanOrEqual(13);
    const tenant = await createTenant();
    const headers = { ...(await tenant.headers("admin")), "if-match": '"1"' };
    for (const { method, path } of operations) {
      for (const id of ["not-a-uuid", "123", "0190f5a2-6f0e-7c4b-9b1e-2f6d1c7e8a9"]) {
        const response = await call(method, path.replace("{id}", id), headers);
        const key = `${method} ${path} ${id}`;
        expect(response.status, key).toBe(400);
        expect(response.headers.get("content-type"), key).toBe("application/problem+json");
        const problem = (await response.json()) as Problem;
        expect(problem, key).toMatchObject({ status: 400, code: "bad_request", detail: "Invalid path." });
        expect(problem.errors, key).toEqual([{ field: "id", message: expect.any(String) }]);
      }
    }
  });

  it("is 404 once well formed and missing, on the same operations", async () => {
    const tenant = await createTenant();
    const headers = { ...(await tenant.headers("admin")), "if-match": '"1"' };
    for (const { method, path } of await idOperations()) {
      const response = await call(method, path.replace("{id}", crypto.randomUUID()), headers);
      const key = `${method} ${path}`;
      expect(response.status, key).toBe(404);
      expect(((await response.json()) as Problem).code, key).toBe("not_found");
    }
  });
});

describe("unknown fields and parameters", () => {
  it.each([
    ["POST", "/api/v1/properties", { address: "1 Main St", owner: "me" }, 422],
    ["POST", "/api/v1/valuations", { latitude: 47.6, longitude: -122.3, owner: "me" }, 422],
    [
      "POST",
      "/api/v1/ingest/feeds",
      { name: "f", kind: "json", url: "https://example.com/f", owner: "me" },
      422,
    ],
    ["POST", "/api/v1/prospects", [{ address: "1 Main St", owner: "me" }], 422],
    ["GET", "/api/v1/users?owner=me", undefined, 400],
    ["GET", `/api/v1/properties/${crypto.randomUUID()}/comps?owner=me`, undefined, 400],
    ["GET", "/api/v1/properties?owner=me", undefined, 400],
  ])("%s %s names each unknown one in errors[] as 'Unknown field.'", async (method, path, body, status) => {
    const tenant = await createTenant();
    const response = await api.fetch(`http://api.test${path}`, {
      method,
      headers: await tenant.headers("admin"),
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    expect(response.status).toBe(status);
    const problem = (await response.json()) as Problem;
    expect(problem.code).toBe(status === 422 ? "validation_failed" : "bad_request");
    const field = Array.isArray(body) ? "records.0.owner" : "owner";
    expect(problem.errors).toContainEqual({ field, message: "Unknown field." });
  });
});
