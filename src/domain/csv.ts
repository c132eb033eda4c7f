// RFC 4180 CSV parsing for the Worker's prospect uploads, the reference data loads, the demo seed and the
// valuation scripts. Pure: no Node or Worker APIs, so the same code runs in scripts, tests and workerd.
//
// Written here rather than taken from csv-parse (which also runs in workerd): csv-parse turns its input into a
// Node Buffer (nodejs_compat, or the polyfill its browser build bundles), and what the intake API needs around it
// would be written anyway: the byte limit before parsing, the row limit while parsing, duplicate headers refused,
// errors with a code and the line they are on for the 422, and records that a "__proto__" column cannot reach.
//
// Accepted beyond the strict RFC, because real exports do it: LF and lone CR line endings as well as CRLF, a
// leading UTF-8 byte order mark, a final line without a line break, and a bare quote inside an unquoted field
// (kept literally). Rejected, with the line number where the problem is: an unterminated quoted field, text
// between a closing quote and the next delimiter, and rows whose field count differs from the first row.

export type CsvErrorCode =
  | "unterminated_quote"
  | "unexpected_character_after_quote"
  | "ragged_row"
  | "too_many_rows"
  | "too_large"
  | "duplicate_header"
  | "empty";

export class CsvError extends Error {
  readonly code: CsvErrorCode;
  /** 1-based physical line of the input where the problem was found (0 when it concerns the whole input). */
  readonly line: number;

  constructor(code: CsvErrorCode, message: string, line: number) {
    super(line > 0 ? `line ${line}: ${message}` : message);
    this.name = "CsvError";
    this.code = code;
    this.line = line;
  }
}

export interface CsvParseOptions {
  /** Single-character field delimiter. Default ",". */
  delimiter?: string;
  /** Maximum number of rows, header included; parsing stops with `too_many_rows` as soon as it is exceeded. */
  maxRows?: number;
  /** Maximum input size in UTF-8 bytes, checked before any parsing. */
  maxBytes?: number;
  /** Allow rows with a different field count than the first row. Default false. */
  allowRaggedRows?: boolean;
  /** Skip lines that are completely empty. Default true. */
  skipEmptyLines?: boolean;
}

export interface CsvRecordsOptions extends Omit<CsvParseOptions, "maxRows" | "allowRaggedRows"> {
  /** Maximum number of data records (the header row is not counted). */
  maxRecords?: number;
  /** Trim whitespace around header names. Default true. */
  trimHeaders?: boolean;
}

export interface CsvRecords {
  header: string[];
  records: Record<string, string>[];
  /** 1-based physical line on which each record starts, parallel to `records`, for error reporting. */
  lines: number[];
}

export interface CsvRows {
  rows: string[][];
  /** 1-based physical line on which each row starts, parallel to `rows`. */
  lines: number[];
}

const QUOTE = 34;
const LF = 10;
const CR = 13;

/** UTF-8 length of a string (or of its code units from `start` to `end`) without allocating an encoded copy. */
export function utf8ByteLength(text: string, start = 0, end = text.length): number {
  let bytes = 0;
  for (let index = start; index < end; index++) {
    const code = text.charCodeAt(index);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && index + 1 < end) {
      const next = text.charCodeAt(index + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        index++;
      } else {
        bytes += 3;
      }
    } else bytes += 3;
  }
  return bytes;
}

function checkSize(text: string, maxBytes: number | undefined): void {
  if (maxBytes === undefined) return;
  // Each UTF-16 code unit is 1 to 3 UTF-8 bytes, so most inputs are decided without counting.
  if (text.length > maxBytes || (text.length * 3 > maxBytes && utf8ByteLength(text) > maxBytes)) {
    throw new CsvError("too_large", `input exceeds the limit of ${maxBytes} bytes`, 0);
  }
}

/** Parses CSV text into rows of string fields. Throws CsvError. */
export function parseCsvRows(input: string, options: CsvParseOptions = {}): CsvRows {
  const delimiter = options.delimiter ?? ",";
  if (delimiter.length !== 1 || delimiter === '"' || delimiter === "\n" || delimiter === "\r") {
    throw new Error(`invalid CSV delimiter ${JSON.stringify(delimiter)}`);
  }
  const delimiterCode = delimiter.charCodeAt(0);
  const maxRows = options.maxRows ?? Number.POSITIVE_INFINITY;
  const allowRagged = options.allowRaggedRows ?? false;
  const skipEmptyLines = options.skipEmptyLines ?? true;
  checkSize(input, options.maxBytes);

  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  const length = text.length;
  const rows: string[][] = [];
  const lines: number[] = [];
  let expectedFields = -1;
  let position = 0;
  let line = 1;

  while (position < length) {
    const rowLine = line;
    const first = text.charCodeAt(position);
    if (skipEmptyLines && (first === LF || first === CR)) {
      position += first === CR && text.charCodeAt(position + 1) === LF ? 2 : 1;
      line++;
      continue;
    }

    const row: string[] = [];
    let rowEnded = false;
    while (!rowEnded) {
      let value: string;
      if (text.charCodeAt(position) === QUOTE) {
        // Quoted field: runs to the next quote that is not doubled; may span lines.
        let start = position + 1;
        let pieces = "";
        for (;;) {
          const close = text.indexOf('"', start);
          if (close === -1) {
            throw new CsvError("unterminated_quote", "quoted field is not closed", rowLine);
          }
          line += countLineBreaks(text, start, close);
          if (text.charCodeAt(close + 1) === QUOTE) {
            pieces += text.slice(start, close + 1);
            start = close + 2;
            continue;
          }
          value = pieces + text.slice(start, close);
          position = close + 1;
          break;
        }
        const next = position < length ? text.charCodeAt(position) : -1;
        if (next !== -1 && next !== delimiterCode && next !== LF && next !== CR) {
          throw new CsvError(
            "unexpected_character_after_quote",
            `unexpected ${JSON.stringify(text[position])} after a closing quote`,
            line,
          );
        }
      } else {
        const start = position;
        while (position < length) {
          const code = text.charCodeAt(position);
          if (code === delimiterCode || code === LF || code === CR) break;
          position++;
        }
        value = text.slice(start, position);
      }
      row.push(value);

      if (position >= length) {
        rowEnded = true;
      } else {
        const code = text.charCodeAt(position);
        if (code === delimiterCode) {
          position++;
          // A delimiter at the very end of the input still opens one (empty) last field.
          if (position >= length) {
            row.push("");
            rowEnded = true;
          }
        } else {
          position += code === CR && text.charCodeAt(position + 1) === LF ? 2 : 1;
          line++;
          rowEnded = true;
        }
      }
    }

    if (rows.length >= maxRows) {
      throw new CsvError("too_many_rows", `more than ${maxRows} rows`, rowLine);
    }
    if (expectedFields === -1) {
      expectedFields = row.length;
    } else if (!allowRagged && row.length !== expectedFields) {
      throw new CsvError("ragged_row", `expected ${expectedFields} fields but found ${row.length}`, rowLine);
    }
    rows.push(row);
    lines.push(rowLine);
  }
  return { rows, lines };
}

function countLineBreaks(text: string, start: number, end: number): number {
  let breaks = 0;
  for (let index = start; index < end; index++) {
    const code = text.charCodeAt(index);
    if (code === LF) breaks++;
    else if (code === CR && text.charCodeAt(index + 1) !== LF) breaks++;
  }
  return breaks;
}

/** Parses CSV text whose first row is a header into one object per data row, keyed by header name. */
export function parseCsvRecords(input: string, options: CsvRecordsOptions = {}): CsvRecords {
  const { maxRecords, trimHeaders = true, ...rowOptions } = options;
  const { rows, lines } = parseCsvRows(input, {
    ...rowOptions,
    allowRaggedRows: false,
    ...(maxRecords === undefined ? {} : { maxRows: maxRecords + 1 }),
  });
  const [headerRow, ...dataRows] = rows;
  if (headerRow === undefined) throw new CsvError("empty", "no header row", 0);
  const header = trimHeaders ? headerRow.map((name) => name.trim()) : headerRow;
  const seen = new Set<string>();
  for (const name of header) {
    if (seen.has(name)) throw new CsvError("duplicate_header", `duplicate column ${JSON.stringify(name)}`, 1);
    seen.add(name);
  }
  const records = dataRows.map((row) => {
    // A null prototype keeps a column named "__proto__" or "constructor" an ordinary field.
    const record: Record<string, string> = Object.create(null);
    for (let index = 0; index < header.length; index++) {
      record[header[index] as string] = row[index] as string;
    }
    return record;
  });
  return { header, records, lines: lines.slice(1) };
}

/** One row as RFC 4180 text (no line break); a field with a delimiter, quote or line break is quoted. */
export function formatCsvRow(fields: readonly string[], delimiter = ","): string {
  return fields
    .map((field) =>
      field.includes(delimiter) || /["\r\n]/.test(field) ? `"${field.replaceAll('"', '""')}"` : field,
    )
    .join(delimiter);
}

export interface CsvStreamRow {
  fields: string[];
  /** 1-based physical line of the input on which the row starts. */
  line: number;
  /** UTF-8 bytes from the start of the input to the end of this row, its line break included. */
  endByte: number;
}

export interface CsvRowStreamOptions {
  delimiter?: string;
  /** Where the text pushed first starts: its UTF-8 byte offset and physical line in the whole input. */
  startByte?: number;
  startLine?: number;
  /** The field count every row must have; by default, the first row's. */
  fieldCount?: number;
  /** Longest row, in UTF-16 code units; a longer one (e.g. an unterminated quote) fails with `too_large`. */
  maxRowLength?: number;
}

const DEFAULT_MAX_ROW_LENGTH = 1 << 20;

/**
 * Incremental RFC 4180 parsing for a CSV arriving in pieces (a streamed response body, decoded with a streaming
 * TextDecoder): `push` answers the rows the new text completes and keeps the unfinished rest, `end` the last row.
 * A row, a quoted field, a doubled quote or a CRLF may be split anywhere between pieces. The same rules as
 * parseCsvRows (a leading BOM dropped, empty lines skipped, ragged rows and unterminated quotes refused), plus
 * the byte offset at which each row ends, which is what a feed's cursor resumes from. Memory: the unfinished row.
 */
export class CsvRowStream {
  private buffer = "";
  private bytes: number;
  private line: number;
  private fieldCount: number;
  private readonly delimiter: string;
  private readonly delimiterCode: number;
  private readonly maxRowLength: number;
  private started: boolean;

  constructor(options: CsvRowStreamOptions = {}) {
    this.delimiter = options.delimiter ?? ",";
    if (
      this.delimiter.length !== 1 ||
      this.delimiter === '"' ||
      this.delimiter === "\n" ||
      this.delimiter === "\r"
    ) {
      throw new Error(`invalid CSV delimiter ${JSON.stringify(this.delimiter)}`);
    }
    this.delimiterCode = this.delimiter.charCodeAt(0);
    this.bytes = options.startByte ?? 0;
    this.line = options.startLine ?? 1;
    this.fieldCount = options.fieldCount ?? -1;
    this.maxRowLength = options.maxRowLength ?? DEFAULT_MAX_ROW_LENGTH;
    this.started = this.bytes > 0;
  }

  /** The rows that `text` completes. */
  push(text: string): CsvStreamRow[] {
    this.buffer += text;
    return this.drain(false);
  }

  /** The last row, when the input does not end with a line break. */
  end(): CsvStreamRow[] {
    return this.drain(true);
  }

  private drain(final: boolean): CsvStreamRow[] {
    if (!this.started) {
      if (this.buffer.length === 0) return [];
      if (this.buffer.charCodeAt(0) === 0xfeff) {
        this.buffer = this.buffer.slice(1);
        this.bytes += 3;
      }
      this.started = true;
    }
    const text = this.buffer;
    const rows: CsvStreamRow[] = [];
    let start = 0;
    for (;;) {
      const end = rowEnd(text, start, this.delimiterCode, final);
      if (end === null) break;
      const rowLine = this.line;
      this.line += countLineBreaks(text, start, end.content) + (end.next > end.content ? 1 : 0);
      this.bytes += utf8ByteLength(text, start, end.next);
      if (end.content > start)
        rows.push({
          fields: this.fields(text, start, end.content, rowLine),
          line: rowLine,
          endByte: this.bytes,
        });
      start = end.next;
      if (start >= text.length) break;
    }
    this.buffer = start === 0 ? text : text.slice(start);
    if (this.buffer.length > this.maxRowLength) {
      throw new CsvError("too_large", `a row is longer than ${this.maxRowLength} characters`, this.line);
    }
    return rows;
  }

  private fields(text: string, start: number, end: number, line: number): string[] {
    let fields: string[];
    try {
      [fields = []] = parseCsvRows(text.slice(start, end), {
        delimiter: this.delimiter,
        allowRaggedRows: true,
        skipEmptyLines: false,
      }).rows;
    } catch (error) {
      if (!(error instanceof CsvError)) throw error;
      throw new CsvError(error.code, error.message.replace(/^line \d+: /, ""), line + error.line - 1);
    }
    if (this.fieldCount === -1) this.fieldCount = fields.length;
    else if (fields.length !== this.fieldCount) {
      throw new CsvError("ragged_row", `expected ${this.fieldCount} fields but found ${fields.length}`, line);
    }
    return fields;
  }
}

/**
 * Where the row starting at `start` ends: `content` before its line break, `next` after it. Null when the text
 * may not hold the whole row yet (not `final`): no unquoted line break, a CR that may be a CRLF's first half, or a
 * quote at the end that may be the first of a doubled pair.
 */
function rowEnd(
  text: string,
  start: number,
  delimiterCode: number,
  final: boolean,
): { content: number; next: number } | null {
  const length = text.length;
  let index = start;
  let fieldStart = true;
  while (index < length) {
    const code = text.charCodeAt(index);
    if (code === QUOTE && fieldStart) {
      // A quoted field: up to the quote that is not doubled.
      index++;
      for (;;) {
        const close = text.indexOf('"', index);
        if (close === -1) return final ? { content: length, next: length } : null;
        if (close + 1 >= length && !final) return null;
        if (text.charCodeAt(close + 1) === QUOTE) {
          index = close + 2;
          continue;
        }
        index = close + 1;
        break;
      }
      fieldStart = false;
      continue;
    }
    if (code === delimiterCode) {
      fieldStart = true;
    } else if (code === LF) {
      return { content: index, next: index + 1 };
    } else if (code === CR) {
      if (index + 1 >= length && !final) return null;
      return { content: index, next: text.charCodeAt(index + 1) === LF ? index + 2 : index + 1 };
    } else {
      fieldStart = false;
    }
    index++;
  }
  return final && length > start ? { content: length, next: length } : null;
}
