// A real OpenID Connect provider (panva's oidc-provider, the certified implementation) for the end-to-end
// test: it issues JWT access tokens through the client_credentials grant with a resource indicator whose
// audience is the API's, adding tenant_id and roles claims, exactly as a production IdP would be configured.

import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair } from "jose";
import Provider from "oidc-provider";

export const OIDC_PROVIDER_CLIENT_ID = "real-estate-os-e2e";
const CLIENT_SECRET = "e2e-secret-that-is-only-used-on-loopback";
// Resource indicators are absolute URIs (RFC 8707); the provider maps this one onto the API's audience.
const API_RESOURCE = "https://api.real-estate-os.test/";

export interface RunningOidcProvider {
  issuer: string;
  jwksUrl: string;
  discoveryUrl: string;
  /** An access token obtained over HTTP from the provider's token endpoint. */
  accessToken: string;
  close(): Promise<void>;
}

export async function startOidcProvider(options: {
  audience: string;
  tenantId: string;
  roles: string[];
}): Promise<RunningOidcProvider> {
  const { privateKey } = await generateKeyPair("RS256", { extractable: true });
  const signingJwk = { ...(await exportJWK(privateKey)), kid: "e2e-rs256", alg: "RS256", use: "sig" };

  const httpServer = createServer();
  await new Promise<void>((resolve) => httpServer.listen(0, "127.0.0.1", resolve));
  const issuer = `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`;

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: OIDC_PROVIDER_CLIENT_ID,
        client_secret: CLIENT_SECRET,
        grant_types: ["client_credentials"],
        redirect_uris: [],
        response_types: [],
        token_endpoint_auth_method: "client_secret_basic",
      },
    ],
    jwks: { keys: [signingJwk] },
    ttl: { ClientCredentials: 600 },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => API_RESOURCE,
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({
          scope: "api",
          audience: options.audience,
          accessTokenTTL: 600,
          accessTokenFormat: "jwt",
          jwt: { sign: { alg: "RS256" } },
        }),
      },
    },
    extraTokenClaims: () => ({ tenant_id: options.tenantId, roles: options.roles }),
  });
  httpServer.on("request", provider.callback());

  const response = await fetch(`${issuer}/token`, {
    method: "POST",
    headers: {
      authorization: `Basic ${Buffer.from(`${OIDC_PROVIDER_CLIENT_ID}:${CLIENT_SECRET}`).toString("base64")}`,
      "content-type": "application/x-www-form-urlencoded",
    },
    body: new URLSearchParams({ grant_type: "client_credentials", resource: API_RESOURCE, scope: "api" }),
  });
  const body = (await response.json()) as {
    access_token?: string;
    error?: string;
    error_description?: string;
  };
  if (!response.ok || !body.access_token) {
    httpServer.close();
    throw new Error(
      `oidc-provider refused the client_credentials grant: ${body.error} ${body.error_description}`,
    );
  }
  return {
    issuer,
    jwksUrl: `${issuer}/jwks`,
    discoveryUrl: `${issuer}/.well-known/openid-configuration`,
    accessToken: body.access_token,
    close: () =>
      new Promise<void>((resolve) => {
        httpServer.closeAllConnections();
        httpServer.close(() => resolve());
      }),
  };
}
