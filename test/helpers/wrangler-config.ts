// wrangler.toml as wrangler itself reads it, for Node-side tests that must use an environment's real settings.
import { experimental_readRawConfig } from "wrangler";

export type WranglerEnvironment = "staging" | "production";

const { rawConfig } = experimental_readRawConfig({ config: "wrangler.toml" });

export const wranglerConfig = rawConfig;

/** The [env.<name>.vars] of wrangler.toml as string bindings (what a deployed Worker's env holds, less secrets). */
export function environmentVars(environment: WranglerEnvironment): Record<string, string> {
  const vars = rawConfig.env?.[environment]?.vars ?? {};
  return Object.fromEntries(Object.entries(vars).map(([name, value]) => [name, String(value)]));
}

/** The secrets wrangler.toml requires of an environment (`secrets.required`). */
export function requiredSecrets(environment: WranglerEnvironment): string[] {
  return [...(rawConfig.env?.[environment]?.secrets?.required ?? [])];
}

/** An environment's enrichment queues as wrangler.toml declares them, with that environment's vars. */
export interface QueueEnvironment {
  environment: "development" | WranglerEnvironment;
  vars: Record<string, string>;
  /** The consumer that has a dead_letter_queue: the enrichment queue. */
  queue: string;
  deadLetterQueue: string;
  /** The queues wrangler.toml declares consumers for (the DLQ needs one, or dead letters are never recorded). */
  consumers: string[];
}

type RawQueues = {
  consumers?: { queue: string; dead_letter_queue?: string }[];
};

function queueEnvironment(
  environment: QueueEnvironment["environment"],
  vars: Record<string, unknown>,
  queues: RawQueues | undefined,
): QueueEnvironment {
  const consumers = queues?.consumers ?? [];
  const enrichment = consumers.filter((consumer) => consumer.dead_letter_queue);
  if (enrichment.length !== 1 || !enrichment[0]?.dead_letter_queue) {
    throw new Error(`wrangler.toml (${environment}): expected one queue consumer with a dead_letter_queue`);
  }
  return {
    environment,
    vars: Object.fromEntries(Object.entries(vars).map(([name, value]) => [name, String(value)])),
    queue: enrichment[0].queue,
    deadLetterQueue: enrichment[0].dead_letter_queue,
    consumers: consumers.map((consumer) => consumer.queue),
  };
}

/** Every environment of wrangler.toml (top level, staging, production) with its queue names. */
export function queueEnvironments(): QueueEnvironment[] {
  return [
    queueEnvironment("development", rawConfig.vars ?? {}, rawConfig.queues as RawQueues | undefined),
    ...(["staging", "production"] as const).map((environment) =>
      queueEnvironment(
        environment,
        rawConfig.env?.[environment]?.vars ?? {},
        rawConfig.env?.[environment]?.queues as RawQueues | undefined,
      ),
    ),
  ];
}
