// Comparable sales: the tenant's sold properties near a subject, ranked by similarity with the valuer's
// adjustments (domain/valuation selectComps). Candidates come from one SQL statement, bounding-box prefiltered
// (properties_tenant_sold_location_idx) and tenant-scoped by RLS and by an explicit condition.
import { type SQL, sql } from "drizzle-orm";
import type { Database } from "../db/client.ts";
import { type PropertyAttributes, propertyFeatures, type SoldProperty } from "../domain/features/index.ts";
import { type Comp, selectComps } from "../domain/valuation/index.ts";
import { ApiError } from "../errors.ts";
import type { VectorIndex } from "../vector/vector-index.ts";

/** Enough candidates for selectComps to choose from, few enough to score in the Worker in well under 1 ms each. */
export const MAX_CANDIDATES = 400;

export interface CompsQuery {
  limit: number;
  radiusKm: number;
  soldWithinDays: number;
}

export interface SubjectProperty extends PropertyAttributes {
  id: string;
  address: string;
}

export interface CompView {
  propertyId: string;
  address: string;
  city: string | null;
  zip: string | null;
  closingPrice: number;
  closingDate: string;
  similarity: number;
  distanceKm: number;
  ageDays: number;
  adjustments: Comp["adjustments"];
  adjustedPrice: number;
  grossAdjustmentRatio: number;
  weight: number;
  sqft: number | null;
  bedrooms: number | null;
  bathrooms: number | null;
  yearBuilt: number | null;
  grade: number | null;
}

export interface CompsResult {
  subject: { id: string; address: string; latitude: number | null; longitude: number | null };
  asOfDate: string;
  comps: CompView[];
  /** Adjusted-comps estimate (weighted geometric mean), or null without comps. */
  estimate: number | null;
}

/** The property columns the feature vector and the valuation model read (snake_case, as SQL returns them). */
export type AttributeRow = {
  zip: string | null;
  latitude: number | null;
  longitude: number | null;
  sqft: number | null;
  lot_size: number | null;
  bedrooms: number | null;
  bathrooms: string | number | null;
  floors: string | number | null;
  waterfront: boolean | null;
  view_rating: number | null;
  condition_rating: number | null;
  grade: number | null;
  sqft_above: number | null;
  sqft_basement: number | null;
  year_built: number | null;
  year_renovated: number | null;
  property_type: string | null;
};

export type CandidateRow = AttributeRow & {
  id: string;
  address: string;
  city: string | null;
  closing_price: string | null;
  closing_date: string | null;
};

const numberOrNull = (value: string | number | null) => (value === null ? null : Number(value));

export function attributesOfRow(row: AttributeRow): PropertyAttributes {
  return {
    latitude: row.latitude,
    longitude: row.longitude,
    zip: row.zip,
    sqft: row.sqft,
    lotSize: row.lot_size,
    bedrooms: row.bedrooms,
    bathrooms: numberOrNull(row.bathrooms),
    floors: numberOrNull(row.floors),
    waterfront: row.waterfront,
    viewRating: row.view_rating,
    conditionRating: row.condition_rating,
    grade: row.grade,
    sqftAbove: row.sqft_above,
    sqftBasement: row.sqft_basement,
    yearBuilt: row.year_built,
    yearRenovated: row.year_renovated,
    propertyType: row.property_type,
  };
}

export interface CandidateSale extends SoldProperty {
  address: string;
  city: string | null;
}

export function saleOfRow(row: CandidateRow): CandidateSale {
  return {
    ...attributesOfRow(row),
    id: row.id,
    address: row.address,
    city: row.city,
    closingPrice: Number(row.closing_price),
    closingDate: String(row.closing_date).slice(0, 10),
  };
}

export const PROPERTY_COLUMNS =
  sql.raw(`id, address, city, zip, latitude, longitude, sqft, lot_size, bedrooms,
  bathrooms::text as bathrooms, floors::text as floors, waterfront, view_rating, condition_rating, grade,
  sqft_above, sqft_basement, year_built, year_renovated, property_type, closing_price::text as closing_price,
  closing_date::text as closing_date`);

/**
 * The tenant's sales usable as comps for a subject at `center`: sold strictly before `asOfDate` and at most
 * `withinDays` earlier, with a price, inside the bounding box of `radiusKm`, nearest first (at most MAX_CANDIDATES).
 * `center` is SQL so the subject can be a CTE of the same statement.
 */
export function candidateSalesQuery(
  tenantId: string,
  center: { latitude: SQL; longitude: SQL; excludeId: SQL },
  radiusKm: number,
  withinDays: number,
  asOfDate: string,
): SQL {
  const latitudeDelta = radiusKm / 111.2;
  return sql`
    select ${PROPERTY_COLUMNS} from properties c
    where c.tenant_id = ${tenantId} and c.status = 'sold' and c.deleted_at is null
      and c.closing_price > 0 and c.id is distinct from ${center.excludeId}
      and c.closing_date < ${asOfDate}::date and c.closing_date >= ${asOfDate}::date - ${withinDays}::integer
      and c.latitude between ${center.latitude} - ${latitudeDelta} and ${center.latitude} + ${latitudeDelta}
      and c.longitude between ${center.longitude} - ${latitudeDelta} / greatest(0.01, cos(radians(${center.latitude})))
        and ${center.longitude} + ${latitudeDelta} / greatest(0.01, cos(radians(${center.latitude})))
    order by (c.latitude - ${center.latitude})^2
      + ((c.longitude - ${center.longitude}) * cos(radians(${center.latitude})))^2, c.id
    limit ${MAX_CANDIDATES}`;
}

/**
 * Subject row (if visible to the tenant) and its candidate sales, in one statement and one round trip. `extra`
 * adds rows of another query of the same tenant to that statement (the valuation's market points), given the
 * subject's zip column as SQL.
 */
export async function loadSubjectAndCandidates<Extra = never>(
  db: Database,
  tenantId: string,
  propertyId: string,
  radiusKm: number,
  withinDays: number,
  asOfDate: string,
  extra?: (subjectZip: SQL) => SQL,
): Promise<{ subject: CandidateRow; candidates: CandidateRow[]; extra: Extra[] }> {
  const candidates = candidateSalesQuery(
    tenantId,
    {
      latitude: sql`(select latitude from subject)`,
      longitude: sql`(select longitude from subject)`,
      excludeId: sql`(select id from subject)`,
    },
    radiusKm,
    withinDays,
    asOfDate,
  );
  const extraRows = extra
    ? sql`union all
      select 'extra', to_jsonb(extra) from (${extra(sql`(select zip from subject)`)}) extra
      where exists (select from subject)`
    : sql``;
  const [result] = await db.withTenant(tenantId, (tx) => [
    tx.execute<{ role: "subject" | "candidate" | "extra"; row: CandidateRow }>(sql`
      with subject as (
        select ${PROPERTY_COLUMNS} from properties
        where tenant_id = ${tenantId} and id = ${propertyId} and deleted_at is null
      ), candidates as (${candidates})
      select 'subject' as role, to_jsonb(subject) as row from subject
      union all
      select 'candidate', to_jsonb(candidates) from candidates where exists (select from subject)
      ${extraRows}`),
  ]);
  const subject = result.rows.find((row) => row.role === "subject")?.row;
  // Another tenant's property and a missing one answer identically.
  if (!subject) throw new ApiError("not_found", { detail: "No property with this id." });
  return {
    subject,
    candidates: result.rows.filter((row) => row.role === "candidate").map((row) => row.row),
    extra: result.rows.filter((row) => row.role === "extra").map((row) => row.row as unknown as Extra),
  };
}

export function compView(comp: Comp & { sale: CandidateSale }, zip: string | null): CompView {
  return {
    propertyId: comp.sale.id,
    address: comp.sale.address,
    city: comp.sale.city,
    zip,
    closingPrice: comp.sale.closingPrice,
    closingDate: comp.sale.closingDate,
    similarity: round(comp.similarity, 4),
    distanceKm: round(comp.distanceKm, 3),
    ageDays: comp.ageDays,
    adjustments: {
      time: round(comp.adjustments.time, 0),
      size: round(comp.adjustments.size, 0),
      rooms: round(comp.adjustments.rooms, 0),
      ageConditionGrade: round(comp.adjustments.ageConditionGrade, 0),
      viewWaterfront: round(comp.adjustments.viewWaterfront, 0),
      lot: round(comp.adjustments.lot, 0),
    },
    adjustedPrice: round(comp.adjustedPrice, 0),
    grossAdjustmentRatio: round(comp.grossAdjustmentRatio, 4),
    weight: round(comp.weight, 4),
    sqft: comp.sale.sqft,
    bedrooms: comp.sale.bedrooms,
    bathrooms: comp.sale.bathrooms,
    yearBuilt: comp.sale.yearBuilt,
    grade: comp.sale.grade,
  };
}

export function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

export function todayIsoDate(now = new Date()): string {
  return now.toISOString().slice(0, 10);
}

function isoDateDaysBefore(isoDate: string, days: number): string {
  return new Date(Date.parse(`${isoDate}T00:00:00Z`) - days * 86_400_000).toISOString().slice(0, 10);
}

/**
 * The subject and its candidates from the vector index: the MAX_CANDIDATES most similar of the tenant's sales
 * within the radius and window (one index query carrying the tenant, distance and sold-date filters), then their
 * rows, tenant-filtered again. Three round trips (subject, index, rows) against the SQL path's one.
 */
async function loadSubjectAndVectorCandidates(
  db: Database,
  index: VectorIndex,
  tenantId: string,
  propertyId: string,
  query: CompsQuery,
  asOfDate: string,
): Promise<{ subject: CandidateRow; candidates: CandidateRow[] }> {
  const [found] = await db.withTenant(tenantId, (tx) => [
    tx.execute<CandidateRow>(sql`select ${PROPERTY_COLUMNS} from properties
      where tenant_id = ${tenantId} and id = ${propertyId} and deleted_at is null`),
  ]);
  const subject = found.rows[0];
  if (!subject) throw new ApiError("not_found", { detail: "No property with this id." });
  if (subject.latitude === null || subject.longitude === null) return { subject, candidates: [] };
  const matches = await index.query(tenantId, propertyFeatures(attributesOfRow(subject)), {
    limit: MAX_CANDIDATES,
    filter: {
      near: { latitude: subject.latitude, longitude: subject.longitude, radiusKm: query.radiusKm },
      soldBetween: { from: isoDateDaysBefore(asOfDate, query.soldWithinDays), before: asOfDate },
    },
  });
  const ids = matches.map((match) => match.propertyId).filter((id) => id !== subject.id);
  if (ids.length === 0) return { subject, candidates: [] };
  const [rows] = await db.withTenant(tenantId, (tx) => [
    tx.execute<CandidateRow>(sql`select ${PROPERTY_COLUMNS} from properties c
      where c.tenant_id = ${tenantId} and c.id = any(${`{${ids.join(",")}}`}::uuid[])
        and c.status = 'sold' and c.deleted_at is null and c.closing_price > 0
        and c.closing_date < ${asOfDate}::date`),
  ]);
  return { subject, candidates: rows.rows };
}

/**
 * Comps for one of the tenant's properties; 404 when the id is unknown to the tenant. Candidates come from the SQL
 * bounding box, or from `index` when one is given (COMPS_CANDIDATES=vector).
 */
export async function findComps(
  db: Database,
  tenantId: string,
  propertyId: string,
  query: CompsQuery,
  now = new Date(),
  index?: VectorIndex,
): Promise<CompsResult> {
  const asOfDate = todayIsoDate(now);
  const { subject, candidates } = index
    ? await loadSubjectAndVectorCandidates(db, index, tenantId, propertyId, query, asOfDate)
    : await loadSubjectAndCandidates(
        db,
        tenantId,
        propertyId,
        query.radiusKm,
        query.soldWithinDays,
        asOfDate,
      );
  const subjectAttributes = attributesOfRow(subject);
  const sales = candidates.map(saleOfRow);
  const zipById = new Map(candidates.map((row) => [row.id, row.zip]));
  const selection = selectComps(subjectAttributes, sales, {
    asOfDate,
    maxDistanceKm: query.radiusKm,
    maxAgeDays: query.soldWithinDays,
    maxComps: query.limit,
  });
  // selectComps widens its limits when comps are scarce; the caller's radius and window are hard limits here.
  const comps = selection.comps.filter(
    (comp) => comp.distanceKm <= query.radiusKm && comp.ageDays <= query.soldWithinDays,
  ) as (Comp & { sale: CandidateSale })[];
  return {
    subject: {
      id: subject.id,
      address: subject.address,
      latitude: subject.latitude,
      longitude: subject.longitude,
    },
    asOfDate,
    comps: comps.map((comp) => compView(comp, zipById.get(comp.sale.id) ?? null)),
    estimate:
      comps.length === selection.comps.length && selection.estimate !== null
        ? round(selection.estimate, 0)
        : null,
  };
}
