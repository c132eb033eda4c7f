// INTERIM, deleted at merge: minimal stand-ins for the CSV parser (src/domain/csv.ts) and the quality rules
// (src/domain/quality/) that are being written on other branches. They implement the pipeline's CsvParser and
// QualityEvaluator interfaces only as far as the pipeline's own tests need; the lead wires the real ones in
// src/ingest/dependencies.ts.
import {
  CsvParseError,
  type CsvParser,
  type EnrichedRecord,
  type QualityEvaluator,
  type QualityRuleResult,
} from "./contracts.ts";

function splitCsvRows(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    if (quoted) {
      if (char === '"' && text[index + 1] === '"') {
        cell += '"';
        index++;
      } else if (char === '"') {
        quoted = false;
      } else {
        cell += char;
      }
    } else if (char === '"' && cell === "") {
      quoted = true;
    } else if (char === ",") {
      row.push(cell);
      cell = "";
    } else if (char === "\n" || char === "\r") {
      if (char === "\r" && text[index + 1] === "\n") index++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
    } else {
      cell += char;
    }
  }
  if (quoted) throw new CsvParseError("Unterminated quoted field.");
  if (cell !== "" || row.length > 0) {
    row.push(cell);
    rows.push(row);
  }
  return rows.filter((cells) => !(cells.length === 1 && cells[0] === ""));
}

export const interimCsvParser: CsvParser = {
  parse(text) {
    const [header, ...data] = splitCsvRows(text.replace(/^\uFEFF/, ""));
    if (!header) throw new CsvParseError("The CSV has no header row.");
    const names = header.map((name) => name.trim());
    const rows = data.map((cells, index) => {
      if (cells.length !== names.length) {
        throw new CsvParseError(
          `Row ${index + 2} has ${cells.length} fields; the header has ${names.length}.`,
        );
      }
      return Object.fromEntries(names.map((name, column) => [name, cells[column] ?? ""]));
    });
    return { header: names, rows };
  },
};

type Check = (record: EnrichedRecord) => Omit<QualityRuleResult, "ruleId" | "severity"> | null;

function rule(ruleId: string, severity: QualityRuleResult["severity"], check: Check) {
  return (record: EnrichedRecord): QualityRuleResult =>
    ({ ruleId, severity, ...(check(record) ?? { passed: true, message: "ok" }) }) as QualityRuleResult;
}

const within = (value: number | undefined, min: number, max: number) =>
  value === undefined || (value >= min && value <= max);

const interimRules = [
  rule("zip.format", "error", (record) =>
    record.zip && /^[0-9]{5}(-[0-9]{4})?$/.test(record.zip)
      ? null
      : { passed: false, message: "ZIP must be 5 digits or ZIP+4.", observed: record.zip ?? null },
  ),
  rule("state.format", "error", (record) =>
    record.state === undefined || /^[A-Z]{2}$/.test(record.state)
      ? null
      : { passed: false, message: "State must be a two-letter code.", observed: record.state },
  ),
  rule("price.range", "error", (record) =>
    within(record.price, 0, 1e12)
      ? null
      : { passed: false, message: "Price out of range.", observed: record.price },
  ),
  rule("bedrooms.range", "error", (record) =>
    record.bedrooms === undefined || (Number.isInteger(record.bedrooms) && within(record.bedrooms, 0, 100))
      ? null
      : { passed: false, message: "Bedrooms must be a whole number 0-100.", observed: record.bedrooms },
  ),
  rule("bathrooms.range", "error", (record) =>
    record.bathrooms === undefined ||
    (Number.isInteger(record.bathrooms * 2) && within(record.bathrooms, 0, 100))
      ? null
      : { passed: false, message: "Bathrooms must be in half steps 0-100.", observed: record.bathrooms },
  ),
  rule("sqft.positive", "error", (record) =>
    record.sqft === undefined || (Number.isInteger(record.sqft) && record.sqft > 0)
      ? null
      : { passed: false, message: "Living area must be a positive whole number.", observed: record.sqft },
  ),
  rule("year_built.range", "error", (record) =>
    record.yearBuilt === undefined ||
    (Number.isInteger(record.yearBuilt) && within(record.yearBuilt, 1600, 2200))
      ? null
      : { passed: false, message: "Year built out of range.", observed: record.yearBuilt },
  ),
  rule("lot_size.range", "error", (record) =>
    record.lotSize === undefined || (Number.isInteger(record.lotSize) && record.lotSize >= 0)
      ? null
      : { passed: false, message: "Lot size must be a non-negative whole number.", observed: record.lotSize },
  ),
  rule("coordinates.range", "error", (record) =>
    within(record.latitude, -90, 90) && within(record.longitude, -180, 180)
      ? null
      : {
          passed: false,
          message: "Coordinates out of range.",
          observed: [record.latitude, record.longitude],
        },
  ),
  rule("location.resolved", "warning", (record) =>
    record.latitude !== undefined && record.countyFips !== undefined
      ? null
      : {
          passed: false,
          message: "No coordinates or county could be determined.",
          observed: record.zip ?? null,
        },
  ),
];

export const interimQualityEvaluator: QualityEvaluator = {
  suiteVersion: "interim-1",
  evaluate(record) {
    const results = interimRules.map((check) => check(record));
    return { passed: results.every((result) => result.passed || result.severity !== "error"), results };
  },
};
