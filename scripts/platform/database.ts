// The database behind the local platform: embedded PGlite (default) or a real PostgreSQL (DATABASE_URL).
// Both are driven through one interface so the Neon HTTP endpoint, migrations and seeding don't care which.
import { PGlite, type Transaction } from "@electric-sql/pglite";
import { vector } from "@electric-sql/pglite-pgvector";
import pg from "pg";

export interface TextField {
  name: string;
  dataTypeID: number;
}

/** A statement result in Postgres's text form, as the Neon HTTP protocol returns it. */
export interface TextResult {
  command: string;
  rowCount: number;
  fields: TextField[];
  rows: (string | null)[][];
}

export interface Statement {
  query: string;
  params?: unknown[];
}

export interface TransactionOptions {
  isolationLevel?: "ReadUncommitted" | "ReadCommitted" | "RepeatableRead" | "Serializable";
  readOnly?: boolean;
  deferrable?: boolean;
}

export interface Login {
  user: string;
  password: string;
}

/** The owner's session: migrations and seeding. */
export interface OwnerSession {
  query<Row = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<Row[]>;
  exec(sql: string): Promise<void>;
}

/** Time spent executing the Worker's transactions (from BEGIN to COMMIT), for the benchmarks' time split. */
export interface BusyStats {
  transactions: number;
  ms: number;
}

export interface BackingDatabase {
  readonly kind: "pglite" | "postgres";
  readonly busy: BusyStats;
  /** Runs the statements in one transaction as `login` (the role the Worker's connection string names). */
  transaction(login: Login, statements: Statement[], options?: TransactionOptions): Promise<TextResult[]>;
  /** Runs `work` in one transaction as the schema owner. */
  asOwner<T>(work: (session: OwnerSession) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export const OWNER_ROLE = "app_owner";

/** Local-only credentials for the roles the platform logs in as; production uses Neon-managed passwords. */
export const LOCAL_ROLES = ["app_runtime", "app_admin"] as const;

const ISOLATION_SQL: Record<NonNullable<TransactionOptions["isolationLevel"]>, string> = {
  ReadUncommitted: "read uncommitted",
  ReadCommitted: "read committed",
  RepeatableRead: "repeatable read",
  Serializable: "serializable",
};

function beginStatement(options: TransactionOptions = {}): string {
  const parts = ["begin"];
  if (options.isolationLevel) parts.push(`isolation level ${ISOLATION_SQL[options.isolationLevel]}`);
  if (options.readOnly) parts.push("read only");
  if (options.deferrable) parts.push("deferrable");
  return parts.join(" ");
}

export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

function commandOf(query: string): string {
  return /^\s*(\w+)/.exec(query)?.[1]?.toUpperCase() ?? "";
}

// Values come back untouched: the Neon driver parses Postgres's text form itself, by type OID. PGlite copies
// per-query parser options with a spread (which would drop a catch-all), so the instance's own table is replaced.
const rawTextParsers = new Proxy({}, { get: () => (value: string) => value });

class PgliteDatabase implements BackingDatabase {
  readonly kind = "pglite";
  readonly busy: BusyStats = { transactions: 0, ms: 0 };
  readonly #db: PGlite;

  constructor(db: PGlite) {
    this.#db = db;
  }

  async transaction(
    login: Login,
    statements: Statement[],
    options?: TransactionOptions,
  ): Promise<TextResult[]> {
    // PGlite has one backend session and logs everyone in as its superuser, which bypasses RLS. Each
    // transaction therefore runs as the connection string's role, so RLS holds locally as it does on Neon.
    // PGlite's transaction() holds its exclusive lock, so concurrent requests never interleave.
    return this.#db.transaction(async (tx) => {
      // Timed inside PGlite's lock, so a transaction waiting behind another is not counted twice.
      const started = performance.now();
      this.busy.transactions++;
      try {
        return await this.#run(tx, login, statements, options);
      } finally {
        this.busy.ms += performance.now() - started;
      }
    });
  }

  async #run(
    tx: Transaction,
    login: Login,
    statements: Statement[],
    options?: TransactionOptions,
  ): Promise<TextResult[]> {
    const setup = beginStatement(options).replace(/^begin ?/, "");
    if (setup) await tx.exec(`set transaction ${setup}`);
    await tx.exec(`set local role ${quoteIdentifier(login.user)}`);
    const results: TextResult[] = [];
    for (const statement of statements) {
      const result = await tx.query<(string | null)[]>(statement.query, statement.params ?? [], {
        rowMode: "array",
      });
      results.push({
        command: commandOf(statement.query),
        rowCount: result.affectedRows || result.rows.length,
        fields: result.fields.map((field) => ({ name: field.name, dataTypeID: field.dataTypeID })),
        rows: result.rows,
      });
    }
    return results;
  }

  async asOwner<T>(work: (session: OwnerSession) => Promise<T>): Promise<T> {
    return this.#db.transaction(async (tx) => {
      await tx.exec(`set local role ${OWNER_ROLE}`);
      return work({
        query: async <Row>(sql: string, params?: unknown[]) => (await tx.query<Row>(sql, params ?? [])).rows,
        exec: async (sql: string) => {
          await tx.exec(sql);
        },
      });
    });
  }

  close(): Promise<void> {
    return this.#db.close();
  }
}

const rawTextTypes = { getTypeParser: () => (value: string) => value };

class PostgresDatabase implements BackingDatabase {
  readonly kind = "postgres";
  readonly busy: BusyStats = { transactions: 0, ms: 0 };
  readonly #ownerUrl: URL;
  readonly #owner: pg.Pool;
  readonly #pools = new Map<string, pg.Pool>();

  constructor(ownerUrl: string) {
    this.#ownerUrl = new URL(ownerUrl);
    this.#owner = new pg.Pool({ connectionString: ownerUrl, max: 2 });
  }

  #poolFor(login: Login): pg.Pool {
    const key = `${login.user}\u0000${login.password}`;
    let pool = this.#pools.get(key);
    if (!pool) {
      pool = new pg.Pool({
        host: decodeURIComponent(this.#ownerUrl.hostname),
        port: Number(this.#ownerUrl.port || 5432),
        database: decodeURIComponent(this.#ownerUrl.pathname.slice(1)),
        user: login.user,
        password: login.password,
        max: 8,
      });
      this.#pools.set(key, pool);
    }
    return pool;
  }

  async transaction(
    login: Login,
    statements: Statement[],
    options?: TransactionOptions,
  ): Promise<TextResult[]> {
    const client = await this.#poolFor(login).connect();
    const started = performance.now();
    this.busy.transactions++;
    try {
      await client.query(beginStatement(options));
      const results: TextResult[] = [];
      for (const statement of statements) {
        const result = await client.query({
          text: statement.query,
          values: statement.params ?? [],
          rowMode: "array",
          types: rawTextTypes,
        });
        results.push({
          command: result.command,
          rowCount: result.rowCount ?? 0,
          fields: result.fields.map((field) => ({ name: field.name, dataTypeID: field.dataTypeID })),
          rows: result.rows as (string | null)[][],
        });
      }
      await client.query("commit");
      return results;
    } catch (error) {
      await client.query("rollback").catch(() => {});
      throw error;
    } finally {
      this.busy.ms += performance.now() - started;
      client.release();
    }
  }

  async asOwner<T>(work: (session: OwnerSession) => Promise<T>): Promise<T> {
    const client = await this.#owner.connect();
    try {
      await client.query("begin");
      const result = await work({
        query: async <Row>(sql: string, params?: unknown[]) =>
          (await client.query(sql, params ?? [])).rows as Row[],
        exec: async (sql: string) => {
          await client.query(sql);
        },
      });
      await client.query("commit");
      return result;
    } catch (error) {
      await client.query("rollback").catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    await Promise.all([this.#owner.end(), ...[...this.#pools.values()].map((pool) => pool.end())]);
  }
}

/**
 * Opens PGlite (in `dataDir`, or in memory when it is undefined) and prepares what PostgreSQL's cluster
 * set-up would: the owner role that migrations run as, and the extensions that need a superuser.
 */
export async function openPglite(dataDir?: string): Promise<BackingDatabase> {
  const db = await PGlite.create(dataDir, { extensions: { vector } });
  (db as unknown as { parsers: unknown }).parsers = rawTextParsers;
  await db.exec(`
    do $$ begin
      if not exists (select from pg_roles where rolname = '${OWNER_ROLE}') then
        create role ${OWNER_ROLE} nologin createrole;
      end if;
    end $$;
    create extension if not exists vector;
    grant create on schema public to ${OWNER_ROLE};
  `);
  return new PgliteDatabase(db);
}

/**
 * Uses the PostgreSQL at `ownerUrl` (its user owns the schema and has CREATEROLE). The local endpoint logs in
 * as the role each Worker connection string names, with that string's password.
 */
export async function openPostgres(ownerUrl: string): Promise<BackingDatabase> {
  return new PostgresDatabase(ownerUrl);
}

/** Lets the local platform log in as the application roles (local development only). */
export async function enableLocalLogins(database: BackingDatabase): Promise<void> {
  if (database.kind !== "postgres") return;
  await database.asOwner(async (session) => {
    for (const role of LOCAL_ROLES) {
      await session.exec(`alter role ${role} login password '${role}'`);
    }
  });
}
