// A real OpenID Connect provider (panva's oidc-provider, the certified implementation) for the end-to-end
// test: it issues JWT access tokens through the client_credentials grant with a resource indicator whose
// audience is the API's, adding tenant_id and roles claims, exactly as a production IdP would be configured.

import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair } from "jose";
import Provider from "oidc-provider";

import {
  API_RESOURCE,
  OIDC_PROVIDER_CLIENT_ID,
  OIDC_PROVIDER_CLIENT_SECRET,
  requestProviderToken,
} from "./oidc-token.ts";

export interface RunningOidcProvider {
  issuer: string;
  jwksUrl: string;
  discoveryUrl: string;
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
        client_secret: OIDC_PROVIDER_CLIENT_SECRET,
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

  // Fail the setup at once if the provider will not issue the grant the tests ask for.
  try {
    await requestProviderToken(issuer);
  } catch (error) {
    httpServer.close();
    throw error;
  }
  return {
    issuer,
    jwksUrl: `${issuer}/jwks`,
    discoveryUrl: `${issuer}/.well-known/openid-configuration`,
    close: () =>
      new Promise<void>((resolve) => {
        httpServer.closeAllConnections();
        httpServer.close(() => resolve());
      }),
  };
}
