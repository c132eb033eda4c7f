// Shared helpers for the RESO Web API route tests: each test makes its own tenants and properties.
import { exports } from "cloudflare:workers";
import { expect } from "vitest";
import type { TestTenant } from "../../helpers/tenants.ts";
import { createProperty } from "../properties/helpers.ts";

export const api = exports.default;
export const ROOT = "http://api.test/reso/odata";

export type ResoRecord = Record<string, unknown>;
export interface ResoCollection {
  "@odata.context": string;
  "@odata.count"?: number;
  "@odata.nextLink"?: string;
  value: ResoRecord[];
}

export async function reso(
  tenant: TestTenant,
  path: string,
  options: { role?: "viewer" | "editor" | "admin"; headers?: Record<string, string> } = {},
): Promise<Response> {
  const authorization = `Bearer ${await tenant.token(options.role ?? "viewer")}`;
  return api.fetch(path.startsWith("http") ? path : `${ROOT}${path}`, {
    headers: { authorization, ...options.headers },
  });
}

/** A 200 collection page. */
export async function page(
  tenant: TestTenant,
  path: string,
  headers?: Record<string, string>,
): Promise<ResoCollection> {
  const response = await reso(tenant, path, headers ? { headers } : {});
  expect(response.status, await response.clone().text()).toBe(200);
  expect(response.headers.get("odata-version")).toBe("4.0");
  return (await response.json()) as ResoCollection;
}

/** Follows @odata.nextLink to the end; answers every page. */
export async function walk(
  tenant: TestTenant,
  path: string,
  maxPageSize: number,
  between?: (pageIndex: number) => Promise<void>,
): Promise<ResoCollection[]> {
  const pages: ResoCollection[] = [];
  let next: string | undefined = path;
  while (next) {
    const current = await page(tenant, next, { prefer: `odata.maxpagesize=${maxPageSize}` });
    pages.push(current);
    next = current["@odata.nextLink"];
    if (next && between) await between(pages.length);
  }
  return pages;
}

/** A 400 and its OData error, naming `target`. */
export async function expectBadQuery(tenant: TestTenant, path: string, target: string): Promise<string> {
  const response = await reso(tenant, path);
  const text = await response.text();
  expect(response.status, `${path}: ${text}`).toBe(400);
  expect(response.headers.get("content-type")).toMatch(/^application\/json/);
  const body = JSON.parse(text) as { error: { code: string; message: string; target?: string } };
  expect(body.error.code).toBe("bad_request");
  expect(body.error.target, path).toBe(target);
  expect(text).not.toMatch(/\bselect\s.+\sfrom\s|from properties|\bat [\w.]+ \(/i);
  return body.error.message;
}

export async function createProperties(tenant: TestTenant, list: Record<string, unknown>[]) {
  const created = [];
  for (const overrides of list) created.push(await createProperty(tenant, overrides));
  return created;
}
