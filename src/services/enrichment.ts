// Enriching one prospect record: load it (with its ZIP's price per sqft range) under the message's tenant, parse,
// normalize the address, locate, attach hazards, judge quality, then either upsert the property or quarantine the
// record with every reason.
//
// Idempotency: each final write is ONE statement whose first CTE inserts the processed marker for the message's
// idempotency key, guarded by the record's state (pending or sent, same revision); every other write in the
// statement hangs off that marker. A redelivered message, or a second consumer racing the first (it waits on the
// marker's unique key, then finds it taken), writes nothing.
//
// The comps index (embedding + vector upsert) is updated by consumeOne (queues/enrichment/consumer.ts) after
// enrichProspect answers { kind: "loaded", propertyId }, i.e. after the upsert committed. Valuations are computed
// on request (GET /properties/{id}/valuation), from the comps at that moment, so none is stored here.
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

type ProspectRow = {
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

export async function enrichProspect(
  db: Database,
  deps: PipelineDependencies,
  message: EnrichmentMessage,
): Promise<EnrichOutcome> {
  const { tenantId, prospectId, revision } = message;
  // The record and its ZIP's price range in one statement: the range lookup is a primary-key probe, and the
  // consumer makes no extra round trip for it. The key is the rule's own: the first 5 characters of the ZIP.
  const [loaded] = await db.withTenant(tenantId, (tx) => [
    tx.execute<ProspectRow>(sql`
      select t.status as tenant_status, p.id, p.batch_id, p.payload, p.status, p.revision,
        r.low as price_low, r.median as price_median, r.high as price_high, r.sample_size as price_samples
      from tenants t
        left join prospect_queue p on p.id = ${prospectId} and p.tenant_id = t.id
        left join zip_price_ranges r on r.tenant_id = t.id and r.zip = left(btrim(p.payload->>'zip'), 5)
      where t.id = ${tenantId}`),
  ]);
  const row = loaded.rows[0];
  if (!row) return { kind: "tenant_missing" };
  if (row.tenant_status !== "active") return { kind: "tenant_inactive" };
  if (!row.id || !row.payload) return { kind: "prospect_missing" };
  if (!["pending", "sent"].includes(row.status ?? "") || Number(row.revision) !== revision)
    return { kind: "duplicate" };

  const parsed = enrichedRecordSchema.safeParse(row.payload);
  if (!parsed.success) {
    return quarantine(
      db,
      message,
      schemaReasons(parsed.error.issues, row.payload),
      null,
      deps.quality.suiteVersion,
    );
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
    return quarantine(db, message, [reason], null, deps.quality.suiteVersion);
  }
  const lookups = deps.lookups(db, tenantId);
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
    return quarantine(db, message, reasons, quality.results, deps.quality.suiteVersion);
  }

  try {
    return await load(db, message, enriched, quality.results, deps.quality.suiteVersion);
  } catch (error) {
    // A constraint the rules did not foresee is a property of the record, not of the moment: retrying cannot help.
    if (error instanceof ApiError && error.code === "conflict") {
      const reason: QuarantineReason = {
        ruleId: "database.constraint",
        message: `The record violates ${constraintOf(error) ?? "a database constraint"}.`,
        severity: "error",
      };
      return quarantine(db, message, [reason], quality.results, deps.quality.suiteVersion);
    }
    throw error;
  }
}

const claimable = (message: EnrichmentMessage) => sql`exists (
  select 1 from prospect_queue
  where id = ${message.prospectId} and revision = ${message.revision} and status in ('pending', 'sent'))`;

async function load(
  db: Database,
  message: EnrichmentMessage,
  record: EnrichedRecord,
  results: QualityRuleResult[],
  suiteVersion: string,
): Promise<EnrichOutcome> {
  const { tenantId, prospectId, idempotencyKey } = message;
  const hazards = record.hazards;
  const value = <T>(field: T | undefined) => field ?? null;
  const [written] = await db.withTenant(tenantId, (tx) => [
    tx.execute<{ applied: number; property_id: string | null }>(sql`
      with marker as (
        insert into processed_messages (tenant_id, idempotency_key, prospect_id, outcome)
        select ${tenantId}, ${idempotencyKey}, ${prospectId}, 'loaded' where ${claimable(message)}
        on conflict do nothing
        returning prospect_id
      ), upserted as (
        insert into properties (
          tenant_id, external_ref, address, city, state, zip, county, county_fips, latitude, longitude,
          normalized_address, address_hash, price, bedrooms, bathrooms, sqft, lot_size, year_built, property_type,
          status, closing_price, closing_date, hazard_risk_score, hazard_risk_rating, hazards, hazards_version,
          quality_results, quality_suite_version
        )
        select ${tenantId}, ${value(record.externalRef)}, ${record.address}, ${value(record.city)},
          ${value(record.state)}, ${value(record.zip)}, ${value(record.county)}, ${value(record.countyFips)},
          ${value(record.latitude)}::double precision, ${value(record.longitude)}::double precision,
          ${record.normalizedAddress}, ${record.addressHash}, ${value(record.price)}::numeric,
          ${value(record.bedrooms)}::integer, ${value(record.bathrooms)}::numeric, ${value(record.sqft)}::integer,
          ${value(record.lotSize)}::integer, ${value(record.yearBuilt)}::integer,
          ${record.propertyType ?? "single_family"}, ${record.status ?? "active"},
          ${value(record.closingPrice)}::numeric, ${value(record.closingDate)}::date,
          ${hazards?.riskScore ?? null}::numeric, ${hazards?.riskRating ?? null},
          ${hazards ? JSON.stringify(hazards.hazardScores) : null}::jsonb, ${hazards?.dataVersion ?? null},
          ${JSON.stringify(results)}::jsonb, ${suiteVersion}
        from marker
        on conflict (tenant_id, address_hash) where deleted_at is null do update set
          external_ref = coalesce(excluded.external_ref, properties.external_ref),
          address = excluded.address,
          city = coalesce(excluded.city, properties.city),
          state = coalesce(excluded.state, properties.state),
          zip = coalesce(excluded.zip, properties.zip),
          county = coalesce(excluded.county, properties.county),
          county_fips = coalesce(excluded.county_fips, properties.county_fips),
          latitude = coalesce(excluded.latitude, properties.latitude),
          longitude = coalesce(excluded.longitude, properties.longitude),
          normalized_address = excluded.normalized_address,
          price = coalesce(excluded.price, properties.price),
          bedrooms = coalesce(excluded.bedrooms, properties.bedrooms),
          bathrooms = coalesce(excluded.bathrooms, properties.bathrooms),
          sqft = coalesce(excluded.sqft, properties.sqft),
          lot_size = coalesce(excluded.lot_size, properties.lot_size),
          year_built = coalesce(excluded.year_built, properties.year_built),
          property_type = excluded.property_type,
          status = excluded.status,
          closing_price = coalesce(excluded.closing_price, properties.closing_price),
          closing_date = coalesce(excluded.closing_date, properties.closing_date),
          hazard_risk_score = coalesce(excluded.hazard_risk_score, properties.hazard_risk_score),
          hazard_risk_rating = coalesce(excluded.hazard_risk_rating, properties.hazard_risk_rating),
          hazards = coalesce(excluded.hazards, properties.hazards),
          hazards_version = coalesce(excluded.hazards_version, properties.hazards_version),
          quality_results = excluded.quality_results,
          quality_suite_version = excluded.quality_suite_version,
          version = properties.version + 1,
          updated_at = now()
        returning id
      ), updated as (
        update prospect_queue set status = 'loaded', property_id = (select id from upserted),
          quality_results = ${JSON.stringify(results)}::jsonb, quality_passed = true,
          quality_suite_version = ${suiteVersion}, reasons = null, processed_at = now(), updated_at = now()
        where id = ${prospectId} and exists (select 1 from upserted)
        returning id
      )
      select (select count(*) from updated)::int as applied, (select id from upserted) as property_id`),
  ]);
  const row = written.rows[0];
  if (!row || Number(row.applied) === 0 || !row.property_id) return { kind: "duplicate" };
  return { kind: "loaded", propertyId: row.property_id };
}

async function quarantine(
  db: Database,
  message: EnrichmentMessage,
  reasons: QuarantineReason[],
  results: QualityRuleResult[] | null,
  suiteVersion: string,
): Promise<EnrichOutcome> {
  const { tenantId, prospectId, idempotencyKey } = message;
  const [written] = await db.withTenant(tenantId, (tx) => [
    tx.execute<{ applied: number }>(sql`
      with marker as (
        insert into processed_messages (tenant_id, idempotency_key, prospect_id, outcome)
        select ${tenantId}, ${idempotencyKey}, ${prospectId}, 'quarantined' where ${claimable(message)}
        on conflict do nothing
        returning prospect_id
      ), updated as (
        update prospect_queue set status = 'quarantined', reasons = ${JSON.stringify(reasons)}::jsonb,
          quality_results = ${results ? JSON.stringify(results) : null}::jsonb,
          quality_passed = ${results ? false : null}::boolean,
          quality_suite_version = ${suiteVersion}, processed_at = now(), updated_at = now()
        where id = ${prospectId} and exists (select 1 from marker)
        returning id
      )
      select (select count(*) from updated)::int as applied`),
  ]);
  return Number(written.rows[0]?.applied ?? 0) > 0 ? { kind: "quarantined", reasons } : { kind: "duplicate" };
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
