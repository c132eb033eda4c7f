// Shared helpers for the properties route tests: each test makes its own tenants and properties.
import { exports } from "cloudflare:workers";
import type { TestTenant } from "../../helpers/tenants.ts";

export const api = exports.default;
export const BASE = "http://api.test/api/v1/properties";

let counter = 0;

/** A valid create body with an address no other test uses. */
export function sampleProperty(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  counter++;
  return {
    address: `${100 + counter} ${crypto.randomUUID().slice(0, 8)} Street`,
    city: "Seattle",
    state: "WA",
    zip: "98101",
    latitude: 47.61,
    longitude: -122.33,
    price: 750000,
    bedrooms: 3,
    bathrooms: 2.5,
    sqft: 1800,
    yearBuilt: 1995,
    propertyType: "single_family",
    ...overrides,
  };
}

export async function send(
  tenant: TestTenant,
  method: string,
  path: string,
  options: { body?: unknown; role?: "viewer" | "editor" | "admin"; headers?: Record<string, string> } = {},
): Promise<Response> {
  const headers = { ...(await tenant.headers(options.role ?? "editor")), ...options.headers };
  return api.fetch(`${BASE}${path}`, {
    method,
    headers,
    ...(options.body === undefined
      ? {}
      : { body: typeof options.body === "string" ? options.body : JSON.stringify(options.body) }),
  });
}

export interface CreatedProperty {
  id: string;
  etag: string;
  body: Record<string, unknown>;
}

export async function createProperty(
  tenant: TestTenant,
  overrides: Record<string, unknown> = {},
): Promise<CreatedProperty> {
  const response = await send(tenant, "POST", "", { body: sampleProperty(overrides) });
  if (response.status !== 201) throw new Error(`create failed: ${response.status} ${await response.text()}`);
  const body = (await response.json()) as Record<string, unknown>;
  return { id: String(body.id), etag: String(response.headers.get("etag")), body };
}

/** The first request of a test file pays for the isolate's cold start (JWKS fetch, first query). */
export async function warmUp(): Promise<void> {
  await api.fetch(`${BASE}/${crypto.randomUUID()}`);
}
