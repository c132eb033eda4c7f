// The deploy workflow as GitHub and wrangler will run it: it starts only from a successful CI run of a push to
// main and deploys exactly the commit that run tested; the version lookup that decides between a gradual and a
// first deploy is the real wrangler CLI talking to a local stand-in of the Cloudflare API; and a first deploy
// uploads every secret wrangler.toml requires, read with wrangler's own config reader.
import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { experimental_readRawConfig } from "wrangler";
import { parse } from "yaml";
import { servingVersion } from "../../scripts/serving-version.ts";

interface Step {
  name?: string;
  id?: string;
  if?: string;
  uses?: string;
  run?: string;
  with?: Record<string, string>;
  env?: Record<string, string>;
}
interface Job {
  if?: string;
  needs?: string | string[];
  steps: Step[];
}
interface Workflow {
  name: string;
  on: Record<string, { workflows?: string[]; types?: string[]; branches?: string[] }>;
  env?: Record<string, string>;
  jobs: Record<string, Job>;
}

async function workflow(file: string): Promise<Workflow> {
  return parse(await readFile(new URL(`../../.github/workflows/${file}`, import.meta.url), "utf8"));
}

const PASSED_CI = /github\.event\.workflow_run\.conclusion == 'success'/;
const PUSH_TO_MAIN = /github\.event\.workflow_run\.event == 'push'/;

describe("deploy workflow", () => {
  it("starts only when CI completes for a push to main, and deploys only when that run passed", async () => {
    const [deploy, ci] = await Promise.all([workflow("deploy.yml"), workflow("ci.yml")]);
    expect(Object.keys(deploy.on)).toEqual(["workflow_run"]);
    expect(deploy.on.workflow_run).toEqual({
      workflows: [ci.name],
      types: ["completed"],
      branches: ["main"],
    });
    const gated = (name: string): boolean => {
      const job = deploy.jobs[name];
      if (!job) return false;
      if (job.if && PASSED_CI.test(job.if) && PUSH_TO_MAIN.test(job.if)) return true;
      const needs = job.needs === undefined ? [] : [job.needs].flat();
      return needs.length > 0 && needs.every(gated);
    };
    for (const name of Object.keys(deploy.jobs)) expect(gated(name), name).toBe(true);
  });

  it("checks out and names the commit CI tested, never main's newest", async () => {
    const deploy = await workflow("deploy.yml");
    expect(deploy.env?.COMMIT_SHA).toBe("${{ github.event.workflow_run.head_sha }}");
    for (const [name, job] of Object.entries(deploy.jobs)) {
      const checkouts = job.steps.filter((step) => step.uses?.startsWith("actions/checkout@"));
      expect(checkouts.length, name).toBeGreaterThan(0);
      for (const step of checkouts)
        expect(step.with?.ref, name).toBe("${{ github.event.workflow_run.head_sha }}");
      for (const step of job.steps) {
        const text = JSON.stringify(step);
        expect(text, `${name}: ${step.name}`).not.toMatch(/GITHUB_SHA|github\.sha/);
      }
    }
  });

  it("deploys a first version at 100 % with every secret wrangler.toml requires, and canaries the others", async () => {
    const deploy = await workflow("deploy.yml");
    const { rawConfig } = experimental_readRawConfig({ config: "wrangler.toml" });
    for (const [name, environment] of [
      ["staging", "staging"],
      ["production", "production"],
    ] as const) {
      const required = rawConfig.env?.[environment]?.secrets?.required ?? [];
      expect(required.length, environment).toBeGreaterThan(0);
      const steps = deploy.jobs[name]?.steps ?? [];
      const lookup = steps.find((step) =>
        step.run?.includes(`scripts/serving-version.ts --env ${environment}`),
      );
      expect(lookup?.id, environment).toBeTruthy();
      const firstDeploy = steps.find((step) => step.run?.includes("--secrets-file"));
      expect(firstDeploy?.run, environment).toContain("wrangler deploy");
      expect(firstDeploy?.run, environment).toContain(`--env ${environment}`);
      for (const secret of required)
        expect(firstDeploy?.run, `${environment} ${secret}`).toMatch(new RegExp(`[{ ]${secret}: \\$`));
      const usesFirstDeploy = `${firstDeploy?.if ?? ""} ${JSON.stringify(firstDeploy?.env ?? {})}`;
      expect(usesFirstDeploy, environment).toContain(`steps.${lookup?.id}.outputs.first_deploy`);
    }
    const production = deploy.jobs.production?.steps ?? [];
    for (const step of production.filter((candidate) =>
      /wrangler versions (upload|deploy)/.test(candidate.run ?? ""),
    )) {
      expect(step.if, step.name).toMatch(/steps\.stable\.outputs\.version_id != ''/);
    }
  });
});

describe("serving-version, with the wrangler CLI against a stand-in Cloudflare API", () => {
  let server: Server;
  let answer: { status: number; body: unknown };
  const requested: string[] = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      requested.push(`${request.method} ${request.url}`);
      response.writeHead(answer.status, { "content-type": "application/json" });
      response.end(JSON.stringify(answer.body));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    process.env.CLOUDFLARE_API_BASE_URL = `http://127.0.0.1:${port}/client/v4`;
    process.env.CLOUDFLARE_API_TOKEN = "test-token";
    process.env.CLOUDFLARE_ACCOUNT_ID = "test-account";
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  const envelope = (result: unknown, errors: unknown[] = []) => ({
    success: errors.length === 0,
    errors,
    messages: [],
    result,
  });

  it("names the version with the most traffic of the Worker that wrangler.toml names for the environment", async () => {
    answer = {
      status: 200,
      body: envelope({
        deployments: [
          {
            id: "deployment",
            created_on: "2026-11-30T10:00:00Z",
            source: "wrangler",
            strategy: "percentage",
            author_email: "ci@example.com",
            annotations: {},
            versions: [
              { version_id: "canary-version", percentage: 10 },
              { version_id: "stable-version", percentage: 90 },
            ],
          },
        ],
      }),
    };
    await expect(servingVersion("production")).resolves.toEqual({
      versionId: "stable-version",
      firstDeploy: false,
    });
    expect(requested.at(-1)).toBe(
      "GET /client/v4/accounts/test-account/workers/scripts/real-estate-os-production/deployments",
    );
  }, 60_000);

  it("calls a Worker that does not exist yet, or has never been deployed, a first deploy", async () => {
    answer = {
      status: 404,
      body: envelope(null, [{ code: 10007, message: "This Worker does not exist on your account." }]),
    };
    await expect(servingVersion("staging")).resolves.toEqual({ versionId: null, firstDeploy: true });
    answer = { status: 200, body: envelope({ deployments: [] }) };
    await expect(servingVersion("production")).resolves.toEqual({ versionId: null, firstDeploy: true });
  }, 60_000);

  it("fails on any other answer instead of skipping the canary", async () => {
    answer = { status: 403, body: envelope(null, [{ code: 10000, message: "Authentication error" }]) };
    await expect(servingVersion("production")).rejects.toThrow(/Authentication error/);
  }, 60_000);
});
