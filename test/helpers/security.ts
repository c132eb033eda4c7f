// Reusable security checks for any resource's routes (properties, users, ...). Each takes functions that send
// the request, so it works with exports.default.fetch, createApp().fetch or SELF alike.
import { expect } from "vitest";

type Send = () => Promise<Response>;

function comparable(body: Record<string, unknown>) {
  const { requestId: _requestId, instance: _instance, ...rest } = body;
  return rest;
}

/**
 * Tenant A asking for tenant B's object must get exactly what it gets for an id that does not exist: the same
 * 404 status, problem type, title and detail, so responses do not reveal that the id exists elsewhere.
 */
export async function expectForeignObjectLooksMissing(options: {
  requestForeign: Send;
  requestMissing: Send;
}): Promise<void> {
  const foreign = await options.requestForeign();
  const missing = await options.requestMissing();
  expect(foreign.status).toBe(404);
  expect(missing.status).toBe(404);
  expect(foreign.headers.get("content-type")).toBe(missing.headers.get("content-type"));
  const [foreignBody, missingBody] = await Promise.all([foreign.json(), missing.json()]);
  expect(comparable(foreignBody as Record<string, unknown>)).toEqual(
    comparable(missingBody as Record<string, unknown>),
  );
}

/** Fields a client must never be able to set: the tenant and ownership come from the verified token only. */
export const FORBIDDEN_BODY_FIELDS = ["tenant_id", "tenantId", "owner", "role", "roles"] as const;

/**
 * A body that is valid except for one tenant or ownership field is refused with 422 problem+json naming the
 * field, for each of FORBIDDEN_BODY_FIELDS. `send` posts the body with a valid token.
 */
export async function expectTenantFieldsRejected(options: {
  validBody: Record<string, unknown>;
  foreignTenantId: string;
  send: (body: Record<string, unknown>) => Promise<Response>;
}): Promise<void> {
  for (const field of FORBIDDEN_BODY_FIELDS) {
    const value = field === "role" || field === "roles" ? "admin" : options.foreignTenantId;
    const response = await options.send({ ...options.validBody, [field]: value });
    const text = await response.text();
    expect(response.status, `${field}: ${text}`).toBe(422);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    expect(text).toContain(field);
  }
}
