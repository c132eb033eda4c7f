// Starts the local platform (PGlite in memory + the Neon HTTP endpoint) once for the Workers-pool tests, exactly
// as `npm run dev` does, and hands its connection strings to the Worker's bindings.
import { createServer, type Socket } from "node:net";
import type { JWK } from "jose";
import type { TestProject } from "vitest/node";
import { startPlatform } from "../../scripts/platform/index.ts";
import { startLocalIssuer } from "../../scripts/platform/issuer.ts";

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
    adminDatabaseUrl: string;
    neonEndpointUrl: string;
    hangingDatabaseUrl: string;
    oidcIssuer: string;
    oidcJwksUrl: string;
    /** The local issuer's signing key, so tests in workerd can mint tokens it would mint. */
    oidcSigningKey: { kid: string; privateJwk: JWK; publicJwk: JWK };
  }
}

export default async function setup(project: TestProject) {
  const [platform, issuer] = await Promise.all([startPlatform(), startLocalIssuer()]);
  project.provide("oidcIssuer", issuer.issuer);
  project.provide("oidcJwksUrl", issuer.jwksUrl);
  project.provide("oidcSigningKey", issuer.key);
  project.provide("databaseUrl", platform.runtimeDatabaseUrl);
  project.provide("adminDatabaseUrl", platform.adminDatabaseUrl);
  project.provide("neonEndpointUrl", platform.endpoint.url);

  // A database that accepts connections and never answers: the Worker must give up within DB_TIMEOUT_MS.
  const sockets = new Set<Socket>();
  const hanging = createServer((socket) => sockets.add(socket));
  await new Promise<void>((resolve) => hanging.listen(0, "127.0.0.1", resolve));
  const hangingPort = (hanging.address() as { port: number }).port;
  project.provide(
    "hangingDatabaseUrl",
    `postgres://app_runtime:app_runtime@127.0.0.1:${hangingPort}/realestate`,
  );

  return async () => {
    for (const socket of sockets) socket.destroy();
    hanging.close();
    await Promise.all([platform.close(), issuer.close()]);
  };
}
