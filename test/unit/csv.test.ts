import { describe, expect, it } from "vitest";
import {
  CsvError,
  CsvRowStream,
  type CsvStreamRow,
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

describe("CsvRowStream", () => {
  // BOM, CRLF and LF and a lone CR, quoted delimiters, doubled quotes, quoted CRLF and LF, an empty line, 2- to
  // 4-byte characters, a bare quote in an unquoted field and a last row without a line break.
  const input =
    '\ufeffkey,name,note\r\nA1,"Smith, Jo","say ""hi"""\r\n' +
    'A2,Café,"two\r\nlines"\n\nA3,naïve 🏠,"x\ny"\rA4,5" pipe,\r\nA5,€,end';
  const bytes = new TextEncoder().encode(input);
  const expected = parseCsvRows(input).rows;
  /** UTF-8 length of the input up to (and with) the line break that ends each expected row. */
  let sum = 0;
  const rowEnds = [
    "\ufeffkey,name,note\r\n",
    'A1,"Smith, Jo","say ""hi"""\r\n',
    'A2,Café,"two\r\nlines"\n',
    '\nA3,naïve 🏠,"x\ny"\r',
    'A4,5" pipe,\r\n',
    "A5,€,end",
  ].map((piece) => {
    sum += utf8ByteLength(piece);
    return sum;
  });

  function streamBytes(pieces: Uint8Array[], stream = new CsvRowStream()): CsvStreamRow[] {
    const decoder = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true });
    const rows: CsvStreamRow[] = [];
    for (const piece of pieces) rows.push(...stream.push(decoder.decode(piece, { stream: true })));
    rows.push(...stream.push(decoder.decode()), ...stream.end());
    return rows;
  }

  it("parses like parseCsvRows, with each row's line and end byte", () => {
    const rows = streamBytes([bytes]);
    expect(rows.map((row) => row.fields)).toEqual(expected);
    expect(rows.map((row) => row.line)).toEqual(parseCsvRows(input).lines);
    // The BOM counts (3 bytes); the empty line is skipped, its byte counted in the next row's offset.
    expect(rows.map((row) => row.endByte)).toEqual(rowEnds);
    expect(rows.at(-1)?.endByte).toBe(bytes.byteLength);
  });

  it("gives the same rows and offsets wherever the bytes are split, inside a character or a CRLF too", () => {
    const whole = streamBytes([bytes]);
    for (let cut = 1; cut < bytes.byteLength; cut++) {
      expect(streamBytes([bytes.subarray(0, cut), bytes.subarray(cut)]), `cut at ${cut}`).toEqual(whole);
    }
    const single = Array.from({ length: bytes.byteLength }, (_, index) => bytes.subarray(index, index + 1));
    expect(streamBytes(single)).toEqual(whole);
  });

  it("resumes at a row's end byte with the header's field count, as a ranged request does", () => {
    const whole = streamBytes([bytes]);
    const after = whole[2] as CsvStreamRow;
    const rest = streamBytes(
      [bytes.subarray(after.endByte)],
      new CsvRowStream({ startByte: after.endByte, startLine: after.line + 2, fieldCount: 3 }),
    );
    expect(rest).toEqual(whole.slice(3));
  });

  it("refuses an unterminated quote, a ragged row and a row past the length limit, with its line", () => {
    const unterminated = new CsvRowStream();
    expect(unterminated.push('a,b\n1,"open\nmore')).toHaveLength(1);
    expect(csvErrorOf(() => unterminated.end())).toMatchObject({ code: "unterminated_quote", line: 2 });

    const ragged = new CsvRowStream();
    expect(csvErrorOf(() => ragged.push("a,b\n1,2\n\n1,2,3\n"))).toMatchObject({
      code: "ragged_row",
      line: 4,
    });
    expect(csvErrorOf(() => new CsvRowStream({ fieldCount: 2 }).push("1\n"))).toMatchObject({
      code: "ragged_row",
    });

    const long = new CsvRowStream({ maxRowLength: 10 });
    expect(long.push("a,b\n")).toHaveLength(1);
    expect(csvErrorOf(() => long.push('1,"still open'))).toMatchObject({ code: "too_large", line: 2 });

    expect(csvErrorOf(() => new CsvRowStream().push('a\n"x"y\n'))).toMatchObject({
      code: "unexpected_character_after_quote",
      line: 2,
    });
    expect(() => new CsvRowStream({ delimiter: '"' })).toThrow(/invalid CSV delimiter/);
  });

  it("waits for the LF after a CR and for the quote after a quote before ending a row or a field", () => {
    const stream = new CsvRowStream();
    expect(stream.push("a,b\r")).toEqual([]);
    expect(stream.push('\n1,"x""')).toEqual([{ fields: ["a", "b"], line: 1, endByte: 5 }]);
    expect(stream.push('y"\r\n')).toEqual([{ fields: ["1", 'x"y'], line: 2, endByte: 15 }]);
    expect(stream.end()).toEqual([]);
  });
});
