// Every operation of the OpenAPI document that takes a request body refuses one over its limit with 413 before
// parsing it, whether the size is declared (Content-Length) or only discovered while reading (a stream). The
// oversized body is larger than the largest limit any route has (the 2 MiB intake), so a new route without a
// limit fails here.
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { MAX_VALUATION_BODY_BYTES } from "../../src/routes/body-limit.ts";
import { MAX_INTAKE_BYTES } from "../../src/services/ingest.ts";
import { bodyMediaTypes, concretePath, tenantOperations } from "../helpers/openapi.ts";
import { createTenant } from "../helpers/tenants.ts";

const api = exports.default;
const OVERSIZED = MAX_INTAKE_BYTES + 1024;

/** A syntactically plausible body of `size` bytes for the media type (JSON stays JSON until it is cut off). */
function bodyOf(mediaType: string, size: number): string {
  if (mediaType === "text/csv")
    return `address\n${"1 Main St\n".repeat(Math.ceil(size / 10))}`.slice(0, size);
  const padding = "x".repeat(Math.max(0, size - `{"address":""}`.length));
  return `{"address":"${padding}"}`;
}

function streamOf(text: string): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  const chunk = 64 * 1024;
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(offset, offset + chunk));
      offset += chunk;
    },
  });
}

describe("body limits", async () => {
  const withBodies = (await tenantOperations()).filter((operation) => bodyMediaTypes(operation).length > 0);

  it("covers the operations that take a body", () => {
    expect(withBodies.map((operation) => `${operation.method} ${operation.path}`)).toEqual(
      expect.arrayContaining([
        "POST /api/v1/valuations",
        "POST /api/v1/properties",
        "POST /api/v1/prospects",
      ]),
    );
  });

  it.each(withBodies.map((operation) => [`${operation.method} ${operation.path}`, operation] as const))(
    "%s refuses an oversized body with 413, declared or streamed, and documents it",
    async (_label, operation) => {
      expect(Object.keys(operation.spec.responses)).toContain("413");
      const tenant = await createTenant();
      const headers = await tenant.headers("admin");
      for (const mediaType of bodyMediaTypes(operation)) {
        const body = bodyOf(mediaType, OVERSIZED);
        const url = `http://api.test${concretePath(operation.path)}`;
        const declared = await api.fetch(url, {
          method: operation.method,
          headers: { ...headers, "content-type": mediaType, "if-match": '"1"' },
          body,
        });
        expect(declared.status, `${mediaType} with Content-Length`).toBe(413);
        expect(await declared.json()).toMatchObject({ code: "payload_too_large" });
        const streamed = await api.fetch(url, {
          method: operation.method,
          headers: { ...headers, "content-type": mediaType, "if-match": '"1"' },
          body: streamOf(body),
        });
        expect(streamed.status, `${mediaType} streamed`).toBe(413);
      }
    },
  );

  it("keeps POST /api/v1/valuations small: just over its limit is 413, a real subject is valued", async () => {
    const tenant = await createTenant();
    const headers = await tenant.headers("viewer");
    const over = await api.fetch("http://api.test/api/v1/valuations", {
      method: "POST",
      headers,
      body: bodyOf("application/json", MAX_VALUATION_BODY_BYTES + 1),
    });
    expect(over.status).toBe(413);
    const subject = await api.fetch("http://api.test/api/v1/valuations", {
      method: "POST",
      headers,
      body: JSON.stringify({ latitude: 47.61, longitude: -122.33, sqft: 1800, bedrooms: 3, bathrooms: 2 }),
    });
    expect(subject.status).not.toBe(413);
  });
});
