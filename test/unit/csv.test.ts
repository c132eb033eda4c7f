import { describe, expect, it } from "vitest";
import {
  CsvError,
  formatCsvRow,
  parseCsvRecords,
  parseCsvRows,
  utf8ByteLength,
} from "../../src/domain/csv.ts";

function csvErrorOf(work: () => unknown): CsvError {
  try {
    work();
  } catch (error) {
    if (error instanceof CsvError) return error;
    throw error;
  }
  throw new Error("expected a CsvError");
}

describe("parseCsvRows", () => {
  it("parses plain rows with LF endings", () => {
    expect(parseCsvRows("a,b,c\n1,2,3\n").rows).toEqual([
      ["a", "b", "c"],
      ["1", "2", "3"],
    ]);
  });

  it("accepts CRLF, lone CR and a missing final line break", () => {
    expect(parseCsvRows("a,b\r\n1,2\r3,4").rows).toEqual([
      ["a", "b"],
      ["1", "2"],
      ["3", "4"],
    ]);
  });

  it("strips a leading byte order mark so the first header is clean", () => {
    const { rows } = parseCsvRows("\uFEFFzip,city\n98101,Seattle\n");
    expect(rows[0]).toEqual(["zip", "city"]);
  });

  it("keeps a byte order mark that is not at the start", () => {
    expect(parseCsvRows("a\n\uFEFFb\n").rows).toEqual([["a"], ["\uFEFFb"]]);
  });

  it("handles quoted fields with delimiters, escaped quotes and line breaks", () => {
    const text = 'name,note\n"Smith, John","He said ""hi""\r\nthen left"\n"",plain\n';
    expect(parseCsvRows(text).rows).toEqual([
      ["name", "note"],
      ["Smith, John", 'He said "hi"\r\nthen left'],
      ["", "plain"],
    ]);
  });

  it("reports the starting line of each row, counting line breaks inside quotes", () => {
    const { lines } = parseCsvRows('h1,h2\n"multi\nline\r\nvalue",x\r\nlast,row\n');
    expect(lines).toEqual([1, 2, 5]);
  });

  it("keeps empty fields, including a trailing delimiter at the end of the input", () => {
    expect(parseCsvRows("a,b,c\n,,\n1,2,").rows).toEqual([
      ["a", "b", "c"],
      ["", "", ""],
      ["1", "2", ""],
    ]);
  });

  it("keeps a bare quote inside an unquoted field literally", () => {
    expect(parseCsvRows('size\n12" pipe\n').rows).toEqual([["size"], ['12" pipe']]);
  });

  it("skips empty lines by default and can keep them", () => {
    expect(parseCsvRows("a\n\n\r\nb\n").rows).toEqual([["a"], ["b"]]);
    expect(parseCsvRows("a\n\nb", { skipEmptyLines: false }).rows).toEqual([["a"], [""], ["b"]]);
  });

  it("returns no rows for empty input", () => {
    expect(parseCsvRows("").rows).toEqual([]);
    expect(parseCsvRows("\uFEFF").rows).toEqual([]);
  });

  it("supports another delimiter", () => {
    expect(parseCsvRows('a;b\n1;"x;y"\n', { delimiter: ";" }).rows).toEqual([
      ["a", "b"],
      ["1", "x;y"],
    ]);
  });

  it("rejects an invalid delimiter", () => {
    expect(() => parseCsvRows("a", { delimiter: '"' })).toThrow(/delimiter/);
    expect(() => parseCsvRows("a", { delimiter: ";;" })).toThrow(/delimiter/);
  });

  it("rejects a ragged row with its line number", () => {
    const error = csvErrorOf(() => parseCsvRows('a,b\n1,2\n"x\ny",2,3\n'));
    expect(error.code).toBe("ragged_row");
    expect(error.line).toBe(3);
    expect(error.message).toBe("line 3: expected 2 fields but found 3");
  });

  it("rejects a short row too", () => {
    const error = csvErrorOf(() => parseCsvRows("a,b,c\r\n1,2,3\r\n4,5\r\n"));
    expect(error.code).toBe("ragged_row");
    expect(error.line).toBe(3);
  });

  it("allows ragged rows when asked", () => {
    expect(parseCsvRows("a,b\n1\n", { allowRaggedRows: true }).rows).toEqual([["a", "b"], ["1"]]);
  });

  it("rejects an unterminated quote at the line where the field starts", () => {
    const error = csvErrorOf(() => parseCsvRows('a,b\n1,2\n3,"open\nstill open\n'));
    expect(error.code).toBe("unterminated_quote");
    expect(error.line).toBe(3);
  });

  it("rejects text after a closing quote", () => {
    const error = csvErrorOf(() => parseCsvRows('a,b\n"x"y,2\n'));
    expect(error.code).toBe("unexpected_character_after_quote");
    expect(error.line).toBe(2);
  });

  it("enforces the row limit without parsing the rest", () => {
    const error = csvErrorOf(() => parseCsvRows('a\n1\n2\n3\n"never closed', { maxRows: 3 }));
    expect(error.code).toBe("too_many_rows");
    expect(error.line).toBe(4);
    expect(parseCsvRows("a\n1\n2\n", { maxRows: 3 }).rows).toHaveLength(3);
  });

  it("enforces the size limit in UTF-8 bytes", () => {
    expect(csvErrorOf(() => parseCsvRows("abcdef", { maxBytes: 5 })).code).toBe("too_large");
    // Three characters, but six bytes in UTF-8.
    expect(csvErrorOf(() => parseCsvRows("äöü", { maxBytes: 5 })).code).toBe("too_large");
    expect(parseCsvRows("äöü", { maxBytes: 6 }).rows).toEqual([["äöü"]]);
  });

  it("parses a large input quickly", () => {
    const line = '98101,Seattle,WA,53033,"King, County",47.61,-122.33\n';
    const text = `zip,city,state,fips,county,lat,lon\n${line.repeat(100_000)}`;
    const started = Date.now();
    const { rows } = parseCsvRows(text);
    expect(rows).toHaveLength(100_001);
    expect(rows[100_000]?.[4]).toBe("King, County");
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe("utf8ByteLength", () => {
  it("counts 1 to 4 byte sequences", () => {
    expect(utf8ByteLength("a")).toBe(1);
    expect(utf8ByteLength("é")).toBe(2);
    expect(utf8ByteLength("€")).toBe(3);
    expect(utf8ByteLength("🏠")).toBe(4);
    expect(utf8ByteLength("a🏠é")).toBe(7);
    // A lone surrogate is encoded as U+FFFD, three bytes.
    expect(utf8ByteLength("\uD83C")).toBe(3);
  });
});

describe("parseCsvRecords", () => {
  it("keys records by trimmed header names and reports record lines", () => {
    const parsed = parseCsvRecords(" zip , city\n98101,Seattle\n\n02134,Boston\n");
    expect(parsed.header).toEqual(["zip", "city"]);
    expect(parsed.records.map((record) => ({ ...record }))).toEqual([
      { zip: "98101", city: "Seattle" },
      { zip: "02134", city: "Boston" },
    ]);
    expect(parsed.lines).toEqual([2, 4]);
  });

  it("treats a header named __proto__ as an ordinary column", () => {
    const [record] = parseCsvRecords("__proto__,b\nx,y\n").records;
    expect(Object.getOwnPropertyDescriptor(record, "__proto__")?.value).toBe("x");
    expect(Object.keys(record ?? {})).toEqual(["__proto__", "b"]);
  });

  it("rejects duplicate headers and empty input", () => {
    expect(csvErrorOf(() => parseCsvRecords("a,a\n1,2\n")).code).toBe("duplicate_header");
    expect(csvErrorOf(() => parseCsvRecords("")).code).toBe("empty");
  });

  it("limits data records, not counting the header", () => {
    expect(parseCsvRecords("a\n1\n2\n", { maxRecords: 2 }).records).toHaveLength(2);
    const error = csvErrorOf(() => parseCsvRecords("a\n1\n2\n3\n", { maxRecords: 2 }));
    expect(error.code).toBe("too_many_rows");
    expect(error.line).toBe(4);
  });

  it("rejects ragged data rows", () => {
    expect(csvErrorOf(() => parseCsvRecords("a,b\n1,2,3\n")).line).toBe(2);
  });
});

describe("formatCsvRow", () => {
  it("writes plain fields as they are and quotes only what needs it, so parsing gives them back", () => {
    expect(formatCsvRow(["1", "675000.00", "20140502T000000", ""])).toBe("1,675000.00,20140502T000000,");
    const awkward = ["a,b", 'say "hi"', "two\nlines", "cr\r", "plain"];
    const text = formatCsvRow(awkward);
    expect(text).toBe('"a,b","say ""hi""","two\nlines","cr\r",plain');
    expect(parseCsvRows(text).rows).toEqual([awkward]);
    expect(formatCsvRow(["a;b", "c,d"], ";")).toBe('"a;b";c,d');
  });
});
