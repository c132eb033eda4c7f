// U+0000 in text is refused at validation with the field named (PostgreSQL text cannot hold it), wherever text
// enters: query parameters, JSON bodies of every kind, CSV prospects and feed names.
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createTenant } from "../helpers/tenants.ts";
import { sampleProperty } from "./properties/helpers.ts";

const api = exports.default;
const NUL = "\u0000";

async function call(method: string, path: string, body?: string, contentType = "application/json") {
  const tenant = await createTenant();
  const headers = { ...(await tenant.headers("admin")), "content-type": contentType, "if-match": '"1"' };
  return api.fetch(`http://api.test${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
}

async function expectRefused(response: Response, status: number, field: string) {
  expect(response.status, field).toBe(status);
  const problem = (await response.json()) as { errors?: { field: string; message: string }[] };
  expect(problem.errors, field).toContainEqual({ field, message: expect.stringContaining("U+0000") });
}

describe("NUL (U+0000) in text", () => {
  it.each(["city", "q", "cursor", "bbox"])(
    "in the %s query parameter of the properties list is 400",
    async (name) => {
      await expectRefused(await call("GET", `/api/v1/properties?${name}=a%00b`), 400, name);
    },
  );

  it.each(["address", "city", "county", "externalRef"])("in %s of a property body is 422", async (field) => {
    const body = JSON.stringify(sampleProperty({ [field]: `12${NUL}3 Main St` }));
    await expectRefused(await call("POST", "/api/v1/properties", body), 422, field);
    const id = crypto.randomUUID();
    await expectRefused(
      await call("PATCH", `/api/v1/properties/${id}`, JSON.stringify({ [field]: NUL })),
      422,
      field,
    );
  });

  it("in JSON and CSV prospects is 422 naming the record and field", async () => {
    const json = JSON.stringify([{ address: "1 Main St" }, { address: `2 Main${NUL} St`, city: "Seattle" }]);
    await expectRefused(await call("POST", "/api/v1/prospects", json), 422, "records.1.address");
    const csv = `address,city\n1 Main St,Sea${NUL}ttle\n`;
    await expectRefused(await call("POST", "/api/v1/prospects", csv, "text/csv"), 422, "records.0.city");
  });

  it("in a feed's name is 422, on create and update", async () => {
    const feed = { name: `feed${NUL}`, kind: "csv_url", url: "https://feeds.example.com/a.csv" };
    await expectRefused(await call("POST", "/api/v1/ingest/feeds", JSON.stringify(feed)), 422, "name");
    const id = crypto.randomUUID();
    await expectRefused(
      await call("PATCH", `/api/v1/ingest/feeds/${id}`, JSON.stringify({ name: NUL })),
      422,
      "name",
    );
  });

  it("in a valuation subject or resubmission corrections is 422", async () => {
    const subject = JSON.stringify({ latitude: 47.6, longitude: -122.3, propertyType: `condo${NUL}` });
    const valuation = await call("POST", "/api/v1/valuations", subject);
    expect(valuation.status).toBe(422);
    const corrections = JSON.stringify({ city: `x${NUL}` });
    const id = crypto.randomUUID();
    await expectRefused(
      await call("POST", `/api/v1/ingest/failures/${id}/resubmit`, corrections),
      422,
      "city",
    );
  });
});
