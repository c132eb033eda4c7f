// End to end with a real OpenID Connect provider (oidc-provider, started by the global setup): its
// client_credentials JWT access token, for the API's audience and carrying tenant_id and roles, is accepted.
import { beforeAll, describe, expect, inject, it } from "vitest";
import { callApi, expectInvalidToken } from "../helpers/auth.ts";
import { testEnv } from "../helpers/env.ts";
import { requestProviderToken } from "../helpers/oidc-token.ts";

const provider = inject("oidcProvider");

function providerEnv(overrides: Record<string, string> = {}): Env {
  return {
    ...testEnv,
    OIDC_ISSUER: provider.issuer,
    OIDC_JWKS_URL: provider.jwksUrl,
    OIDC_DISCOVERY_URL: "",
    OIDC_ROLES_CLAIM: "roles",
    ...overrides,
  } as Env;
}

describe("tokens from oidc-provider", () => {
  let accessToken = "";
  beforeAll(async () => {
    accessToken = await requestProviderToken(provider.issuer);
  });

  it("GET /api/v1/me answers 200 for the provider's token (JWKS URL)", async () => {
    const response = await callApi(providerEnv(), "/api/v1/me", { token: accessToken });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ roles: ["admin"], tenant: { id: provider.tenantId } });
  });

  it("answers 200 through the provider's discovery document too", async () => {
    const env = providerEnv({ OIDC_JWKS_URL: "", OIDC_DISCOVERY_URL: provider.discoveryUrl });
    expect((await callApi(env, "/api/v1/me", { token: accessToken })).status).toBe(200);
  });

  it("refuses the same token when the API expects another audience or issuer", async () => {
    await expectInvalidToken(
      await callApi(providerEnv({ OIDC_AUDIENCE: "another-api" }), "/api/v1/me", {
        token: accessToken,
      }),
    );
    await expectInvalidToken(await callApi(testEnv, "/api/v1/me", { token: accessToken }));
  });
});
