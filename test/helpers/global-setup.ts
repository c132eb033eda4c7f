// Starts the local platform (PGlite in memory + the Neon HTTP endpoint) once for the Workers-pool tests, exactly
// as `npm run dev` does, and hands its connection strings to the Worker's bindings. It also starts what the
// auth tests need on the Node side: a JWKS server they control, and a real OIDC provider (oidc-provider) whose
// client_credentials token, for a tenant created here, the end-to-end test presents to the Worker.
import { createServer, type Socket } from "node:net";
import type { JWK } from "jose";
import type { TestProject } from "vitest/node";
import { listQueries, loadQuery, parseArgs, renderQuery } from "../../scripts/ops-query.ts";
import { startPlatform } from "../../scripts/platform/index.ts";
import { LOCAL_AUDIENCE, startLocalIssuer } from "../../scripts/platform/issuer.ts";
import { startControlledJwksServer } from "./jwks-server.ts";
import { startOidcProvider } from "./oidc-provider.ts";
import { type QueueEnvironment, queueEnvironments } from "./wrangler-config.ts";

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
    /** Base URL of the controllable JWKS server (test/helpers/jwks-server.ts). */
    jwksControlUrl: string;
    /** The real OIDC provider: its endpoints, a tenant created for it, its tests ask it for tokens when they run. */
    oidcProvider: {
      issuer: string;
      jwksUrl: string;
      discoveryUrl: string;
      tenantId: string;
    };
    /** wrangler.toml's environments with their queue names and vars, read here because workerd has no files. */
    queueEnvironments: QueueEnvironment[];
    /** Every operator query as `npm run ops:query -- <name> --env development` sends it, by name. */
    opsQueries: Record<string, string>;
  }
}

export default async function setup(project: TestProject) {
  const [platform, issuer, jwksServer] = await Promise.all([
    startPlatform(),
    startLocalIssuer(),
    startControlledJwksServer(),
  ]);
  project.provide("jwksControlUrl", jwksServer.url);
  project.provide("queueEnvironments", queueEnvironments());
  const queryNames = await listQueries();
  project.provide(
    "opsQueries",
    Object.fromEntries(
      await Promise.all(
        queryNames.map(async (name) => [
          name,
          renderQuery(await loadQuery(name), parseArgs([name, "--env", "development"])),
        ]),
      ),
    ),
  );

  // The database-error tests need a statement that fails with a SQLSTATE of their choosing. The local endpoint
  // refuses DO blocks (a way out of the role), so the test database alone gets a function that raises one
  // (the migrations never create it).
  await platform.database.asOwner((session) =>
    session.exec(`
      create or replace function test_raise_sqlstate(code text) returns void
        language plpgsql set search_path = pg_catalog as $$ begin raise exception 'boom' using errcode = code; end $$;
      grant execute on function test_raise_sqlstate(text) to app_runtime;`),
  );

  const [created] = await platform.database.transaction({ user: "app_admin", password: "app_admin" }, [
    {
      query: "insert into tenants (slug, name) values ($1, $2) returning id",
      params: [`oidc-e2e-${Date.now().toString(36)}`, "oidc-provider end-to-end"],
    },
  ]);
  const e2eTenantId = String(created?.rows[0]?.[0]);
  const oidcProvider = await startOidcProvider({
    audience: LOCAL_AUDIENCE,
    tenantId: e2eTenantId,
    roles: ["admin"],
  });
  project.provide("oidcProvider", {
    issuer: oidcProvider.issuer,
    jwksUrl: oidcProvider.jwksUrl,
    discoveryUrl: oidcProvider.discoveryUrl,
    tenantId: e2eTenantId,
  });
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
    await Promise.all([platform.close(), issuer.close(), jwksServer.close(), oidcProvider.close()]);
  };
}
