// The operations of the Worker's own /openapi.json, so route-wide tests cover every operation a client can call,
// including ones added later.
import { exports } from "cloudflare:workers";
import { PUBLIC_PATHS } from "../../src/middleware/auth.ts";

export interface Operation {
  method: string;
  /** The path template, e.g. /api/v1/properties/{id}. */
  path: string;
  // biome-ignore lint/suspicious/noExplicitAny: the OpenAPI operation object as served
  spec: any;
}

// biome-ignore lint/suspicious/noExplicitAny: the OpenAPI document as served
let cached: Promise<any> | undefined;

// biome-ignore lint/suspicious/noExplicitAny: the OpenAPI document as served
export function openApiDocument(): Promise<any> {
  cached ??= exports.default.fetch("http://api.test/openapi.json").then((response) => response.json());
  return cached;
}

const METHODS = new Set(["get", "post", "put", "patch", "delete"]);

export async function operations(): Promise<Operation[]> {
  const document = await openApiDocument();
  return Object.entries(document.paths as Record<string, Record<string, unknown>>).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => METHODS.has(method))
      .map(([method, spec]) => ({ method: method.toUpperCase(), path, spec })),
  );
}

/** Operations behind authentication (every /api/v1 path but the public ones). */
export async function tenantOperations(): Promise<Operation[]> {
  return (await operations()).filter(
    (operation) => operation.path.startsWith("/api/v1/") && !PUBLIC_PATHS.has(operation.path),
  );
}

/** The path with every {parameter} replaced by a fresh UUID. */
export function concretePath(path: string): string {
  return path.replaceAll(/\{[^}]+\}/g, () => crypto.randomUUID());
}

/** The media types an operation's request body accepts (empty when it takes none). */
export function bodyMediaTypes(operation: Operation): string[] {
  return Object.keys(operation.spec.requestBody?.content ?? {});
}
