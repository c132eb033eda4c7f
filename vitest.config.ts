import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

process.env.WRANGLER_SEND_METRICS ??= "false";
process.env.CLOUDFLARE_CF_FETCH_ENABLED ??= "false";

export default defineConfig({
  test: {
    coverage: {
      provider: "istanbul",
      include: ["src/**/*.ts", "durable-objects/**/*.ts", "queues/**/*.ts", "scripts/platform/**/*.ts"],
      reporter: ["text-summary", "text", "json-summary"],
      thresholds: { lines: 85, branches: 85 },
    },
    projects: [
      {
        // Everything that runs in the Worker runs in workerd, on the runtime `wrangler dev` uses.
        plugins: [
          cloudflareTest(({ inject }) => ({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: {
              bindings: {
                ENVIRONMENT: "test",
                DATABASE_URL: inject("databaseUrl"),
                ADMIN_DATABASE_URL: inject("adminDatabaseUrl"),
                NEON_ENDPOINT_URL: inject("neonEndpointUrl"),
                HANGING_DATABASE_URL: inject("hangingDatabaseUrl"),
                OIDC_ISSUER: inject("oidcIssuer"),
                OIDC_JWKS_URL: inject("oidcJwksUrl"),
                OIDC_TEST_SIGNING_KEY: JSON.stringify(inject("oidcSigningKey")),
                // Requests without CF-Connecting-IP all share the "local" client key, so the whole suite would
                // share one per-IP budget; rate-limit tests use their own addresses and policies.
                RATE_LIMIT_ANON: "500/60",
                RATE_LIMIT_AUTH_FAILURES: "500/60",
                // Hundreds of concurrent calls queue on one object on a shared 2-core machine; a timeout there
                // would fail open and break the exact counts the tests check. Fault tests set their own.
                RATE_LIMIT_TIMEOUT_MS: "2000",
              },
            },
          })),
        ],
        test: {
          name: "worker",
          include: ["test/{unit,routes,security,durable-objects,queues}/**/*.test.ts"],
          globalSetup: ["test/helpers/global-setup.ts"],
          // A file's first request starts the Worker and its first Durable Objects; with several files in
          // parallel on a shared 2-core machine that alone has taken longer than vitest's default 5 s.
          testTimeout: 15_000,
        },
      },
      {
        // The database suites (PGlite and real PostgreSQL) and the Node-side scripts.
        test: {
          name: "node",
          environment: "node",
          include: ["test/{db,scripts}/**/*.test.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
