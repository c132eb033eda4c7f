// The import rules `npm run check` enforces (npm run deps:check), after DESIGN.md's layering: routes -> services
// -> db and domain, a pure domain, the Worker entry as the one place that binds the queue consumer and the cron.
// swc parses the TypeScript (dependency-cruiser's own TypeScript support predates TypeScript 7) and reports
// type-only imports too, so a cycle through types alone fails as well.
/** @type {import("dependency-cruiser").IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "no-circular",
      severity: "error",
      comment:
        "No import runs in a circle, type-only imports included: shared types get a module of their own.",
      from: {},
      to: { circular: true },
    },
    {
      name: "no-unresolvable",
      severity: "error",
      comment:
        "Every import resolves, so no dependency escapes the other rules (workerd's cloudflare: modules aside).",
      from: {},
      to: { couldNotResolve: true, pathNot: "^cloudflare:" },
    },
    {
      name: "domain-is-pure",
      severity: "error",
      comment:
        "src/domain is plain functions: it imports only itself, the error types, zod and @noble/hashes; no database, ORM, Neon " +
        "driver, services, routes, middleware, fetch wrappers or bindings.",
      from: { path: "^src/domain/" },
      to: {
        pathNot: ["^src/domain/", "^src/errors[.]ts$", "^node_modules/zod/", "^node_modules/@noble/hashes/"],
      },
    },
    {
      name: "services-no-hono",
      severity: "error",
      comment:
        "Services know nothing of HTTP: no Hono, no routes, middleware or app, and no cron entry above them.",
      from: { path: "^src/services/" },
      to: {
        path: ["^node_modules/(hono|@hono)/", "^src/(routes|middleware|ingest)/", "^src/app(-types)?[.]ts$"],
      },
    },
    {
      name: "routes-no-orm",
      severity: "error",
      comment: "Handlers never import the ORM, the Neon driver or src/db (schema included); services do.",
      from: { path: "^src/routes/" },
      to: { path: ["^node_modules/(drizzle-orm|@neondatabase)/", "^src/db/"] },
    },
    {
      name: "no-test-or-scripts-in-product",
      severity: "error",
      comment: "What the Worker runs never imports tests, scripts or benchmarks.",
      from: { path: "^(src|queues|durable-objects)/" },
      to: { path: "^(test|scripts|bench)/" },
    },
    {
      name: "queue-contract-is-a-leaf",
      severity: "error",
      comment:
        "The enrichment message and its producer are the queue's contract, used by both sides: they import " +
        "nothing from src/, so src/ can publish without depending on the consumer.",
      from: { path: "^queues/enrichment/(message|producer)[.]ts$" },
      to: { path: "^src/" },
    },
    {
      name: "entry-binds-consumer-and-cron",
      severity: "error",
      comment:
        "The queue consumer and the cron sit above the services they call; in what the Worker runs, only the " +
        "entry (src/index.ts) imports them.",
      from: { path: "^(src|queues|durable-objects)/", pathNot: ["^src/index[.]ts$", "^src/ingest/"] },
      to: { path: ["^queues/enrichment/consumer[.]ts$", "^src/ingest/"] },
    },
  ],
  options: {
    parser: "swc",
    tsConfig: { fileName: "tsconfig.json" },
    doNotFollow: { path: "^node_modules/" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default"],
      extensions: [".ts", ".js", ".json"],
    },
    progress: { type: "none" },
  },
};
