import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { importJWK, jwtVerify } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Platform, startPlatform } from "../../scripts/platform/index.ts";
import { LOCAL_AUDIENCE, loadOrCreateSigningKey } from "../../scripts/platform/issuer.ts";
import {
  DEFAULTS,
  localSqlEndpoint,
  mintDevToken,
  parseTokenArgs,
  tenantIdBySlug,
  UsageError,
} from "../../scripts/token.ts";

const run = promisify(execFile);

describe("parseTokenArgs", () => {
  it("applies the dev platform's defaults", () => {
    expect(parseTokenArgs(["--tenant", "demo", "--role", "admin"])).toEqual({
      tenant: "demo",
      role: "admin",
      subject: "dev-admin@demo",
      email: undefined,
      expiresInSeconds: 3600,
      issuer: DEFAULTS.issuer,
      audience: LOCAL_AUDIENCE,
      databaseUrl: DEFAULTS.databaseUrl,
      keyFile: DEFAULTS.keyFile,
    });
    expect(parseTokenArgs(["--tenant", "demo"]).role).toBe("viewer");
  });

  it.each([
    [[]],
    [["--tenant"]],
    [["--tenant", "Bad Slug"]],
    [["--tenant", "demo", "--role", "owner"]],
    [["--tenant", "demo", "--expires", "10"]],
    [["--tenant", "demo", "--expires", "1e9"]],
    [["--tenant", "demo", "--unknown", "x"]],
  ])("refuses %j with a usage error", (argv) => {
    expect(() => parseTokenArgs(argv)).toThrow(UsageError);
  });
});

describe("localSqlEndpoint", () => {
  it("points at /sql on the connection string's host and port", () => {
    expect(localSqlEndpoint(DEFAULTS.databaseUrl)).toBe("http://127.0.0.1:5480/sql");
  });
});

describe("tenantIdBySlug", () => {
  const query = (rows: Record<string, unknown>[]) => async () => rows;
  it("answers the id of an active tenant and refuses missing or suspended ones", async () => {
    await expect(tenantIdBySlug(query([{ id: "t-1", status: "active" }]), "demo")).resolves.toBe("t-1");
    await expect(tenantIdBySlug(query([]), "demo")).rejects.toThrow(/no tenant/);
    await expect(tenantIdBySlug(query([{ id: "t-1", status: "suspended" }]), "demo")).rejects.toThrow(
      /suspended/,
    );
  });
});

describe("loadOrCreateSigningKey", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "issuer-key-"));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("creates the key once, owner-readable only, and loads the same key afterwards", async () => {
    const path = join(dir, "nested", "issuer-key.json");
    const created = await loadOrCreateSigningKey(path);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await loadOrCreateSigningKey(path)).toEqual(created);
    expect(created.publicJwk).not.toHaveProperty("d");
  });

  it("refuses a file that is not a signing key instead of replacing it", async () => {
    const path = join(dir, "corrupt.json");
    await writeFile(path, JSON.stringify({ kid: "x" }));
    await expect(loadOrCreateSigningKey(path)).rejects.toThrow(/not a signing key/);
    expect(JSON.parse(await readFile(path, "utf8"))).toEqual({ kid: "x" });
  });
});

describe("npm run token against a running platform", () => {
  let platform: Platform;
  let dir: string;
  let databaseUrl: string;
  let keyFile: string;

  beforeAll(async () => {
    platform = await startPlatform();
    dir = await mkdtemp(join(tmpdir(), "token-script-"));
    keyFile = join(dir, "issuer-key.json");
    await loadOrCreateSigningKey(keyFile);
    databaseUrl = platform.adminDatabaseUrl;
    await platform.database.transaction({ user: "app_admin", password: "app_admin" }, [
      { query: "insert into tenants (slug, name) values ('token-demo', 'Token demo')" },
    ]);
  });
  afterAll(async () => {
    await platform?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("mints a token the issuer's public key verifies, for the tenant found by slug", async () => {
    const options = parseTokenArgs([
      "--tenant",
      "token-demo",
      "--role",
      "editor",
      "--database-url",
      databaseUrl,
      "--key-file",
      keyFile,
    ]);
    const token = await mintDevToken(options);
    const key = await loadOrCreateSigningKey(keyFile);
    const { payload, protectedHeader } = await jwtVerify(token, await importJWK(key.publicJwk, "RS256"), {
      issuer: DEFAULTS.issuer,
      audience: LOCAL_AUDIENCE,
    });
    expect(protectedHeader.kid).toBe(key.kid);
    expect(payload).toMatchObject({ sub: "dev-editor@token-demo", realm_access: { roles: ["editor"] } });
    expect(payload.tenant_id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("prints only the token on stdout when run as a command", async () => {
    const { stdout } = await run(process.execPath, [
      "scripts/token.ts",
      "--tenant",
      "token-demo",
      "--role",
      "admin",
      "--database-url",
      databaseUrl,
      "--key-file",
      keyFile,
    ]);
    expect(stdout.trim()).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
  });

  it("exits 2 with usage for an unknown tenant and for a missing key file", async () => {
    const attempt = (args: string[]) =>
      run(process.execPath, ["scripts/token.ts", "--database-url", databaseUrl, ...args]).then(
        () => ({ code: 0, stderr: "" }),
        (error: { code: number; stderr: string }) => error,
      );
    const unknown = await attempt(["--tenant", "nobody-here", "--key-file", keyFile]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/no tenant/);
    const noKey = await attempt(["--tenant", "token-demo", "--key-file", join(dir, "missing.json")]);
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toMatch(/npm run dev/);
  });
});
