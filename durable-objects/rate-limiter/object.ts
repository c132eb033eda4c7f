// One SQLite-backed Durable Object per rate-limit key (`tenant:<id>:api`, `ip:<addr>:anon`, ...). Durable Objects
// run one event at a time and each RPC method here reads, decides and writes without awaiting in between, so
// concurrent callers are serialized and none can be admitted on a count another has already used.
import { DurableObject } from "cloudflare:workers";
import {
  type Admission,
  consumeRateLimit,
  EMPTY_SLIDING_LOG,
  idleFromMs,
  peekRateLimit,
  type RateLimitDecision,
  type RateLimitPolicy,
  type SlidingLogState,
} from "./algorithm.ts";

export interface RateLimitRequest {
  cost: number;
  policy: RateLimitPolicy;
}

const GENERATION_KEY = "generation";
const clockGeneration = () => Date.now() * 1000;

/** A decision of a tenant's object, with the tenant's data generation (src/middleware/edge-cache.ts). */
export type GenerationDecision = RateLimitDecision & { generation: number };

export class RateLimiterObject extends DurableObject<Env> {
  private log: SlidingLogState = EMPTY_SLIDING_LOG;
  /**
   * The key's data generation: the edge cache keys a tenant's reads by it, and every write of the tenant bumps it.
   * It never goes back: a bump stores it (synchronous KV, so before the answer leaves) and takes it to at least the
   * clock in microseconds, and an object starts from the larger of the stored value and the clock, so an instance
   * after a restart or the idle cleanup never repeats a value handed out before (that only turns the tenant's
   * cached entries into misses).
   */
  private generationValue: number;
  private generationStored = false;
  /** Window of the last admission's policy: the alarm needs it to know when the key has gone idle. */
  private windowSeconds: number | null = null;
  private tablesExist = false;
  /** The oldest admission time left in storage by the last delete; null when unknown (after a start). */
  private storedOldestMs: number | null = null;
  /** The cleanup alarm this instance has scheduled; null after a restart, so the next admission sets one. */
  private alarmAtMs: number | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    const stored = ctx.storage.kv.get<number>(GENERATION_KEY);
    this.generationStored = stored !== undefined;
    this.generationValue = Math.max(stored ?? 0, clockGeneration());
    // ctx.storage.sql is synchronous, so the state is loaded before the first call without blocking on I/O.
    this.loadFromStorage();
  }

  /** Decides a request of `cost` units under `policy` and charges it if admitted; answers the generation too. */
  async consume(request: RateLimitRequest): Promise<GenerationDecision> {
    const outcome = consumeRateLimit(this.log, Date.now(), request.cost, request.policy);
    if (outcome.decision.allowed) this.persist(outcome.state, request.policy.windowSeconds);
    this.log = outcome.state;
    // Read, decision and write are done; awaiting the alarm now cannot let another call see a stale count.
    if (outcome.decision.allowed) await this.scheduleCleanup();
    return { ...outcome.decision, generation: this.generationValue };
  }

  /** The key's data generation, for a tenant whose rate limit is off. */
  generation(): number {
    return this.generationValue;
  }

  /** Moves the generation past every value handed out so far, after a write of the tenant committed. */
  bump(): number {
    this.generationValue = Math.max(this.generationValue + 1, clockGeneration());
    this.ctx.storage.kv.put(GENERATION_KEY, this.generationValue);
    this.generationStored = true;
    return this.generationValue;
  }

  /** Whether a request of `cost` units would be admitted, without charging it. Writes nothing. */
  peek(request: RateLimitRequest): RateLimitDecision {
    return peekRateLimit(this.log, Date.now(), request.cost, request.policy);
  }

  /** Deletes all storage once no admission is left in the window; otherwise checks again when it would be. */
  override async alarm(): Promise<void> {
    this.alarmAtMs = null;
    const idleFrom = this.windowSeconds === null ? null : idleFromMs(this.log, this.windowSeconds);
    if (idleFrom === null || idleFrom <= Date.now()) {
      this.log = EMPTY_SLIDING_LOG;
      this.windowSeconds = null;
      this.tablesExist = false;
      this.storedOldestMs = null;
      // deleteAll is a storage operation, so the input gate holds new calls until it is done; a call after it
      // starts from the empty log reset above and recreates the tables.
      await this.ctx.storage.deleteAll();
      if (this.generationStored) this.ctx.storage.kv.put(GENERATION_KEY, this.generationValue);
      return;
    }
    this.alarmAtMs = idleFrom;
    await this.ctx.storage.setAlarm(idleFrom);
  }

  private loadFromStorage(): void {
    const sql = this.ctx.storage.sql;
    // Tables are created on the first admission only, so a key that is only peeked at never occupies storage.
    const tables = sql
      .exec<{ name: string }>(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('admissions', 'limiter_meta')",
      )
      .toArray();
    if (tables.length < 2) return;
    this.tablesExist = true;
    const admissions = sql
      .exec<{ at_ms: number; cost: number }>("SELECT at_ms, cost FROM admissions ORDER BY at_ms")
      .toArray()
      .map((row): Admission => ({ atMs: row.at_ms, cost: row.cost }));
    this.log = { admissions };
    const meta = sql.exec<{ window_seconds: number }>("SELECT window_seconds FROM limiter_meta").toArray();
    this.windowSeconds = meta[0]?.window_seconds ?? null;
  }

  private persist(next: SlidingLogState, windowSeconds: number): void {
    const sql = this.ctx.storage.sql;
    if (!this.tablesExist) {
      sql.exec(
        "CREATE TABLE IF NOT EXISTS admissions (at_ms INTEGER PRIMARY KEY, cost INTEGER NOT NULL CHECK (cost > 0))",
      );
      sql.exec(
        "CREATE TABLE IF NOT EXISTS limiter_meta (id INTEGER PRIMARY KEY CHECK (id = 1), window_seconds INTEGER NOT NULL)",
      );
      this.tablesExist = true;
    }
    // Refusals prune only the in-memory log, so rows older than the window may still be stored: delete them when
    // the oldest admission kept has moved since the last delete (a statement per admission otherwise).
    const oldestKept = next.admissions[0];
    if (oldestKept && oldestKept.atMs !== this.storedOldestMs) {
      sql.exec("DELETE FROM admissions WHERE at_ms < ?", oldestKept.atMs);
      this.storedOldestMs = oldestKept.atMs;
    }
    const newest = next.admissions.at(-1);
    if (newest) {
      sql.exec(
        "INSERT INTO admissions (at_ms, cost) VALUES (?, ?) ON CONFLICT (at_ms) DO UPDATE SET cost = excluded.cost",
        newest.atMs,
        newest.cost,
      );
    }
    if (this.windowSeconds !== windowSeconds) {
      sql.exec(
        "INSERT INTO limiter_meta (id, window_seconds) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET window_seconds = excluded.window_seconds",
        windowSeconds,
      );
      this.windowSeconds = windowSeconds;
    }
  }

  private async scheduleCleanup(): Promise<void> {
    // One alarm per key at a time: when it fires early (the key stayed busy) it moves itself to the new idle time.
    if (this.alarmAtMs !== null || this.windowSeconds === null) return;
    const idleFrom = idleFromMs(this.log, this.windowSeconds);
    if (idleFrom === null) return;
    this.alarmAtMs = idleFrom;
    await this.ctx.storage.setAlarm(idleFrom);
  }
}
