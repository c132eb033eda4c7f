// Property-based fuzzing of every operation in /openapi.json: values drawn from each operation's own parameter
// and body schemas (enums, examples, types) mixed with hostile ones (NUL, lone surrogates, invalid percent
// escapes, SQL and path fragments, huge and odd numbers, wrong types). Whatever the input, no answer is a 5xx.
import { exports } from "cloudflare:workers";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bodyMediaTypes, type Operation, operations } from "../helpers/openapi.ts";
import { createTenant } from "../helpers/tenants.ts";

const api = exports.default;
const RUNS = 20;

// biome-ignore lint/suspicious/noExplicitAny: JSON Schema fragments as served
type Schema = any;

const hostileText = fc.oneof(
  fc.constantFrom(
    "",
    "\u0000",
    "a\u0000b",
    "\ud800",
    "\udfff\ud800",
    "' OR 1=1 --",
    "'; drop table properties; --",
    "../../../etc/passwd",
    "<script>alert(1)</script>",
    "𝕏🏠",
    "1e309",
    "-0",
    "NaN",
    "null",
    "9".repeat(400),
    "x".repeat(20_000),
    "Very High",
    "0190f5a2-6f0e-7c4b-9b1e-2f6d1c7e8a90",
  ),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.string({ unit: "grapheme", maxLength: 40 }),
);

/** Raw query text, not encoded again: invalid UTF-8 and bad escapes as a client could send them. */
const rawQueryText = fc.constantFrom("%00", "%FF", "%ED%A0%80", "%", "%zz", "a%2C%2Cb", "%E2%80%AE");

function valueFor(schema: Schema | undefined): fc.Arbitrary<unknown> {
  const own: fc.Arbitrary<unknown>[] = [];
  if (schema?.enum) own.push(fc.constantFrom(...schema.enum));
  if (schema?.example !== undefined) own.push(fc.constant(schema.example));
  if (schema?.type === "integer") own.push(fc.integer(), fc.constantFrom(2 ** 53, -(2 ** 31), 0));
  if (schema?.type === "number") own.push(fc.double(), fc.constantFrom(1e308, -1e308, 0.1));
  if (schema?.type === "boolean") own.push(fc.boolean());
  if (schema?.type === "array") own.push(fc.array(valueFor(schema.items), { maxLength: 3 }));
  return fc.oneof(
    ...own,
    hostileText,
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.constant({}),
    fc.constant([]),
  );
}

function resolve(document: Schema, schema: Schema): Schema {
  const ref: string | undefined = schema?.$ref;
  return ref ? resolve(document, document.components.schemas[ref.split("/").at(-1) as string]) : schema;
}

function bodyFor(document: Schema, schema: Schema): fc.Arbitrary<unknown> {
  const resolved = resolve(document, schema ?? {});
  const properties: Record<string, Schema> =
    resolved?.properties ?? resolve(document, resolved?.items)?.properties ?? {};
  const record = fc.record(
    Object.fromEntries(
      Object.entries(properties).map(([name, property]) => [name, valueFor(resolve(document, property))]),
    ),
    { requiredKeys: [] },
  );
  return fc.oneof(record, fc.array(record, { maxLength: 3 }), valueFor(undefined));
}

interface Input {
  path: string;
  query: string;
  headers: Record<string, string>;
  body?: string;
}

function inputFor(document: Schema, operation: Operation): fc.Arbitrary<Input> {
  const parameters: Schema[] = operation.spec.parameters ?? [];
  const text = (value: unknown) => (typeof value === "string" ? value : (JSON.stringify(value) ?? ""));
  const encoded = (value: unknown) => encodeURIComponent(text(value).toWellFormed());
  const inPath = parameters.filter((parameter) => parameter.in === "path");
  const inQuery = parameters.filter((parameter) => parameter.in === "query");
  const [mediaType] = bodyMediaTypes(operation);
  return fc.record({
    path: fc
      .tuple(...inPath.map((parameter) => fc.oneof(valueFor(parameter.schema), fc.uuid())))
      .map((values) => {
        let index = 0;
        return operation.path.replaceAll(/\{[^}]+\}/g, () => encoded(values[index++]));
      }),
    query: fc
      .tuple(
        ...inQuery.map((parameter) =>
          fc.option(fc.oneof(valueFor(parameter.schema).map(encoded), rawQueryText)),
        ),
      )
      .map((values) =>
        values
          .map((value, index) => (value === null ? undefined : `${inQuery[index]?.name}=${value}`))
          .filter(Boolean)
          .join("&"),
      ),
    headers: fc.record(
      {
        "idempotency-key": hostileText.map((value) =>
          value.replaceAll("\u0000", "").replaceAll("\r", "").replaceAll("\n", "").toWellFormed(),
        ),
      },
      { requiredKeys: [] },
    ),
    ...(mediaType
      ? {
          body:
            mediaType === "text/csv"
              ? hostileText.map((value) => `address,city\n${value},${value}\n`)
              : bodyFor(document, operation.spec.requestBody.content[mediaType]?.schema).map(
                  (value) => JSON.stringify(value) ?? "null",
                ),
        }
      : {}),
  });
}

describe("fuzzing every operation of /openapi.json", async () => {
  const document = await (await api.fetch("http://api.test/openapi.json")).json();
  const all = await operations();

  it("covers every operation", () => {
    expect(all.length).toBeGreaterThan(20);
  });

  it.each(
    all.map((operation, index) => [`${operation.method} ${operation.path}`, operation, index] as const),
  )("%s never answers 5xx", { timeout: 120_000 }, async (_label, operation, index) => {
    const statuses = new Map<number, number>();
    const tenant = await createTenant();
    const auth = await tenant.headers("admin");
    const [mediaType] = bodyMediaTypes(operation);
    await fc.assert(
      fc.asyncProperty(inputFor(document, operation), async (input) => {
        const response = await api.fetch(
          `http://api.test${input.path}${input.query ? `?${input.query}` : ""}`,
          {
            method: operation.method,
            headers: {
              ...auth,
              ...input.headers,
              // Its own client address, so the fuzzing never spends the suite's shared per-IP budget.
              "cf-connecting-ip": "198.51.100.201",
              "if-match": '"1"',
              ...(mediaType ? { "content-type": mediaType } : {}),
            },
            ...(input.body === undefined ? {} : { body: input.body }),
          },
        );
        const text = await response.text();
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        expect(response.status, `${response.status} ${text.slice(0, 300)}`).toBeLessThan(500);
      }),
      { numRuns: RUNS },
    );
    // The inputs reached validation and handlers: none was turned away by a rate limit.
    expect(statuses.has(429), JSON.stringify([...statuses])).toBe(false);
  });
});
