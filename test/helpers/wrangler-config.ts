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
