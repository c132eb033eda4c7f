// Automated valuation of a stored property or an ad-hoc subject with the bundled AVM (domain/valuation
// valueProperty). Each served valuation is logged in valuation_log (for `npm run avm:monitor`) and leaves an
// Analytics Engine data point. The log row is written after the response (the caller's `afterResponse`, i.e.
// waitUntil), so a valuation costs the client one database round trip, the read.
import { type SQL, sql } from "drizzle-orm";
import type { Database } from "../db/client.ts";
import type { PropertyAttributes } from "../domain/features/index.ts";
import {
  type AvmModel,
  type Comp,
  coverageOf,
  type MarketView,
  valueProperty,
} from "../domain/valuation/index.ts";
import { ApiError } from "../errors.ts";
import {
  attributesOfRow,
  type CandidateRow,
  type CandidateSale,
  type CompView,
  candidateSalesQuery,
  compView,
  loadSubjectAndCandidates,
  round,
  saleOfRow,
  todayIsoDate,
} from "./comps.ts";
import { type MarketPointRow, marketPointsQuery, marketViewOfRows, sqlMarketAreaOf } from "./market-index.ts";

/**
 * Candidate sales for a valuation: what valueProperty can use at most (selectComps widens 1.5 km twice to 6 km and
 * 365 days twice to ~820 days; the residual kernel reaches less far).
 */
export const VALUATION_RADIUS_KM = 6;
export const VALUATION_WINDOW_DAYS = 825;

export interface ValuationResult {
  propertyId: string | null;
  asOfDate: string;
  estimate: number;
  low: number;
  high: number;
  fsd: number;
  confidence: number;
  confidenceBand: "high" | "medium" | "low";
  modelVersion: string;
  method: string;
  compsUsed: number;
  missingAttributes: string[];
  comps: CompView[];
}

function resultOf(
  propertyId: string | null,
  asOfDate: string,
  valuation: ReturnType<typeof valueProperty>,
  zipById: Map<string, string | null>,
): ValuationResult {
  return {
    propertyId,
    asOfDate,
    estimate: round(valuation.estimate, 0),
    low: round(valuation.low, 0),
    high: round(valuation.high, 0),
    fsd: round(valuation.fsd, 4),
    confidence: round(valuation.confidence, 4),
    confidenceBand: valuation.confidenceBand,
    modelVersion: valuation.modelVersion,
    method: valuation.method,
    compsUsed: valuation.compsUsed,
    missingAttributes: valuation.missingAttributes,
    comps: valuation.comps.map((comp) =>
      compView(comp as Comp & { sale: CandidateSale }, zipById.get(comp.sale.id) ?? null),
    ),
  };
}

function valuationLogInsert(tenantId: string, result: ValuationResult, subject: PropertyAttributes): SQL {
  return sql`insert into valuation_log (tenant_id, property_id, model_version, estimate, fsd, subject_features)
    values (${tenantId}, ${result.propertyId}, ${result.modelVersion}, ${result.estimate}, ${result.fsd},
      ${JSON.stringify(subject)}::jsonb)`;
}

/** Takes work that must finish but need not delay the response (a Worker's `ctx.waitUntil`). */
export type AfterResponse = (work: () => Promise<unknown>) => void;

function logValuation(
  db: Database,
  tenantId: string,
  result: ValuationResult,
  subject: PropertyAttributes,
  afterResponse: AfterResponse,
): void {
  afterResponse(() =>
    db.withTenant(tenantId, (tx) => [tx.execute(valuationLogInsert(tenantId, result, subject))]),
  );
}

/** 422 outside_model_area for a subject the model was not trained near (domain/valuation/coverage.ts). */
function requireCoverage(model: AvmModel, subject: PropertyAttributes): void {
  const verdict = coverageOf(model.coverage, subject);
  if (!verdict.inside) throw new ApiError("outside_model_area", { detail: verdict.reason });
}

function value(
  subject: PropertyAttributes,
  candidates: CandidateRow[],
  model: AvmModel,
  asOfDate: string,
  propertyId: string | null,
  market: MarketView | undefined,
): ValuationResult {
  const sales = candidates.map(saleOfRow);
  const zipById = new Map(candidates.map((row) => [row.id, row.zip]));
  return resultOf(propertyId, asOfDate, valueProperty(subject, sales, model, asOfDate, market), zipById);
}

/** Values one of the tenant's properties today; 404 when the id is unknown to the tenant. */
export async function valueStoredProperty(
  db: Database,
  tenantId: string,
  propertyId: string,
  model: AvmModel,
  afterResponse: AfterResponse,
  now = new Date(),
): Promise<ValuationResult> {
  const asOfDate = todayIsoDate(now);
  const { subject, candidates, extra } = await loadSubjectAndCandidates<MarketPointRow>(
    db,
    tenantId,
    propertyId,
    VALUATION_RADIUS_KM,
    VALUATION_WINDOW_DAYS,
    asOfDate,
    (zip) => marketPointsQuery(tenantId, model, sqlMarketAreaOf(zip), asOfDate),
  );
  const attributes = attributesOfRow(subject);
  requireCoverage(model, attributes);
  const market = marketViewOfRows(model, extra, attributes.zip);
  const result = value(attributes, candidates, model, asOfDate, subject.id, market);
  logValuation(db, tenantId, result, attributes, afterResponse);
  return result;
}

/** Values a subject described in the request (not stored) against the tenant's sales. */
export async function valueAdHocSubject(
  db: Database,
  tenantId: string,
  subject: PropertyAttributes,
  model: AvmModel,
  afterResponse: AfterResponse,
  now = new Date(),
): Promise<ValuationResult> {
  const asOfDate = todayIsoDate(now);
  requireCoverage(model, subject);
  // Without a location the candidate query's bounds are null and it answers no rows.
  const candidates = candidateSalesQuery(
    tenantId,
    {
      latitude: sql`${subject.latitude}::float8`,
      longitude: sql`${subject.longitude}::float8`,
      excludeId: sql`null::uuid`,
    },
    VALUATION_RADIUS_KM,
    VALUATION_WINDOW_DAYS,
    asOfDate,
  );
  // One transaction, one round trip: the candidates and the market points.
  const [rows, market] = await db.withTenant(tenantId, (tx) => [
    tx.execute<CandidateRow>(candidates),
    tx.execute<MarketPointRow>(
      marketPointsQuery(tenantId, model, sqlMarketAreaOf(sql`${subject.zip}::text`), asOfDate),
    ),
  ]);
  const result = value(
    subject,
    rows.rows,
    model,
    asOfDate,
    null,
    marketViewOfRows(model, market.rows, subject.zip),
  );
  logValuation(db, tenantId, result, subject, afterResponse);
  return result;
}
