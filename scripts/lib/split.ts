import { kcDateToIso } from "./kc-csv.ts";

/** Splits KC CSV text into rows dated before `splitDate` (ISO) and on/after it, keeping row order. */
export function splitCsvByDate(
  text: string,
  splitDate: string,
): { header: string; before: string[]; onOrAfter: string[]; lastBefore: string } {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== "");
  const header = lines[0] ?? "";
  const dateColumn = header.split(",").indexOf("date");
  if (dateColumn < 0) throw new Error("split: no date column");
  const before: string[] = [];
  const onOrAfter: string[] = [];
  let lastBefore = "";
  for (const line of lines.slice(1)) {
    const date = kcDateToIso(line.split(",")[dateColumn]?.replace(/"/g, "") ?? "");
    if (date < splitDate) {
      before.push(line);
      if (date > lastBefore) lastBefore = date;
    } else {
      onOrAfter.push(line);
    }
  }
  return { header, before, onOrAfter, lastBefore };
}
