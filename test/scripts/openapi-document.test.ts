// Validates /openapi.json against the OpenAPI 3.1 JSON Schema (@seriousme/openapi-schema-validator).
import { readFile } from "node:fs/promises";
import { Validator } from "@seriousme/openapi-schema-validator";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app.ts";

/** The [vars] of wrangler.toml, so the app is built with the settings `wrangler dev` would give it. */
async function wranglerVars(): Promise<Record<string, string>> {
  const toml = await readFile(new URL("../../wrangler.toml", import.meta.url), "utf8");
  const section = toml.split(/^\[vars\]$/m)[1]?.split(/^\[/m)[0] ?? "";
  return Object.fromEntries(
    [...section.matchAll(/^([A-Z_]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/gm)].map((match) => [
      match[1] as string,
      (match[2] ?? match[3]) as string,
    ]),
  );
}

describe("OpenAPI document", () => {
  it("is a valid OpenAPI 3.1 document", async () => {
    const env = { ...(await wranglerVars()), ENVIRONMENT: "test" } as unknown as Env;
    const response = await createApp().request("/openapi.json", {}, env);
    expect(response.status).toBe(200);
    const result = await new Validator().validate(await response.json());
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });
});
