import { describe, expect, it } from "vitest";
import { z } from "zod";
import { fieldIssues, MAX_FIELD_ISSUES } from "../../src/errors.ts";

const issuesOf = (schema: z.ZodType, value: unknown, prefix?: string) => {
  const result = schema.safeParse(value);
  if (result.success) throw new Error("expected a failure");
  return fieldIssues(result.error, prefix);
};

describe("fieldIssues", () => {
  it("names each bad member by its dotted path, and each unknown member on its own", () => {
    const schema = z.strictObject({
      price: z.number().min(0),
      items: z.array(z.strictObject({ zip: z.string() })),
    });
    expect(
      issuesOf(schema, { price: -1, items: [{ zip: "98101" }, { zip: 7, owner: "x" }], a: 1, b: 2 }),
    ).toEqual([
      { field: "price", message: expect.any(String) },
      { field: "items.1.zip", message: expect.any(String) },
      { field: "items.1.owner", message: "Unknown field." },
      { field: "a", message: "Unknown field." },
      { field: "b", message: "Unknown field." },
    ]);
  });

  it("calls the part itself (root), or the prefix when one is given", () => {
    expect(issuesOf(z.array(z.string()).min(1), [])).toEqual([
      { field: "(root)", message: expect.any(String) },
    ]);
    expect(issuesOf(z.array(z.strictObject({})).min(1), [], "records")).toEqual([
      { field: "records", message: expect.any(String) },
    ]);
    expect(issuesOf(z.array(z.strictObject({})), [{ owner: 1 }], "records")).toEqual([
      { field: "records.0.owner", message: "Unknown field." },
    ]);
  });

  it(`keeps at most ${MAX_FIELD_ISSUES}`, () => {
    const many = Array.from({ length: 200 }, () => ({ zip: 1 }));
    expect(issuesOf(z.array(z.object({ zip: z.string() })), many)).toHaveLength(MAX_FIELD_ISSUES);
  });
});
