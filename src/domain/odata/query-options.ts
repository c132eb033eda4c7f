// The system query options of a collection request ($filter, $select, $orderby, $top, $skip, $count,
// $skiptoken) and the Prefer header's odata.maxpagesize, read strictly: an option given twice, an unknown system
// option or a malformed value is an ODataSyntaxError naming it. Custom options (no `$`) are ignored, as OData
// allows.
import { type FilterExpression, ODataSyntaxError, parseFilter } from "./filter.ts";

/** The most rows one response carries, whatever $top or odata.maxpagesize ask for (docs/reso.md). */
export const MAX_PAGE_SIZE = 1_000;
/** The page size when the client states none. */
export const DEFAULT_PAGE_SIZE = 200;
/** The deepest $skip served: deeper offsets are a scan; replicate with @odata.nextLink instead. */
export const MAX_SKIP = 100_000;
export const MAX_ORDERBY_KEYS = 5;

export interface OrderKey {
  field: string;
  direction: "asc" | "desc";
}

export interface QueryOptions {
  filter: FilterExpression | undefined;
  /** The $filter text, kept for the nextLink. */
  filterText: string | undefined;
  select: string[] | undefined;
  orderBy: OrderKey[];
  top: number | undefined;
  skip: number;
  count: boolean;
  skipToken: string | undefined;
}

const SUPPORTED = new Set([
  "$filter",
  "$select",
  "$orderby",
  "$top",
  "$skip",
  "$count",
  "$skiptoken",
  "$format",
]);
const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

function single(params: URLSearchParams, name: string): string | undefined {
  const values = params.getAll(name);
  if (values.length > 1) throw new ODataSyntaxError(`${name} may be given only once.`, name);
  return values[0];
}

function nonNegativeInteger(name: string, value: string, max: number): number {
  if (!/^\d{1,9}$/.test(value)) throw new ODataSyntaxError(`${name} must be a non-negative integer.`, name);
  const number = Number(value);
  if (number > max) throw new ODataSyntaxError(`${name} may be at most ${max}.`, name);
  return number;
}

function fieldList(name: string, value: string, known: ReadonlySet<string>): string[] {
  const fields = value.split(",").map((part) => part.trim());
  for (const field of fields) {
    if (!FIELD_NAME.test(field)) throw new ODataSyntaxError(`${name} lists an invalid field name.`, name);
    if (!known.has(field)) throw new ODataSyntaxError(`Unknown field ${field} in ${name}.`, field);
  }
  return [...new Set(fields)];
}

function orderBy(value: string, known: ReadonlySet<string>): OrderKey[] {
  const keys = value.split(",").map((part) => {
    const [field = "", direction = "asc", ...extra] = part.trim().split(/\s+/);
    if (extra.length > 0 || (direction !== "asc" && direction !== "desc") || !FIELD_NAME.test(field)) {
      throw new ODataSyntaxError("$orderby takes `Field [asc|desc]`, comma-separated.", "$orderby");
    }
    if (!known.has(field)) throw new ODataSyntaxError(`Unknown field ${field} in $orderby.`, field);
    return { field, direction } as OrderKey;
  });
  if (keys.length > MAX_ORDERBY_KEYS) {
    throw new ODataSyntaxError(`$orderby may name at most ${MAX_ORDERBY_KEYS} fields.`, "$orderby");
  }
  if (new Set(keys.map((key) => key.field)).size !== keys.length) {
    throw new ODataSyntaxError("$orderby names a field twice.", "$orderby");
  }
  return keys;
}

/** Reads the query options of a collection request against the resource's field names. */
export function parseQueryOptions(params: URLSearchParams, known: ReadonlySet<string>): QueryOptions {
  for (const name of new Set(params.keys())) {
    if (name.startsWith("$") && !SUPPORTED.has(name)) {
      throw new ODataSyntaxError(`The query option ${name} is not supported.`, name);
    }
  }
  const format = single(params, "$format");
  if (format !== undefined && format !== "json" && !format.startsWith("application/json")) {
    throw new ODataSyntaxError("Only $format=json is served.", "$format");
  }
  const filterText = single(params, "$filter");
  const select = single(params, "$select");
  const order = single(params, "$orderby");
  const top = single(params, "$top");
  const skip = single(params, "$skip");
  const count = single(params, "$count");
  if (count !== undefined && count !== "true" && count !== "false") {
    throw new ODataSyntaxError("$count must be true or false.", "$count");
  }
  return {
    filter: filterText === undefined ? undefined : parseFilter(filterText),
    filterText,
    select: select === undefined ? undefined : fieldList("$select", select, known),
    orderBy: order === undefined ? [] : orderBy(order, known),
    top: top === undefined ? undefined : nonNegativeInteger("$top", top, 999_999_999),
    skip: skip === undefined ? 0 : nonNegativeInteger("$skip", skip, MAX_SKIP),
    count: count === "true",
    skipToken: single(params, "$skiptoken"),
  };
}

/** odata.maxpagesize from a Prefer header (RFC 7240 list), or undefined; invalid values are ignored, as preferences may be. */
export function preferredPageSize(prefer: string | undefined): number | undefined {
  if (!prefer) return undefined;
  for (const preference of prefer.split(",")) {
    const match = /^\s*odata\.maxpagesize\s*=\s*"?(\d{1,9})"?\s*$/i.exec(preference);
    if (match) {
      const size = Number(match[1]);
      return size > 0 ? size : undefined;
    }
  }
  return undefined;
}
