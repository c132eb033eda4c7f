// The temporal split of the King County file (scripts/avm-split.ts): rows are read with the project's CSV parser
// and written back as CSV, so a quoted field survives the split.
import { formatCsvRow, parseCsvRows } from "../../src/domain/csv.ts";
import { kcDateToIso } from "./kc-csv.ts";

/** Splits the file's rows into those dated before `splitDate` (ISO) and on/after it, keeping row order. */
export function splitCsvByDate(
  text: string,
  splitDate: string,
): { header: string; before: string[]; onOrAfter: string[]; lastBefore: string } {
  const [header = [], ...rows] = parseCsvRows(text).rows;
  const dateColumn = header.map((name) => name.trim()).indexOf("date");
  if (dateColumn < 0) throw new Error("King County CSV has no date column");
  const before: string[] = [];
  const onOrAfter: string[] = [];
  let lastBefore = "";
  for (const row of rows) {
    const date = kcDateToIso(row[dateColumn] ?? "");
    if (date < splitDate) {
      before.push(formatCsvRow(row));
      if (date > lastBefore) lastBefore = date;
    } else {
      onOrAfter.push(formatCsvRow(row));
    }
  }
  return { header: formatCsvRow(header), before, onOrAfter, lastBefore };
}
