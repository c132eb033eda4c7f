// Validates /openapi.json against the OpenAPI 3.1 JSON Schema with @seriousme/openapi-schema-validator, a dev
// dependency still to be added: until it is installed this test is skipped with a warning.
import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app.ts";

const VALIDATOR = "@seriousme/openapi-schema-validator";

interface OpenApiValidator {
  validate(document: unknown): Promise<{ valid: boolean; errors?: unknown }>;
}

async function loadValidator(): Promise<OpenApiValidator | undefined> {
  try {
    const module = (await import(/* @vite-ignore */ VALIDATOR)) as { Validator: new () => OpenApiValidator };
    return new module.Validator();
  } catch {
    return undefined;
  }
}

/** The [vars] of wrangler.toml, so the app is built with the settings `wrangler dev` would give it. */
async function wranglerVars(): Promise<Record<string, string>> {
  const toml = await readFile(new URL("../../wrangler.toml", import.meta.url), "utf8");
  const section = toml.split(/^\[vars\]$/m)[1]?.split(/^\[/m)[0] ?? "";
  return Object.fromEntries(
    [...section.matchAll(/^([A-Z_]+)\s*=\s*"([^"]*)"/gm)].map((match) => [
      match[1] as string,
      match[2] as string,
    ]),
  );
}

const validator = await loadValidator();
const skip = !validator;
if (skip) console.warn(`${VALIDATOR} is not installed: skipping the OpenAPI 3.1 schema validation.`);

describe.skipIf(skip)("OpenAPI document", () => {
  it("is a valid OpenAPI 3.1 document", async () => {
    if (!validator) return;
    const env = { ...(await wranglerVars()), ENVIRONMENT: "test" } as unknown as Env;
    const response = await createApp().request("/openapi.json", {}, env);
    expect(response.status).toBe(200);
    const result = await validator.validate(await response.json());
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });
});
