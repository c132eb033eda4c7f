import { readFile } from "node:fs/promises";
import { PGlite } from "@electric-sql/pglite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { insertTenant, parseTenantArgs, TenantUsageError } from "../../scripts/create-tenant.ts";

describe("parseTenantArgs", () => {
  it("takes --slug and --name, with the standard plan by default", () => {
    expect(parseTenantArgs(["--slug", "acme-realty", "--name", "Acme Realty"])).toEqual({
      slug: "acme-realty",
      name: "Acme Realty",
      plan: "standard",
    });
    expect(parseTenantArgs(["--slug=acme", "--name=Acme", "--plan=enterprise"]).plan).toBe("enterprise");
  });

  it("refuses what the tenants table would refuse, before connecting", () => {
    expect(() => parseTenantArgs(["--slug", "Acme!", "--name", "Acme"])).toThrow(TenantUsageError);
    expect(() => parseTenantArgs(["--slug", "acme", "--name", " "])).toThrow(/--name/);
    expect(() => parseTenantArgs(["--slug", "acme"])).toThrow(/--name/);
    expect(() => parseTenantArgs(["--slug", "acme", "--name", "A", "--owner", "x"])).toThrow(
      /unknown argument/,
    );
  });
});

describe("insertTenant against the base schema", () => {
  let db: PGlite;

  beforeAll(async () => {
    db = await PGlite.create();
    const migration = await readFile(
      new URL("../../migrations/0001_base_schema.sql", import.meta.url),
      "utf8",
    );
    await db.exec(migration);
  });

  afterAll(async () => {
    await db.close();
  });

  it("inserts as a member of app_admin (forced RLS, no session setting) and answers the id", async () => {
    await db.exec("set role app_admin");
    try {
      const id = await insertTenant(db, { slug: "acme-realty", name: "Acme Realty", plan: "standard" });
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      const rows = await db.query<{ slug: string; status: string }>(
        "select slug, status from tenants where id = $1",
        [id],
      );
      expect(rows.rows).toEqual([{ slug: "acme-realty", status: "active" }]);
      await expect(
        insertTenant(db, { slug: "acme-realty", name: "Again", plan: "standard" }),
      ).rejects.toThrow(/already exists/);
    } finally {
      await db.exec("reset role");
    }
  });

  it("explains the role to use when the connection is the runtime role", async () => {
    await db.exec("set role app_runtime");
    try {
      await expect(insertTenant(db, { slug: "other", name: "Other", plan: "standard" })).rejects.toThrow(
        /member of app_admin/,
      );
    } finally {
      await db.exec("reset role");
    }
  });
});
