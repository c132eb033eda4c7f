// Which version of the Worker serves an environment now, for the deploy workflow. Prints GitHub step outputs:
//   version_id=<the version with the most traffic>  first_deploy=false   a version is serving
//   version_id=                                     first_deploy=true    the Worker does not exist yet (Cloudflare
//                                                                         API code 10007) or has no deployment
// Anything else wrangler reports (bad credentials, an API outage) fails the step: treating it as a first deploy
// would skip the canary and send a new version to 100 % of traffic.
//
// usage: node scripts/serving-version.ts --env <staging|production>
import { execFile } from "node:child_process";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { parseArgs } from "./lib/args.ts";

const run = promisify(execFile);

export interface ServingVersion {
  versionId: string | null;
  firstDeploy: boolean;
}

interface Deployment {
  versions?: { version_id?: string; percentage?: number }[];
}

const WORKER_NOT_FOUND = /\[code: 10007\]/;
const NO_DEPLOYMENTS = /has no deployments/;

export async function servingVersion(
  environment: string,
  wrangler: readonly string[] = ["npx", "wrangler"],
): Promise<ServingVersion> {
  const [command = "npx", ...prefix] = wrangler;
  let stdout: string;
  try {
    ({ stdout } = await run(command, [...prefix, "deployments", "status", "--env", environment, "--json"], {
      env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
      maxBuffer: 16 * 1024 * 1024,
    }));
  } catch (error) {
    const output = `${(error as { stdout?: string }).stdout ?? ""}\n${(error as { stderr?: string }).stderr ?? ""}`;
    if (WORKER_NOT_FOUND.test(output) || NO_DEPLOYMENTS.test(output))
      return { versionId: null, firstDeploy: true };
    throw new Error(`wrangler deployments status failed:\n${output.trim()}`);
  }
  const deployment = JSON.parse(stdout) as Deployment;
  const [serving] = [...(deployment.versions ?? [])].sort(
    (a, b) => (b.percentage ?? 0) - (a.percentage ?? 0),
  );
  if (!serving?.version_id) throw new Error(`no version in the current deployment: ${stdout.trim()}`);
  return { versionId: serving.version_id, firstDeploy: false };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const environment = parseArgs(process.argv.slice(2)).get("env");
  if (!environment) {
    process.stderr.write("usage: node scripts/serving-version.ts --env <staging|production>\n");
    process.exit(2);
  }
  servingVersion(environment).then(
    ({ versionId, firstDeploy }) => {
      process.stdout.write(`version_id=${versionId ?? ""}\nfirst_deploy=${firstDeploy}\n`);
    },
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
