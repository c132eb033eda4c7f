// The $filter grammar and the query options, as pure functions: what they parse to and what they refuse.
import { describe, expect, it } from "vitest";
import { MAX_FILTER_LENGTH, ODataSyntaxError, parseFilter, tokenize } from "../../src/domain/odata/filter.ts";
import { parseQueryOptions, preferredPageSize } from "../../src/domain/odata/query-options.ts";

const FIELDS = new Set(["City", "ListPrice", "ListingKey"]);

function refusal(run: () => unknown): ODataSyntaxError {
  try {
    run();
  } catch (error) {
    if (error instanceof ODataSyntaxError) return error;
    throw error;
  }
  throw new Error("expected an ODataSyntaxError");
}

describe("parseFilter", () => {
  it("binds not tighter than and, and tighter than or, left to right", () => {
    expect(parseFilter("A eq 1 or not B eq 2 and C eq 3")).toEqual({
      kind: "or",
      left: { kind: "compare", op: "eq", field: "A", value: { type: "number", text: "1" } },
      right: {
        kind: "and",
        left: {
          kind: "not",
          operand: { kind: "compare", op: "eq", field: "B", value: { type: "number", text: "2" } },
        },
        right: { kind: "compare", op: "eq", field: "C", value: { type: "number", text: "3" } },
      },
    });
  });

  it("reads every literal form and flips a literal on the left", () => {
    expect(parseFilter("2026-06-01T12:00:00.5+02:00 lt T")).toEqual({
      kind: "compare",
      op: "gt",
      field: "T",
      value: { type: "datetime", text: "2026-06-01T12:00:00.5+02:00" },
    });
    const values = tokenize("'it''s' -1.5e3 true false null 2024-02-29 now").map((token) =>
      token.kind === "literal" ? token.literal : token.text,
    );
    expect(values).toEqual([
      { type: "string", value: "it's" },
      { type: "number", text: "-1.5e3" },
      { type: "boolean", value: true },
      { type: "boolean", value: false },
      { type: "null" },
      { type: "date", text: "2024-02-29" },
      "now",
    ]);
    expect(parseFilter("T ge now()")).toMatchObject({ value: { type: "now" } });
    expect(parseFilter("City in ('a', 'b')")).toEqual({
      kind: "in",
      field: "City",
      values: [
        { type: "string", value: "a" },
        { type: "string", value: "b" },
      ],
    });
    expect(parseFilter("contains(City, 'x') eq false")).toEqual({
      kind: "not",
      operand: { kind: "function", name: "contains", field: "City", value: { type: "string", value: "x" } },
    });
    expect(parseFilter("WaterfrontYN")).toEqual({ kind: "field", field: "WaterfrontYN" });
  });

  it("refuses bad syntax, invalid dates, unsupported operators and oversized input", () => {
    for (const input of [
      "",
      "City eq",
      "eq 1",
      "(City eq 'a'",
      "City eq 'a')",
      "City eq 'a",
      "City eq 1 2",
      "City eqq 1",
      "1 eq 2",
      "D eq 2023-02-29",
      "T eq 2026-01-01T24:00:00Z",
      "T eq 2026-01-01T10:00:00+15:00",
      "N eq 1e999",
      "City in ()",
      "contains(City)",
      "contains('x', City)",
      "City eq @p",
      `City in (${Array.from({ length: 201 }, () => "'x'").join(",")})`,
      `${"not ".repeat(40)}A`,
      `City eq '${"x".repeat(1_001)}'`,
    ]) {
      expect(() => parseFilter(input), input).toThrow(ODataSyntaxError);
    }
    expect(refusal(() => parseFilter("A has 'x'")).message).toMatch(/has/);
    expect(refusal(() => parseFilter("A add 1 eq 2")).message).toMatch(/Arithmetic/);
    expect(refusal(() => parseFilter("tolower(City) eq 'x'")).target).toBe("tolower");
    expect(refusal(() => parseFilter("City eq ListPrice")).target).toBe("City");
    expect(() => parseFilter("A".repeat(MAX_FILTER_LENGTH + 1))).toThrow(/at most/);
  });
});

describe("parseQueryOptions", () => {
  it("reads the options against the field names", () => {
    const options = parseQueryOptions(
      new URLSearchParams({
        $filter: "City eq 'a'",
        $select: "City, ListPrice",
        $orderby: "ListPrice desc, City",
        $top: "10",
        $skip: "5",
        $count: "true",
        $format: "json",
        custom: "ignored",
      }),
      FIELDS,
    );
    expect(options).toMatchObject({
      select: ["City", "ListPrice"],
      orderBy: [
        { field: "ListPrice", direction: "desc" },
        { field: "City", direction: "asc" },
      ],
      top: 10,
      skip: 5,
      count: true,
    });
  });

  it("names the option or field it refuses", () => {
    const target = (query: string) =>
      refusal(() => parseQueryOptions(new URLSearchParams(query), FIELDS)).target;
    expect(target("$select=Nope")).toBe("Nope");
    expect(target("$orderby=City sideways")).toBe("$orderby");
    expect(target("$orderby=City,City")).toBe("$orderby");
    expect(target("$orderby=City,ListPrice,ListingKey,City,City,City")).toBe("$orderby");
    expect(target("$top=1.5")).toBe("$top");
    expect(target("$skip=100001")).toBe("$skip");
    expect(target("$format=xml")).toBe("$format");
    expect(target("$search=x")).toBe("$search");
    expect(target("$select=")).toBe("$select");
  });

  it("reads odata.maxpagesize from a Prefer list and ignores what is not one", () => {
    expect(preferredPageSize('return=minimal, odata.maxpagesize="50"')).toBe(50);
    expect(preferredPageSize("odata.maxpagesize=0")).toBeUndefined();
    expect(preferredPageSize("odata.maxpagesize=lots")).toBeUndefined();
    expect(preferredPageSize(undefined)).toBeUndefined();
  });
});
