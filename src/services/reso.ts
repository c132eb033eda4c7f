// The RESO Web API's reads (docs/reso.md): OData query options translated to one parameterized SQL statement over
// the allow-list of fields in domain/reso/fields.ts. No text of the request reaches SQL: field names select
// column names from that table, and every value travels as a bind parameter with an explicit cast.
//
// Paging (@odata.nextLink) is keyset paging on the requested order plus the key, inside a bound captured by the
// walk's first page: the tenant's RESO clock (migrations/0010) at that moment. Every row that existed then has
// original_entry_timestamp <= bound, every row inserted later has a larger one, rows are never removed (a delete
// is a tombstone), and the key is immutable, so a walk in key order returns each row that existed at its start
// exactly once and exactly @odata.count rows, whatever is written meanwhile.
import { type SQL, sql } from "drizzle-orm";
import { z } from "zod";
import type { Database } from "../db/client.ts";
import type { FilterExpression, Literal, ODataSyntaxError } from "../domain/odata/filter.ts";
import {
  DEFAULT_PAGE_SIZE,
  MAX_PAGE_SIZE,
  type OrderKey,
  type QueryOptions,
} from "../domain/odata/query-options.ts";
import {
  type FieldDefinition,
  LOOKUP_FIELDS,
  LOOKUP_KEY,
  PROPERTY_FIELDS,
  PROPERTY_KEY,
} from "../domain/reso/fields.ts";
import { LOOKUPS, lookupRows, productValuesFor } from "../domain/reso/lookups.ts";
import type { EntitySetName } from "../domain/reso/metadata.ts";
import { streetComponents } from "../domain/reso/street.ts";
import { ApiError } from "../errors.ts";
import { rowsOf } from "./property-records.ts";

/** How long one RESO statement may run before it is cancelled (504): no query scans without bound. */
export const RESO_STATEMENT_TIMEOUT_MS = 5_000;

type Value = string | number | boolean | null;
export type ResoRecord = Record<string, Value>;

export interface ResoPage {
  value: ResoRecord[];
  count: number | undefined;
  /** The $skiptoken of the next page, when there is one. */
  nextSkipToken: string | undefined;
  pageSize: number;
}

interface Resource {
  fields: ReadonlyMap<string, FieldDefinition>;
  key: FieldDefinition;
  /** Whether walks are bounded by the tenant's RESO clock (rows are inserted while one runs). */
  bounded: boolean;
}

function resourceOf(fields: readonly FieldDefinition[], key: string, bounded: boolean): Resource {
  const map = new Map(fields.map((field) => [field.name, field]));
  return { fields: map, key: map.get(key) as FieldDefinition, bounded };
}

const RESOURCES: Record<EntitySetName, Resource> = {
  Property: resourceOf(PROPERTY_FIELDS, PROPERTY_KEY, true),
  Lookup: resourceOf(LOOKUP_FIELDS, LOOKUP_KEY, false),
};

export function fieldNames(set: EntitySetName): ReadonlySet<string> {
  return new Set(RESOURCES[set].fields.keys());
}

function badQuery(message: string, target: string): ApiError {
  return new ApiError("bad_request", { detail: message, errors: [{ field: target, message }] });
}

/** An ODataSyntaxError from the domain as the 400 it answers. */
export function queryError(error: ODataSyntaxError, option: string): ApiError {
  return badQuery(error.message, error.target ?? option);
}

// --- expressions --------------------------------------------------------------------------------------------

type SortType = "text" | "uuid" | "numeric" | "integer" | "double" | "boolean" | "date" | "timestamp";

const CAST: Record<SortType, string> = {
  text: "text",
  uuid: "uuid",
  numeric: "numeric",
  integer: "numeric",
  double: "double precision",
  boolean: "boolean",
  date: "date",
  timestamp: "timestamptz",
};

function column(name: string): SQL {
  return sql.raw(`p.${name}`);
}

/** The value a lookup field holds, in SQL: the product's value mapped to the dictionary's. */
function lookupExpression(field: FieldDefinition, source: string): SQL {
  const definition = LOOKUPS[field.lookup as keyof typeof LOOKUPS];
  const cases = Object.entries(definition.fromProduct)
    .filter(([, value]) => value !== null)
    .map(([product, value]) => sql`when ${product}::text then ${value}::text`);
  return sql`(case ${column(source)} ${sql.join(cases, sql` `)} end)`;
}

interface Expression {
  sql: SQL;
  type: SortType;
}

function expressionOf(field: FieldDefinition, use: "filter" | "sort"): Expression {
  const source = field.source;
  if (source.kind === "street") {
    throw badQuery(
      `${field.name} is derived from the address when a record is read, so it cannot be used in $${use === "filter" ? "filter" : "orderby"}; use UnparsedAddress or REOS_NormalizedAddress.`,
      field.name,
    );
  }
  if (source.kind === "key") return { sql: column(source.column), type: "uuid" };
  if (field.lookup) return { sql: lookupExpression(field, source.column), type: "text" };
  const value = source.truncate ? sql`trunc(${column(source.column)})` : column(source.column);
  return { sql: value, type: source.sqlType };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** `expression op value` with C (code point) order for text, as clients compare strings. */
function ordered(expression: Expression, op: string, value: SQL): SQL {
  const operator = sql.raw(op);
  if (expression.type === "text") return sql`${expression.sql} collate "C" ${operator} ${value} collate "C"`;
  return sql`${expression.sql} ${operator} ${value}`;
}

const SQL_OPERATOR = { eq: "=", ne: "<>", gt: ">", ge: ">=", lt: "<", le: "<=" } as const;

function literalFor(field: FieldDefinition, expression: Expression, literal: Literal): SQL {
  const mismatch = () =>
    badQuery(`${field.name} is ${field.type}; the value compared with it is not.`, field.name);
  switch (field.type) {
    case "Edm.String":
      if (literal.type !== "string") throw mismatch();
      if (!literal.value.isWellFormed() || literal.value.includes("\u0000")) {
        throw badQuery("String literals may not hold NUL or unpaired surrogates.", field.name);
      }
      return sql`${literal.value}::text`;
    case "Edm.Decimal":
    case "Edm.Int64":
    case "Edm.Double":
      if (literal.type !== "number") throw mismatch();
      return sql`${literal.text}::${sql.raw(CAST[expression.type])}`;
    case "Edm.Boolean":
      if (literal.type !== "boolean") throw mismatch();
      return sql`${literal.value}::boolean`;
    case "Edm.Date":
      if (literal.type !== "date") throw mismatch();
      return sql`${literal.text}::date`;
    case "Edm.DateTimeOffset":
      if (literal.type === "now") return sql`now()`;
      if (literal.type !== "datetime") throw mismatch();
      return sql`${literal.text}::timestamptz`;
  }
}

function fieldOf(resource: Resource, name: string): FieldDefinition {
  const field = resource.fields.get(name);
  if (!field) throw badQuery(`Unknown field ${name} in $filter.`, name);
  return field;
}

/** Lookup equality on the stored values it stands for, so the comparison can use the column's indexes. */
function lookupMembership(field: FieldDefinition, values: (string | null)[]): SQL {
  const source = (field.source as { column: string }).column;
  const lookup = field.lookup as keyof typeof LOOKUPS;
  const products = [...new Set(values.flatMap((value) => productValuesFor(lookup, value)))];
  const conditions: SQL[] = [];
  if (products.length > 0) {
    conditions.push(
      sql`${column(source)} in (${sql.join(
        products.map((value) => sql`${value}::text`),
        sql`, `,
      )})`,
    );
  }
  if (values.includes(null)) conditions.push(sql`${column(source)} is null`);
  return conditions.length === 0 ? sql`false` : sql`(${sql.join(conditions, sql` or `)})`;
}

function compareKey(field: FieldDefinition, op: keyof typeof SQL_OPERATOR, value: string): SQL {
  const id = column((field.source as { column: string }).column);
  // ListingKey is the id's canonical (lower-case) text, whose code point order is the uuid order.
  if (UUID.test(value)) return sql`${id} ${sql.raw(SQL_OPERATOR[op])} ${value}::uuid`;
  if (op === "eq") return sql`false`;
  if (op === "ne") return sql`true`;
  return sql`${id}::text collate "C" ${sql.raw(SQL_OPERATOR[op])} ${value}::text collate "C"`;
}

function compileComparison(resource: Resource, node: Extract<FilterExpression, { kind: "compare" }>): SQL {
  const field = fieldOf(resource, node.field);
  const expression = expressionOf(field, "filter");
  if (node.value.type === "null") {
    // OData: null eq null is true; an order comparison with null is false.
    if (node.op === "eq" || node.op === "ne") {
      const nullTest = field.lookup ? lookupMembership(field, [null]) : sql`${expression.sql} is null`;
      return node.op === "eq" ? nullTest : sql`not ${nullTest}`;
    }
    return sql`false`;
  }
  const literal = literalFor(field, expression, node.value);
  if (field.lookup && (node.op === "eq" || node.op === "ne") && node.value.type === "string") {
    const members = lookupMembership(field, [node.value.value]);
    return node.op === "eq" ? members : sql`not coalesce(${members}, false)`;
  }
  if (field.source.kind === "key" && node.value.type === "string") {
    return compareKey(field, node.op, node.value.value);
  }
  // OData's ne holds for null values too: `City ne 'X'` includes rows without a City.
  if (node.op === "ne") return sql`${expression.sql} is distinct from ${literal}`;
  return ordered(expression, SQL_OPERATOR[node.op], literal);
}

function compileFunction(resource: Resource, node: Extract<FilterExpression, { kind: "function" }>): SQL {
  const field = fieldOf(resource, node.field);
  if (field.type !== "Edm.String")
    throw badQuery(`${node.name}() applies to string fields only.`, field.name);
  const expression = expressionOf(field, "filter");
  const target = expression.type === "uuid" ? sql`${expression.sql}::text` : expression.sql;
  if (node.value.type === "null") return sql`false`;
  const value = literalFor(field, expression, node.value);
  if (node.name === "contains") return sql`strpos(${target}, ${value}) > 0`;
  if (node.name === "startswith") return sql`starts_with(${target}, ${value})`;
  return sql`right(${target}, length(${value})) = ${value}`;
}

function compileFilter(resource: Resource, node: FilterExpression): SQL {
  switch (node.kind) {
    case "and":
      return sql`(${compileFilter(resource, node.left)} and ${compileFilter(resource, node.right)})`;
    case "or":
      return sql`(${compileFilter(resource, node.left)} or ${compileFilter(resource, node.right)})`;
    case "not":
      // Two-valued, as OData: a comparison with a missing value is false, so its negation is true.
      return sql`(not coalesce(${compileFilter(resource, node.operand)}, false))`;
    case "compare":
      return compileComparison(resource, node);
    case "function":
      return compileFunction(resource, node);
    case "in": {
      const field = fieldOf(resource, node.field);
      if (field.lookup && node.values.every((value) => value.type === "string" || value.type === "null")) {
        return lookupMembership(
          field,
          node.values.map((value) => (value.type === "string" ? value.value : null)),
        );
      }
      const conditions = node.values.map(
        (value): SQL => compileComparison(resource, { kind: "compare", op: "eq", field: node.field, value }),
      );
      return sql`(${sql.join(conditions, sql` or `)})`;
    }
    case "field": {
      const field = fieldOf(resource, node.field);
      if (field.type !== "Edm.Boolean") {
        throw badQuery(`${field.name} is not Boolean, so it is not a condition by itself.`, field.name);
      }
      return sql`${expressionOf(field, "filter").sql} = true`;
    }
  }
}

// --- paging -------------------------------------------------------------------------------------------------

const skipTokenSchema = z
  .object({
    /** The RESO clock when the walk began (null: the tenant had no properties yet). */
    b: z.string().max(40).nullable(),
    /** The last row's sort values (as text) and key. */
    s: z.array(z.string().max(2_000).nullable()).max(6),
    /** The order the token was made for, so a token cannot be replayed against another order. */
    o: z.string().max(500),
    c: z.number().int().nonnegative().nullable(),
    /** Rows $top still allows, or null without $top. */
    t: z.number().int().nonnegative().nullable(),
    p: z.number().int().min(1).max(MAX_PAGE_SIZE),
  })
  .strict();
type SkipToken = z.infer<typeof skipTokenSchema>;

function encodeSkipToken(token: SkipToken): string {
  const bytes = new TextEncoder().encode(JSON.stringify(token));
  return btoa(String.fromCharCode(...bytes))
    .replaceAll("+", "-")
    .replaceAll("/", "_")
    .replace(/=+$/, "");
}

function decodeSkipToken(text: string): SkipToken {
  const invalid = () => badQuery("The $skiptoken is not one this service issued.", "$skiptoken");
  if (text.length > 8_000 || !/^[A-Za-z0-9_-]+$/.test(text)) throw invalid();
  try {
    const binary = atob(text.replaceAll("-", "+").replaceAll("_", "/"));
    const json = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(
      Uint8Array.from(binary, (char) => char.charCodeAt(0)),
    );
    const parsed = skipTokenSchema.safeParse(JSON.parse(json));
    if (!parsed.success) throw invalid();
    return parsed.data;
  } catch {
    throw invalid();
  }
}

interface SortKey {
  field: FieldDefinition;
  expression: Expression;
  direction: "asc" | "desc";
}

function sortKeys(resource: Resource, orderBy: OrderKey[]): SortKey[] {
  const keys = orderBy.map((key) => {
    const field = resource.fields.get(key.field) as FieldDefinition;
    return { field, expression: expressionOf(field, "sort"), direction: key.direction };
  });
  if (!orderBy.some((key) => key.field === resource.key.name)) {
    keys.push({ field: resource.key, expression: expressionOf(resource.key, "sort"), direction: "asc" });
  }
  return keys;
}

function orderClause(keys: SortKey[]): SQL {
  // OData sorts null below every value: first ascending, last descending.
  const parts = keys.map(({ expression, direction }) => {
    const collated = expression.type === "text" ? sql`${expression.sql} collate "C"` : expression.sql;
    return direction === "asc" ? sql`${collated} asc nulls first` : sql`${collated} desc nulls last`;
  });
  return sql.join(parts, sql`, `);
}

/** Rows strictly after the one whose sort values are `after`, in the order of `keys`. */
function afterClause(keys: SortKey[], after: (string | null)[]): SQL {
  const alternatives: SQL[] = [];
  for (let index = 0; index < keys.length; index++) {
    const conditions: SQL[] = [];
    for (let earlier = 0; earlier < index; earlier++) {
      const { expression } = keys[earlier] as SortKey;
      const value = after[earlier] ?? null;
      conditions.push(
        value === null
          ? sql`${expression.sql} is null`
          : ordered(expression, "=", sql`${value}::${sql.raw(CAST[expression.type])}`),
      );
    }
    const { expression, direction } = keys[index] as SortKey;
    const value = after[index] ?? null;
    const bound = value === null ? undefined : sql`${value}::${sql.raw(CAST[expression.type])}`;
    if (direction === "asc") {
      conditions.push(bound ? ordered(expression, ">", bound) : sql`${expression.sql} is not null`);
    } else {
      conditions.push(
        bound ? sql`(${ordered(expression, "<", bound)} or ${expression.sql} is null)` : sql`false`,
      );
    }
    alternatives.push(sql`(${sql.join(conditions, sql` and `)})`);
  }
  return sql`(${sql.join(alternatives, sql` or `)})`;
}

// --- reading ------------------------------------------------------------------------------------------------

const PROPERTY_COLUMNS = [
  ...new Set(
    PROPERTY_FIELDS.flatMap((field) =>
      field.source.kind === "street" ? ["address"] : [(field.source as { column: string }).column],
    ),
  ),
];

function fieldValue(
  field: FieldDefinition,
  row: Record<string, unknown>,
  street: () => Record<string, string | null>,
): Value {
  const source = field.source;
  if (source.kind === "street") return street()[source.component] ?? null;
  const raw = row[source.column];
  if (raw === null || raw === undefined) return null;
  if (field.lookup) return LOOKUPS[field.lookup].fromProduct[String(raw)] ?? null;
  switch (field.type) {
    case "Edm.Decimal":
    case "Edm.Int64":
    case "Edm.Double": {
      const number = Number(raw);
      if ((source as { truncate?: true }).truncate) return Math.trunc(number);
      if (field.scale !== undefined) return Number(number.toFixed(field.scale));
      return number;
    }
    case "Edm.Boolean":
      return Boolean(raw);
    case "Edm.Date":
      return String(raw).slice(0, 10);
    case "Edm.DateTimeOffset":
      return new Date(String(raw)).toISOString();
    default:
      return String(raw);
  }
}

function recordOf(
  resource: Resource,
  row: Record<string, unknown>,
  select: string[] | undefined,
): ResoRecord {
  let components: Record<string, string | null> | undefined;
  const street = () => {
    components ??= streetComponents(String(row.address ?? ""));
    return components;
  };
  const names = select ?? [...resource.fields.keys()];
  const record: ResoRecord = {};
  for (const name of names)
    record[name] = fieldValue(resource.fields.get(name) as FieldDefinition, row, street);
  return record;
}

function sourceOf(set: EntitySetName, tenantId: string): { from: SQL; scope: SQL; columns: SQL } {
  if (set === "Property") {
    return {
      from: sql`properties p`,
      scope: sql`p.tenant_id = ${tenantId}::uuid`,
      columns: sql.raw(PROPERTY_COLUMNS.map((name) => `p.${name}`).join(", ")),
    };
  }
  const rows = lookupRows().map((row) => ({
    lookup_key: row.LookupKey,
    lookup_name: row.LookupName,
    lookup_value: row.LookupValue,
    standard_lookup_value: row.StandardLookupValue,
    legacy_odata_value: row.LegacyODataValue,
    modification_timestamp: row.ModificationTimestamp,
  }));
  return {
    from: sql`jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as p(lookup_key text, lookup_name text,
      lookup_value text, standard_lookup_value text, legacy_odata_value text, modification_timestamp timestamptz)`,
    scope: sql`true`,
    columns: sql`p.*`,
  };
}

function boundedStatement(db: Database, tenantId: string, statement: SQL, timeoutMs: number) {
  return db.withTenant(tenantId, (tx) => [
    tx.execute(sql`select set_config('statement_timeout', ${`${timeoutMs}ms`}, true)`),
    tx.execute(statement),
  ]);
}

export interface ReadOptions {
  /** The page size the client prefers (Prefer: odata.maxpagesize). */
  maxPageSize?: number;
  statementTimeoutMs?: number;
}

/** One page of a collection: the query options applied, and the $skiptoken of the next page. */
export async function queryCollection(
  db: Database,
  tenantId: string,
  set: EntitySetName,
  options: QueryOptions,
  read: ReadOptions = {},
): Promise<ResoPage> {
  const resource = RESOURCES[set];
  const keys = sortKeys(resource, options.orderBy);
  const order = keys.map((key) => `${key.field.name} ${key.direction}`).join(",");
  const token = options.skipToken === undefined ? undefined : decodeSkipToken(options.skipToken);
  if (token && (token.o !== order || token.s.length !== keys.length)) {
    throw badQuery("The $skiptoken belongs to another $orderby.", "$skiptoken");
  }
  const remainingTop = token ? token.t : (options.top ?? null);
  // A $top alone is one page when it fits; Prefer: odata.maxpagesize splits it; MAX_PAGE_SIZE caps both.
  const pageSize = Math.min(
    token?.p ?? read.maxPageSize ?? options.top ?? DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    remainingTop ?? MAX_PAGE_SIZE,
  );
  const filter = options.filter ? compileFilter(resource, options.filter) : sql`true`;
  const { from, scope, columns } = sourceOf(set, tenantId);

  // The walk's bound: the clock read by this very statement on a first page, the token's on later ones.
  const bound = !resource.bounded
    ? undefined
    : token
      ? token.b === null
        ? sql`false`
        : sql`p.original_entry_timestamp <= ${token.b}::timestamptz`
      : sql`p.original_entry_timestamp <= (select stamp from clock)`;
  const where = sql.join(
    [scope, filter, ...(bound ? [bound] : []), ...(token ? [afterClause(keys, token.s)] : [])],
    sql` and `,
  );
  const countWhere = sql.join([scope, filter, ...(bound ? [bound] : [])], sql` and `);
  const sortValues = sql.join(
    keys.map((key, index) => sql`(${key.expression.sql})::text as ${sql.raw(`sort_${index}`)}`),
    sql`, `,
  );
  const wantsCount = options.count && !token;
  const clock =
    resource.bounded && !token
      ? sql`with clock as materialized (
          select coalesce((select last_stamp from reso_clocks where tenant_id = ${tenantId}::uuid), '-infinity') as stamp)`
      : sql``;
  const statement = sql`${clock}
    select json_build_object(
      'bound', ${resource.bounded && !token ? sql`(select case when stamp = '-infinity' then null else stamp end from clock)` : sql`null`},
      'count', ${wantsCount ? sql`(select count(*) from ${from} where ${countWhere})` : sql`null`},
      'rows', coalesce((select json_agg(page order by page.reso_ordinal) from (
        select ${columns}, ${sortValues}, row_number() over (order by ${orderClause(keys)}) as reso_ordinal
        from ${from} where ${where}
        order by ${orderClause(keys)}
        limit ${pageSize + 1}::integer offset ${token ? 0 : options.skip}::integer) page), '[]'::json)) as result`;

  const [, result] = await boundedStatement(
    db,
    tenantId,
    statement,
    read.statementTimeoutMs ?? RESO_STATEMENT_TIMEOUT_MS,
  );
  const payload = rowsOf(result)[0]?.result as {
    bound: string | null;
    count: number | null;
    rows: Record<string, unknown>[];
  };
  const rows = payload.rows.slice(0, pageSize);
  const count = token ? (token.c ?? undefined) : wantsCount ? Number(payload.count) : undefined;
  const more =
    pageSize > 0 && payload.rows.length > pageSize && (remainingTop === null || remainingTop > pageSize);
  const last = rows.at(-1);
  const nextSkipToken =
    more && last
      ? encodeSkipToken({
          b: token ? token.b : payload.bound === null ? null : new Date(payload.bound).toISOString(),
          s: keys.map((_, index) => (last[`sort_${index}`] as string | null) ?? null),
          o: order,
          c: count ?? null,
          t: remainingTop === null ? null : remainingTop - rows.length,
          p: Math.max(pageSize, 1),
        })
      : undefined;
  return {
    value: rows.map((row) => recordOf(resource, row, options.select)),
    count: options.count ? count : undefined,
    nextSkipToken,
    pageSize,
  };
}

/** One record by its key; 404 when the tenant has none with it. */
export async function getByKey(
  db: Database,
  tenantId: string,
  set: EntitySetName,
  key: string,
  select: string[] | undefined,
): Promise<ResoRecord> {
  const resource = RESOURCES[set];
  const notFound = () => new ApiError("not_found", { detail: `No ${set} has the key '${key}'.` });
  const { from, scope, columns } = sourceOf(set, tenantId);
  let match: SQL;
  if (resource.key.source.kind === "key") {
    if (!UUID.test(key)) throw notFound();
    match = sql`p.id = ${key}::uuid`;
  } else {
    match = sql`${expressionOf(resource.key, "filter").sql} = ${key}::text`;
  }
  const [, result] = await boundedStatement(
    db,
    tenantId,
    sql`select ${columns} from ${from} where ${scope} and ${match}`,
    RESO_STATEMENT_TIMEOUT_MS,
  );
  const row = rowsOf(result)[0];
  if (!row) throw notFound();
  return recordOf(resource, row, select);
}
