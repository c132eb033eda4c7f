// Bundles the Worker for staging and production without uploading (`wrangler deploy --dry-run`), so a binding,
// environment or entry-point mistake fails CI instead of a deployment. `npm run deploy:check`.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const ENVIRONMENTS = ["staging", "production"] as const;

let failed = false;
for (const environment of ENVIRONMENTS) {
  const outdir = mkdtempSync(join(tmpdir(), `real-estate-os-${environment}-`));
  try {
    const result = spawnSync("wrangler", ["deploy", "--dry-run", "--env", environment, "--outdir", outdir], {
      stdio: "inherit",
      env: { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" },
    });
    if (result.status !== 0) {
      failed = true;
      console.error(
        `deploy:check: the ${environment} dry run failed (exit ${result.status ?? result.signal})`,
      );
    } else {
      console.log(`deploy:check: ${environment} bundles and binds`);
    }
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
process.exitCode = failed ? 1 : 0;
