// Runs an operator query (ops/queries, rendered by scripts/ops-query.ts) over data points a test captured from
// writeDataPoint, as Analytics Engine would store them: index1, blob1..blob20, double1..double20, one sample each.
// It evaluates the shape those queries use and nothing more, and throws on anything else, so a query written in a
// new shape fails its test instead of passing unchecked:
//   WHERE   conjunctions of `col = 'x'`, `col != 'x'`, `col IN ('x', ...)` and the time filter (always true here)
//   SELECT  `col AS alias` (a group key), `SUM(_sample_interval) AS alias`, `SUM(_sample_interval * doubleN) AS
//           alias`; the time bucket, timestamps and quantiles are carried as null (one bucket: "now")
// It also checks that every column the query names is one the captured points have.
export type CapturedRow = Record<string, string | number>;

const MAX_COLUMNS = 20;

export function rowsOf(points: readonly AnalyticsEngineDataPoint[]): CapturedRow[] {
  return points.map((point) => {
    const row: CapturedRow = { _sample_interval: 1, index1: String(point.indexes?.[0] ?? "") };
    for (let index = 0; index < MAX_COLUMNS; index++) {
      const blob = point.blobs?.[index];
      const double = point.doubles?.[index];
      if (blob !== undefined && blob !== null) row[`blob${index + 1}`] = String(blob);
      if (double !== undefined) row[`double${index + 1}`] = double;
    }
    return row;
  });
}

function clause(sql: string, keyword: string, ends: string[]): string {
  const start = new RegExp(`\\b${keyword}\\s`, "i").exec(sql);
  if (!start) return "";
  const from = start.index + start[0].length;
  const rest = sql.slice(from);
  const stops = ends
    .map((end) => new RegExp(`\\b${end.replace(" ", "\\s+")}\\b`, "i").exec(rest)?.index ?? -1)
    .filter((index) => index >= 0);
  return rest.slice(0, stops.length > 0 ? Math.min(...stops) : undefined).trim();
}

function literal(text: string): string {
  const match = /^'([^']*)'$/.exec(text.trim());
  if (!match) throw new Error(`unsupported literal: ${text}`);
  return match[1] as string;
}

function predicate(condition: string): (row: CapturedRow) => boolean {
  const text = condition.trim();
  if (/^timestamp > NOW\(\) - INTERVAL '\d+' (MINUTE|HOUR|DAY)$/.test(text)) return () => true;
  let match = /^(\w+)\s*(=|!=)\s*('[^']*')$/.exec(text);
  if (match) {
    const [, column, operator, value] = match as unknown as [string, string, string, string];
    const expected = literal(value);
    return (row) => (String(row[column] ?? "") === expected) === (operator === "=");
  }
  match = /^(\w+)\s+IN\s*\(([^)]*)\)$/i.exec(text);
  if (match) {
    const [, column, list] = match as unknown as [string, string, string];
    const values = new Set(list.split(",").map(literal));
    return (row) => values.has(String(row[column] ?? ""));
  }
  throw new Error(`unsupported predicate: ${text}`);
}

type Selected =
  | { alias: string; kind: "key"; column: string }
  | { alias: string; kind: "sum"; column: string | null }
  | { alias: string; kind: "other" };

function selected(item: string): Selected {
  const match = /^(.*)\s+AS\s+(\w+)$/is.exec(item.trim());
  if (!match) throw new Error(`unsupported select item (no alias): ${item}`);
  const [, expression, alias] = match as unknown as [string, string, string];
  const expr = expression.trim();
  if (/^(blob\d+|double\d+|index1)$/.test(expr)) return { alias, kind: "key", column: expr };
  if (/^SUM\(_sample_interval\)$/i.test(expr)) return { alias, kind: "sum", column: null };
  const weighted = /^SUM\(_sample_interval \* (double\d+)\)$/i.exec(expr);
  if (weighted) return { alias, kind: "sum", column: weighted[1] as string };
  if (/^(sum|count)\(/i.test(expr)) throw new Error(`unsupported aggregate: ${expr}`);
  return { alias, kind: "other" };
}

/** Splits a select list on the commas outside parentheses. */
function selectItems(list: string): string[] {
  const items: string[] = [];
  let depth = 0;
  let current = "";
  for (const char of list) {
    if (char === "(") depth++;
    if (char === ")") depth--;
    if (char === "," && depth === 0) {
      items.push(current);
      current = "";
    } else current += char;
  }
  if (current.trim()) items.push(current);
  return items;
}

export interface QueryRun {
  /** The rows the WHERE clause selected. */
  matched: CapturedRow[];
  /** One row per group (the select list's plain columns), with the sums under their aliases. */
  result: Record<string, string | number | null>[];
}

export function runOpsQuery(sql: string, rows: readonly CapturedRow[]): QueryRun {
  const where = clause(sql, "WHERE", ["GROUP BY", "ORDER BY", "LIMIT"]);
  const conditions = where ? where.split(/\s+AND\s+/i).map(predicate) : [];
  const matched = rows.filter((row) => conditions.every((condition) => condition(row)));
  for (const column of new Set(sql.match(/\b(blob|double)\d+\b/g) ?? [])) {
    for (const row of matched) {
      if (!(column in row)) throw new Error(`the query reads ${column}, which a matched point does not have`);
    }
  }
  const items = selectItems(clause(sql, "SELECT", ["FROM"])).map(selected);
  const keys = items.filter((item) => item.kind === "key");
  const groups = new Map<string, Record<string, string | number | null>>();
  for (const row of matched) {
    const id = JSON.stringify(keys.map((key) => row[key.column]));
    let group = groups.get(id);
    if (!group) {
      group = {};
      for (const item of items) {
        if (item.kind === "key") group[item.alias] = row[item.column] ?? null;
        else group[item.alias] = item.kind === "sum" ? 0 : null;
      }
      groups.set(id, group);
    }
    for (const item of items) {
      if (item.kind !== "sum") continue;
      const weight = Number(row._sample_interval);
      const value = item.column === null ? 1 : Number(row[item.column]);
      group[item.alias] = Number(group[item.alias]) + weight * value;
    }
  }
  return { matched, result: [...groups.values()] };
}
