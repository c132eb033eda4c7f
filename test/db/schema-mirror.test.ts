// The SQL migrations are the source of truth; the drizzle schema is a typed mirror of them. This fails when a
// column is added, renamed or retyped on one side only.
import { getTableConfig, type PgTable } from "drizzle-orm/pg-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { schema } from "../../src/db/schema.ts";
import { type Engine, startEngine } from "../helpers/engines.ts";

let engine: Engine;
beforeAll(async () => {
  engine = await startEngine("pglite");
});
afterAll(async () => {
  await engine?.close();
});

function normalizeType(sqlType: string): string {
  return sqlType
    .replace(/^timestamp with time zone$/, "timestamptz")
    .replace(/^(numeric)(\(.*\))?$/, "numeric")
    .replace(/^text\[\]$/, "ARRAY");
}

describe("drizzle schema mirrors the migrated database", () => {
  for (const table of Object.values(schema) as PgTable[]) {
    const config = getTableConfig(table);
    it(`${config.name} has the same columns, types and nullability`, async () => {
      const columns = await engine.admin`
        select column_name, data_type, is_nullable, udt_name from information_schema.columns
        where table_schema = 'public' and table_name = ${config.name} order by column_name`;
      const database: Record<string, { type: string; nullable: boolean }> = Object.fromEntries(
        columns.map((column) => [
          column.column_name,
          {
            type: normalizeType(
              column.data_type === "USER-DEFINED"
                ? column.udt_name
                : column.data_type === "character"
                  ? "text"
                  : column.data_type,
            ),
            nullable: column.is_nullable === "YES",
          },
        ]),
      );
      const mirrored = Object.fromEntries(
        config.columns.map((column) => [
          column.name,
          {
            type: normalizeType(
              column
                .getSQLType()
                .replace(/^character varying$|^varchar(\(\d+\))?$/, "text")
                .replace(/^uuid$/, "uuid"),
            ),
            nullable: !column.notNull,
          },
        ]),
      );
      const translate = (type: string) =>
        ({ "character varying": "text", "double precision": "double precision", integer: "integer" })[type] ??
        type;
      for (const value of Object.values(database)) value.type = translate(value.type);
      expect(mirrored).toEqual(database);
    });
  }
});
