// Enriching prospect records: load them (with each one's ZIP price per sqft range) under the messages' tenant,
// parse, normalize the address, locate, judge quality (planProspect, in the Worker), then upsert the properties or
// quarantine the records with every reason (writeEnriched, one statement per round, one round trip in all). The
// consumer does this for a chunk of a tenant's messages at once; enrichProspect is the same for one record.
//
// Idempotency: each write statement's first CTE inserts the processed markers for the messages' idempotency keys,
// guarded by each record's state (pending or sent, same revision); every other write in the statement hangs off
// those markers. A redelivered message, or a second consumer racing the first (it waits on the marker's unique
// key, then finds it taken), writes nothing.
//
// Hazards are stored by the properties trigger (migrations/0008); the lookups here only feed the rules. The comps
// index is updated by the consumer after the write committed. Valuations are computed on request
// (GET /properties/{id}/valuation), from the comps at that moment, so none is stored here.
import { sql } from "drizzle-orm";
import type { EnrichmentMessage } from "../../queues/enrichment/message.ts";
import type { Database } from "../db/client.ts";
import {
  type AddressIdentity,
  AddressNotRecognizedError,
  addressIdentity,
} from "../domain/address-identity.ts";
import {
  type EnrichedRecord,
  enrichedRecordSchema,
  type QualityRuleResult,
} from "../domain/pipeline/contracts.ts";
import { ApiError } from "../errors.ts";
import type { PipelineDependencies } from "./pipeline-dependencies.ts";
import { priceRangeOfRow } from "./price-ranges.ts";
import { PROPERTY_DOCUMENT } from "./property-records.ts";

export type EnrichOutcome =
  | { kind: "loaded"; propertyId: string }
  | { kind: "quarantined"; reasons: QuarantineReason[] }
  | { kind: "duplicate" }
  | { kind: "tenant_inactive" }
  | { kind: "tenant_missing" }
  | { kind: "prospect_missing" };

export interface QuarantineReason {
  ruleId: string;
  message: string;
  severity: "error";
  observed?: unknown;
}

export type ProspectRow = {
  tenant_status: string;
  id: string | null;
  batch_id: string | null;
  payload: Record<string, unknown> | null;
  status: string | null;
  revision: number | null;
  // The price per sqft range of the record's ZIP (zip_price_ranges), null when it has none.
  price_low: number | null;
  price_median: number | null;
  price_high: number | null;
  price_samples: number | null;
};

function constraintOf(error: ApiError): string | undefined {
  return (error.cause as { constraint?: string } | undefined)?.constraint;
}

function schemaReasons(issues: { path: PropertyKey[]; message: string }[], payload: Record<string, unknown>) {
  return issues.map<QuarantineReason>((issue) => {
    const field = issue.path.map(String).join(".") || "record";
    return {
      ruleId: `schema.${field}`,
      message: issue.message,
      severity: "error",
      observed: payload[field] ?? null,
    };
  });
}

const zip5 = (zip: string | undefined) => (zip && /^[0-9]{5}/.test(zip) ? zip.slice(0, 5) : undefined);

/** What enriching a loaded record decided: a final outcome, a quarantine with its reasons, or a load. */
export type EnrichPlan =
  | { kind: "final"; outcome: EnrichOutcome }
  | { kind: "quarantine"; reasons: QuarantineReason[]; results: QualityRuleResult[] | null }
  | { kind: "load"; record: EnrichedRecord; results: QualityRuleResult[] };

/**
 * The record (with its ZIP's price range) of each prospect in `prospectIds`, and the tenant's status, in one
 * statement: the range lookup is a primary-key probe and costs no extra round trip. The key is the rule's own:
 * the first 5 characters of the ZIP. A tenant that does not exist answers no rows.
 */
export async function loadProspects(
  db: Database,
  tenantId: string,
  prospectIds: readonly string[],
): Promise<{ tenantStatus: string | null; rows: Map<string, ProspectRow> }> {
  const [loaded] = await db.withTenant(tenantId, (tx) => [
    tx.execute<ProspectRow>(sql`
      select t.status as tenant_status, p.id, p.batch_id, p.payload, p.status, p.revision,
        r.low as price_low, r.median as price_median, r.high as price_high, r.sample_size as price_samples
      from tenants t
        left join prospect_queue p on p.id = any(${`{${prospectIds.join(",")}}`}::uuid[]) and p.tenant_id = t.id
        left join zip_price_ranges r on r.tenant_id = t.id and r.zip = left(btrim(p.payload->>'zip'), 5)
      where t.id = ${tenantId}`),
  ]);
  const rows = new Map<string, ProspectRow>();
  for (const row of loaded.rows) if (row.id) rows.set(row.id, row);
  return { tenantStatus: loaded.rows[0]?.tenant_status ?? null, rows };
}

/**
 * Parses, normalizes, locates and judges one loaded record, in the Worker. Throws only what is worth a retry
 * (a lookup's upstream failing); every problem of the record itself is a quarantine plan.
 */
export async function planProspect(
  db: Database,
  deps: PipelineDependencies,
  message: EnrichmentMessage,
  tenantStatus: string | null,
  row: ProspectRow | undefined,
): Promise<EnrichPlan> {
  const final = (outcome: EnrichOutcome): EnrichPlan => ({ kind: "final", outcome });
  if (tenantStatus === null) return final({ kind: "tenant_missing" });
  if (tenantStatus !== "active") return final({ kind: "tenant_inactive" });
  if (!row?.id || !row.payload) return final({ kind: "prospect_missing" });
  if (!["pending", "sent"].includes(row.status ?? "") || Number(row.revision) !== message.revision)
    return final({ kind: "duplicate" });

  const parsed = enrichedRecordSchema.safeParse(row.payload);
  if (!parsed.success) {
    return { kind: "quarantine", reasons: schemaReasons(parsed.error.issues, row.payload), results: null };
  }
  const record = parsed.data;
  let identity: AddressIdentity;
  try {
    identity = await addressIdentity({
      address: record.address,
      city: record.city ?? null,
      state: record.state ?? null,
      zip: record.zip ?? null,
    });
  } catch (error) {
    if (!(error instanceof AddressNotRecognizedError)) throw error;
    const reason = {
      ruleId: "address_recognized",
      message: error.message,
      severity: "error" as const,
      observed: record.address,
    };
    return { kind: "quarantine", reasons: [reason], results: null };
  }
  const lookups = deps.lookups(db, message.tenantId);
  const zip = zip5(record.zip);
  const needsLocation =
    zip !== undefined &&
    (record.latitude === undefined || record.longitude === undefined || !record.countyFips);
  const location = needsLocation ? await lookups.locateZip(zip) : null;
  const located = {
    ...record,
    latitude: record.latitude ?? location?.latitude ?? undefined,
    longitude: record.longitude ?? location?.longitude ?? undefined,
    countyFips: record.countyFips ?? location?.countyFips ?? undefined,
    county: record.county ?? location?.countyName ?? undefined,
    city: record.city ?? location?.city ?? undefined,
    state: record.state ?? location?.state ?? undefined,
  };
  // The rules read the county's hazards; the stored ones come from the database's trigger (migrations/0008).
  const hazards = located.countyFips ? await lookups.countyHazards(located.countyFips) : null;
  const enriched: EnrichedRecord = { ...located, ...identity, hazards };
  const quality = deps.quality.evaluate(enriched, { zipPricePerSqft: priceRangeOfRow(row) });
  if (!quality.passed) {
    const reasons = quality.results
      .filter((result) => !result.passed && result.severity === "error")
      .map<QuarantineReason>((result) => ({
        ruleId: result.ruleId,
        message: result.message,
        severity: "error",
        observed: result.observed ?? null,
      }));
    return { kind: "quarantine", reasons, results: quality.results };
  }
  return { kind: "load", record: enriched, results: quality.results };
}

/** A constraint the rules did not foresee is a property of the record, not of the moment: retrying cannot help. */
export function constraintReason(error: unknown): QuarantineReason | null {
  if (!(error instanceof ApiError) || error.code !== "conflict") return null;
  return {
    ruleId: "database.constraint",
    message: `The record violates ${constraintOf(error) ?? "a database constraint"}.`,
    severity: "error",
  };
}

export async function enrichProspect(
  db: Database,
  deps: PipelineDependencies,
  message: EnrichmentMessage,
): Promise<EnrichOutcome> {
  const { tenantStatus, rows } = await loadProspects(db, message.tenantId, [message.prospectId]);
  const plan = await planProspect(db, deps, message, tenantStatus, rows.get(message.prospectId));
  if (plan.kind === "final") return plan.outcome;
  const outcomes = await writeIsolating(db, message.tenantId, deps.quality.suiteVersion, [{ message, plan }]);
  return outcomes.get(message.prospectId) ?? { kind: "duplicate" };
}

/**
 * writeEnriched, isolating a record that breaks a constraint the rules let through: the failing write is halved
 * until the record at fault is alone, which is then quarantined with the constraint's reason, while its neighbours
 * are written (a poison record among 100 costs about 2 log2(100) = 14 statements, not 100).
 */
export async function writeIsolating(
  db: Database,
  tenantId: string,
  suiteVersion: string,
  writes: readonly PlannedWrite[],
): Promise<Map<string, EnrichOutcome>> {
  try {
    return await writeEnriched(db, tenantId, suiteVersion, writes);
  } catch (error) {
    const reason = constraintReason(error);
    if (!reason) throw error;
    const [only] = writes;
    if (writes.length === 1 && only) {
      const quarantine = { kind: "quarantine" as const, reasons: [reason], results: only.plan.results };
      return writeEnriched(db, tenantId, suiteVersion, [{ message: only.message, plan: quarantine }]);
    }
    const half = Math.ceil(writes.length / 2);
    const first = await writeIsolating(db, tenantId, suiteVersion, writes.slice(0, half));
    const second = await writeIsolating(db, tenantId, suiteVersion, writes.slice(half));
    return new Map([...first, ...second]);
  }
}

const claimable = (message: EnrichmentMessage) => sql`exists (
  select 1 from prospect_queue
  where id = ${message.prospectId} and revision = ${message.revision} and status in ('pending', 'sent'))`;

/** A record's final write: its message and what enriching it decided. */
export interface PlannedWrite {
  message: EnrichmentMessage;
  plan: Extract<EnrichPlan, { kind: "quarantine" | "load" }>;
}

const INPUT_COLUMNS = sql.raw(`prospect_id uuid, revision integer, idempotency_key text, outcome text,
  reasons jsonb, quality_results jsonb, quality_passed boolean, external_ref text, address text, city text,
  state text, zip text, county text, county_fips text, latitude double precision, longitude double precision,
  normalized_address text, address_hash text, price numeric, bedrooms integer, bathrooms numeric, sqft integer,
  lot_size integer, year_built integer, property_type text, status text, closing_price numeric, closing_date date`);

function inputRow({ message, plan }: PlannedWrite) {
  const base = {
    prospect_id: message.prospectId,
    revision: message.revision,
    idempotency_key: message.idempotencyKey,
  };
  if (plan.kind === "quarantine") {
    return {
      ...base,
      outcome: "quarantined",
      reasons: plan.reasons,
      quality_results: plan.results,
      quality_passed: plan.results ? false : null,
    };
  }
  const record = plan.record;
  return {
    ...base,
    outcome: "loaded",
    reasons: null,
    quality_results: plan.results,
    quality_passed: true,
    external_ref: record.externalRef ?? null,
    address: record.address,
    city: record.city ?? null,
    state: record.state ?? null,
    zip: record.zip ?? null,
    county: record.county ?? null,
    county_fips: record.countyFips ?? null,
    latitude: record.latitude ?? null,
    longitude: record.longitude ?? null,
    normalized_address: record.normalizedAddress,
    address_hash: record.addressHash,
    price: record.price ?? null,
    bedrooms: record.bedrooms ?? null,
    bathrooms: record.bathrooms ?? null,
    sqft: record.sqft ?? null,
    lot_size: record.lotSize ?? null,
    year_built: record.yearBuilt ?? null,
    property_type: record.propertyType ?? "single_family",
    // Null when the source's status was unknown or absent: a new property starts active, an existing one keeps
    // its status (an unmapped feed status must not turn a sold listing back into an active one).
    status: record.status ?? null,
    closing_price: record.closingPrice ?? null,
    closing_date: record.closingDate ?? null,
  };
}

/**
 * One statement for a round of records (no two loads with the same address): the processed markers (guarded by
 * each record's state and revision, so a redelivery or a racing consumer writes nothing), the property upserts,
 * their property_changes rows (the changes feed, as the API's writes append them), and the records' final state.
 * Hazards are not written here: the properties trigger of migrations/0008 stores the county's.
 */
function writeStatement(tenantId: string, suiteVersion: string, round: readonly PlannedWrite[]) {
  return sql`
    with input as (
      select * from jsonb_to_recordset(${JSON.stringify(round.map(inputRow))}::jsonb) as i(${INPUT_COLUMNS})
    ), marker as (
      insert into processed_messages (tenant_id, idempotency_key, prospect_id, outcome)
      select ${tenantId}, i.idempotency_key, i.prospect_id, i.outcome from input i
      where exists (select 1 from prospect_queue q
        where q.id = i.prospect_id and q.revision = i.revision and q.status in ('pending', 'sent'))
      on conflict do nothing
      returning prospect_id
    ), upserted as (
      insert into properties as p (
        tenant_id, external_ref, address, city, state, zip, county, county_fips, latitude, longitude,
        normalized_address, address_hash, price, bedrooms, bathrooms, sqft, lot_size, year_built, property_type,
        status, closing_price, closing_date, quality_results, quality_suite_version
      )
      select ${tenantId}, i.external_ref, i.address, i.city, i.state, i.zip, i.county, i.county_fips, i.latitude,
        i.longitude, i.normalized_address, i.address_hash, i.price, i.bedrooms, i.bathrooms, i.sqft, i.lot_size,
        i.year_built, i.property_type, coalesce(i.status, 'active'), i.closing_price, i.closing_date,
        i.quality_results, ${suiteVersion}
      from input i join marker m on m.prospect_id = i.prospect_id
      where i.outcome = 'loaded'
      on conflict (tenant_id, address_hash) where deleted_at is null do update set
        external_ref = coalesce(excluded.external_ref, p.external_ref),
        address = excluded.address,
        city = coalesce(excluded.city, p.city),
        state = coalesce(excluded.state, p.state),
        zip = coalesce(excluded.zip, p.zip),
        county = coalesce(excluded.county, p.county),
        county_fips = coalesce(excluded.county_fips, p.county_fips),
        latitude = coalesce(excluded.latitude, p.latitude),
        longitude = coalesce(excluded.longitude, p.longitude),
        normalized_address = excluded.normalized_address,
        price = coalesce(excluded.price, p.price),
        bedrooms = coalesce(excluded.bedrooms, p.bedrooms),
        bathrooms = coalesce(excluded.bathrooms, p.bathrooms),
        sqft = coalesce(excluded.sqft, p.sqft),
        lot_size = coalesce(excluded.lot_size, p.lot_size),
        year_built = coalesce(excluded.year_built, p.year_built),
        property_type = excluded.property_type,
        status = coalesce(
          (select i.status from input i where i.outcome = 'loaded' and i.address_hash = excluded.address_hash),
          p.status),
        closing_price = coalesce(excluded.closing_price, p.closing_price),
        closing_date = coalesce(excluded.closing_date, p.closing_date),
        quality_results = excluded.quality_results,
        quality_suite_version = excluded.quality_suite_version,
        version = p.version + 1,
        updated_at = now()
      returning p.id, p.address_hash, p.version, ${PROPERTY_DOCUMENT} as document
    ), changes as (
      insert into property_changes (tenant_id, property_id, operation, version, snapshot)
      select ${tenantId}, u.id, case when u.version = 1 then 'created' else 'updated' end, u.version, u.document
      from upserted u
    ), updated as (
      update prospect_queue q set status = i.outcome, property_id = u.id, reasons = i.reasons,
        quality_results = i.quality_results, quality_passed = i.quality_passed,
        quality_suite_version = ${suiteVersion}, processed_at = now(), updated_at = now()
      from input i
        join marker m on m.prospect_id = i.prospect_id
        left join upserted u on i.outcome = 'loaded' and u.address_hash = i.address_hash
      where q.id = i.prospect_id and (i.outcome = 'quarantined' or u.id is not null)
      returning q.id, q.status, q.property_id
    )
    select id, status, property_id from updated`;
}

/** Splits writes into rounds in which no two loads share an address (one upsert cannot touch a row twice). */
function rounds(writes: readonly PlannedWrite[]): PlannedWrite[][] {
  const result: { hashes: Set<string>; writes: PlannedWrite[] }[] = [];
  for (const write of writes) {
    const hash = write.plan.kind === "load" ? write.plan.record.addressHash : null;
    let round = result.find((candidate) => hash === null || !candidate.hashes.has(hash));
    if (!round) {
      round = { hashes: new Set(), writes: [] };
      result.push(round);
    }
    if (hash !== null) round.hashes.add(hash);
    round.writes.push(write);
  }
  return result.map((round) => round.writes);
}

/**
 * Writes the records of one tenant in one transaction (one round trip): a statement per round, usually one.
 * Answers each record's outcome by prospect id; a record whose marker was already taken is a duplicate.
 */
export async function writeEnriched(
  db: Database,
  tenantId: string,
  suiteVersion: string,
  writes: readonly PlannedWrite[],
): Promise<Map<string, EnrichOutcome>> {
  const outcomes = new Map<string, EnrichOutcome>();
  if (writes.length === 0) return outcomes;
  const statements = rounds(writes).map((round) => writeStatement(tenantId, suiteVersion, round));
  const results = await db.withTenant(tenantId, (tx) => {
    const [first, ...rest] = statements.map((statement) =>
      tx.execute<{ id: string; status: string; property_id: string | null }>(statement),
    );
    return [first as NonNullable<typeof first>, ...rest] as const;
  });
  const written = new Map<string, { status: string; property_id: string | null }>();
  for (const result of results) for (const row of result.rows) written.set(row.id, row);
  for (const { message, plan } of writes) {
    const row = written.get(message.prospectId);
    if (!row) outcomes.set(message.prospectId, { kind: "duplicate" });
    else if (plan.kind === "quarantine")
      outcomes.set(message.prospectId, { kind: "quarantined", reasons: plan.reasons });
    else outcomes.set(message.prospectId, { kind: "loaded", propertyId: String(row.property_id) });
  }
  return outcomes;
}

/**
 * Records a message that will not be processed (retries exhausted, or its tenant is no longer active) in
 * ingest_failures and marks the record failed; keyed by the idempotency key, so the dead-letter queue delivering
 * it twice records it once.
 */
export async function recordFailure(
  db: Database,
  message: EnrichmentMessage,
  failure: { reason: string; error: string; attempts: number },
): Promise<boolean> {
  const { tenantId, prospectId, idempotencyKey } = message;
  const reasons = [{ ruleId: `failure.${failure.reason}`, message: failure.error, severity: "error" }];
  const [written] = await db.withTenant(tenantId, (tx) => [
    tx.execute<{ applied: number }>(sql`
      with marker as (
        insert into processed_messages (tenant_id, idempotency_key, prospect_id, outcome)
        select ${tenantId}, ${idempotencyKey}, ${prospectId}, 'failed' where ${claimable(message)}
        on conflict do nothing
        returning prospect_id
      ), failure as (
        insert into ingest_failures (tenant_id, prospect_id, batch_id, idempotency_key, reason, error, attempts)
        select ${tenantId}, p.id, p.batch_id, ${idempotencyKey}, ${failure.reason}, ${failure.error.slice(0, 1000)},
          ${failure.attempts}
        from prospect_queue p join marker on marker.prospect_id = p.id
        on conflict (tenant_id, idempotency_key) do nothing
        returning id
      ), updated as (
        update prospect_queue set status = 'failed', reasons = ${JSON.stringify(reasons)}::jsonb,
          processed_at = now(), updated_at = now()
        where id = ${prospectId} and exists (select 1 from failure)
        returning id
      )
      select (select count(*) from updated)::int as applied`),
  ]);
  return Number(written.rows[0]?.applied ?? 0) > 0;
}
