// A local OpenID Connect issuer for development and tests: a discovery document and a JWKS on 127.0.0.1, at
// Keycloak's paths, and a signer that mints access tokens shaped like a Keycloak realm's (tenant_id claim,
// realm_access.roles). The Worker verifies them exactly as it verifies the production IdP's.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, importJWK, type JWK, SignJWT } from "jose";

export const LOCAL_REALM_PATH = "/realms/real-estate-os";
export const LOCAL_AUDIENCE = "real-estate-os-api";

export interface SigningKey {
  kid: string;
  privateJwk: JWK;
  publicJwk: JWK;
}

export interface TokenClaims {
  tenantId: string;
  subject: string;
  roles: string[];
  email?: string;
  expiresInSeconds?: number;
}

export interface LocalIssuer {
  readonly issuer: string;
  readonly jwksUrl: string;
  readonly key: SigningKey;
  mint(claims: TokenClaims): Promise<string>;
  close(): Promise<void>;
}

export async function createSigningKey(): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
  const kid = crypto.randomUUID();
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: "RS256", use: "sig" };
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: "RS256", use: "sig" };
  return { kid, privateJwk, publicJwk };
}

export async function mintAccessToken(
  key: SigningKey,
  issuer: string,
  claims: TokenClaims,
  audience = LOCAL_AUDIENCE,
): Promise<string> {
  const privateKey = await importJWK(key.privateJwk, "RS256");
  return new SignJWT({
    tenant_id: claims.tenantId,
    realm_access: { roles: claims.roles },
    ...(claims.email ? { email: claims.email } : {}),
    azp: "real-estate-os-cli",
    typ: "Bearer",
  })
    .setProtectedHeader({ alg: "RS256", kid: key.kid, typ: "JWT" })
    .setIssuer(issuer)
    .setAudience(audience)
    .setSubject(claims.subject)
    .setIssuedAt()
    .setJti(crypto.randomUUID())
    .setExpirationTime(`${claims.expiresInSeconds ?? 3600}s`)
    .sign(privateKey);
}

export async function startLocalIssuer(
  options: { port?: number; key?: SigningKey } = {},
): Promise<LocalIssuer> {
  const key = options.key ?? (await createSigningKey());
  let base = "";
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? "/", "http://localhost").pathname;
    let body: unknown;
    if (path === `${LOCAL_REALM_PATH}/.well-known/openid-configuration`) {
      body = {
        issuer: `${base}${LOCAL_REALM_PATH}`,
        jwks_uri: `${base}${LOCAL_REALM_PATH}/protocol/openid-connect/certs`,
        id_token_signing_alg_values_supported: ["RS256"],
        subject_types_supported: ["public"],
        response_types_supported: ["code"],
        authorization_endpoint: `${base}${LOCAL_REALM_PATH}/protocol/openid-connect/auth`,
        token_endpoint: `${base}${LOCAL_REALM_PATH}/protocol/openid-connect/token`,
      };
    } else if (path === `${LOCAL_REALM_PATH}/protocol/openid-connect/certs`) {
      body = { keys: [key.publicJwk] };
    }
    const payload = JSON.stringify(body ?? { error: "not_found" });
    response.writeHead(body ? 200 : 404, {
      "content-type": "application/json",
      "cache-control": "max-age=300",
    });
    response.end(payload);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", resolve);
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const issuer = `${base}${LOCAL_REALM_PATH}`;
  return {
    issuer,
    jwksUrl: `${issuer}/protocol/openid-connect/certs`,
    key,
    mint: (claims) => mintAccessToken(key, issuer, claims),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The development issuer's key, kept in a file so tokens stay valid across restarts of `npm run dev`. */
export async function loadOrCreateSigningKey(path: string): Promise<SigningKey> {
  const { mkdir, readFile, writeFile } = await import("node:fs/promises");
  const { dirname } = await import("node:path");
  try {
    return JSON.parse(await readFile(path, "utf8")) as SigningKey;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  const key = await createSigningKey();
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, JSON.stringify(key), { mode: 0o600 });
  return key;
}
