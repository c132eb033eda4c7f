// A local OpenID Connect issuer for development and tests: a discovery document and a JWKS on 127.0.0.1, at
// Keycloak's paths, and a signer that mints access tokens shaped like a Keycloak realm's (tenant_id claim,
// realm_access.roles). The Worker verifies them exactly as it verifies the production IdP's.
import { chmod, mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname } from "node:path";
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

function isSigningKey(value: unknown): value is SigningKey {
  const key = value as Partial<SigningKey> | null;
  return (
    typeof key?.kid === "string" &&
    typeof key.privateJwk === "object" &&
    key.privateJwk?.kty === "RSA" &&
    typeof key.privateJwk.d === "string" &&
    typeof key.publicJwk === "object" &&
    key.publicJwk?.kid === key.kid &&
    key.publicJwk.d === undefined
  );
}

/** Reads the signing key the dev issuer persists (`npm run token` signs with the same one). */
export async function loadSigningKey(path: string): Promise<SigningKey> {
  const parsed: unknown = JSON.parse(await readFile(path, "utf8"));
  if (!isSigningKey(parsed)) {
    throw new Error(
      `${path} is not a signing key written by the local issuer; delete it to create a new one`,
    );
  }
  return parsed;
}

/**
 * The dev issuer's signing key, kept across restarts so tokens minted earlier (and by `npm run token`) stay
 * valid. Created on first use, written atomically and readable by the owner only: it is a private key, even if
 * only a local one.
 */
export async function loadOrCreateSigningKey(path: string): Promise<SigningKey> {
  try {
    return await loadSigningKey(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  const key = await createSigningKey();
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(key, null, 2)}\n`, { mode: 0o600 });
  await chmod(temporary, 0o600);
  await rename(temporary, path);
  return key;
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
