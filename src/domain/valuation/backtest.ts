import {
  cosineSimilarity,
  type PropertyAttributes,
  propertyFeatures,
  type SoldProperty,
} from "../features/index.ts";
import { haversineKm } from "./geo.ts";
import { MarketTimeline } from "./market.ts";
import type { AvmModel } from "./model.ts";
import { type Valuation, valueProperty } from "./value.ts";

export interface BacktestRecord {
  sale: SoldProperty;
  /** Null when the AVM declined to value the sale. */
  valuation: Valuation | null;
}

export interface AccuracyMetrics {
  count: number;
  valued: number;
  hitRate: number;
  /** Median absolute percentage error |estimate - price| / price. */
  mdape: number;
  /** Share of valued sales with absolute percentage error <= 10%. */
  ppe10: number;
  ppe20: number;
  /** Share of valued sales whose price lies within estimate·(1 ± FSD); ~0.68 for an honest FSD. */
  fsdCoverage: number;
  medianFsd: number;
}

function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

export function accuracyMetrics(
  results: readonly { price: number; estimate: number | null; fsd: number | null }[],
): AccuracyMetrics {
  const errors: number[] = [];
  const fsds: number[] = [];
  let within10 = 0;
  let within20 = 0;
  let covered = 0;
  for (const result of results) {
    if (result.estimate === null) continue;
    const error = Math.abs(result.estimate - result.price) / result.price;
    errors.push(error);
    if (error <= 0.1) within10++;
    if (error <= 0.2) within20++;
    if (result.fsd !== null) {
      fsds.push(result.fsd);
      if (Math.abs(result.price - result.estimate) <= result.fsd * result.estimate) covered++;
    }
  }
  const valued = errors.length;
  return {
    count: results.length,
    valued,
    hitRate: results.length > 0 ? valued / results.length : 0,
    mdape: median(errors),
    ppe10: valued > 0 ? within10 / valued : 0,
    ppe20: valued > 0 ? within20 / valued : 0,
    fsdCoverage: fsds.length > 0 ? covered / fsds.length : 0,
    medianFsd: median(fsds),
  };
}

/**
 * Spatial index over sales standing in for the endpoint's Postgres candidate query ("sales within
 * radius, closed before the valuation date").
 */
export class SalesIndex {
  private readonly cells = new Map<string, SoldProperty[]>();
  private readonly cellDegrees: number;

  constructor(sales: readonly SoldProperty[], cellDegrees = 0.02) {
    this.cellDegrees = cellDegrees;
    for (const sale of sales) this.add(sale);
  }

  private key(latitudeCell: number, longitudeCell: number): string {
    return `${latitudeCell}:${longitudeCell}`;
  }

  add(sale: SoldProperty): void {
    if (sale.latitude === null || sale.longitude === null) return;
    const key = this.key(
      Math.floor(sale.latitude / this.cellDegrees),
      Math.floor(sale.longitude / this.cellDegrees),
    );
    const cell = this.cells.get(key);
    if (cell) cell.push(sale);
    else this.cells.set(key, [sale]);
  }

  /** Sales within `radiusKm` that closed strictly before `beforeDate`, nearest first, at most `limit`. */
  candidates(
    latitude: number,
    longitude: number,
    beforeDate: string,
    radiusKm: number,
    limit: number,
  ): SoldProperty[] {
    const latitudeSpan = Math.ceil(radiusKm / 111 / this.cellDegrees);
    const longitudeSpan = Math.ceil(
      radiusKm / (111 * Math.cos((latitude * Math.PI) / 180)) / this.cellDegrees,
    );
    const centreLatitude = Math.floor(latitude / this.cellDegrees);
    const centreLongitude = Math.floor(longitude / this.cellDegrees);
    const found: { sale: SoldProperty; distanceKm: number }[] = [];
    for (let i = -latitudeSpan; i <= latitudeSpan; i++) {
      for (let j = -longitudeSpan; j <= longitudeSpan; j++) {
        const cell = this.cells.get(this.key(centreLatitude + i, centreLongitude + j));
        if (!cell) continue;
        for (const sale of cell) {
          if (sale.closingDate >= beforeDate || sale.latitude === null || sale.longitude === null) continue;
          const distanceKm = haversineKm(latitude, longitude, sale.latitude, sale.longitude);
          if (distanceKm <= radiusKm) found.push({ sale, distanceKm });
        }
      }
    }
    found.sort((a, b) => a.distanceKm - b.distanceKm || (a.sale.id < b.sale.id ? -1 : 1));
    return found.slice(0, limit).map((entry) => entry.sale);
  }
}

/** The subject as the endpoint sees it: attributes only, so its own price cannot leak in. */
export function attributesOf(sale: SoldProperty): PropertyAttributes {
  return {
    latitude: sale.latitude,
    longitude: sale.longitude,
    zip: sale.zip,
    sqft: sale.sqft,
    lotSize: sale.lotSize,
    bedrooms: sale.bedrooms,
    bathrooms: sale.bathrooms,
    floors: sale.floors,
    waterfront: sale.waterfront,
    viewRating: sale.viewRating,
    conditionRating: sale.conditionRating,
    grade: sale.grade,
    sqftAbove: sale.sqftAbove,
    sqftBasement: sale.sqftBasement,
    yearBuilt: sale.yearBuilt,
    yearRenovated: sale.yearRenovated,
    propertyType: sale.propertyType,
  };
}

export interface BacktestOptions {
  /** Candidate query radius, km (the endpoint's default). */
  candidateRadiusKm?: number;
  candidateLimit?: number;
  /**
   * Which candidates within the radius are kept: the nearest (the SQL path) or the most similar by the cosine of
   * the feature vectors (what the vector index answers; exact here, so an upper bound for an HNSW index).
   */
  candidateOrder?: "nearest" | "similar";
}

export const DEFAULT_CANDIDATE_RADIUS_KM = 5;
export const DEFAULT_CANDIDATE_LIMIT = 200;

/** For each subject, the candidates the endpoint would fetch: sales nearby, closed strictly before it. */
export function candidatesAsOf(
  history: readonly SoldProperty[],
  subjects: readonly SoldProperty[],
  options: BacktestOptions = {},
): SoldProperty[][] {
  const index = new SalesIndex([...history, ...subjects]);
  const radiusKm = options.candidateRadiusKm ?? DEFAULT_CANDIDATE_RADIUS_KM;
  const limit = options.candidateLimit ?? DEFAULT_CANDIDATE_LIMIT;
  if (options.candidateOrder === "similar") {
    const vectors = new Map<SoldProperty, number[]>();
    const vectorOf = (sale: SoldProperty) => {
      let vector = vectors.get(sale);
      if (!vector) {
        vector = propertyFeatures(sale);
        vectors.set(sale, vector);
      }
      return vector;
    };
    return subjects.map((sale) => {
      if (sale.latitude === null || sale.longitude === null) return [];
      const subjectVector = propertyFeatures(attributesOf(sale));
      const within = index.candidates(sale.latitude, sale.longitude, sale.closingDate, radiusKm, 100_000);
      return within
        .map((candidate) => ({ candidate, score: cosineSimilarity(subjectVector, vectorOf(candidate)) }))
        .sort((a, b) => b.score - a.score || (a.candidate.id < b.candidate.id ? -1 : 1))
        .slice(0, limit)
        .map((entry) => entry.candidate);
    });
  }
  return subjects.map((sale) =>
    sale.latitude !== null && sale.longitude !== null
      ? index.candidates(sale.latitude, sale.longitude, sale.closingDate, radiusKm, limit)
      : [],
  );
}

/**
 * Values every sale in `subjects` as of its own closing date, using as candidates only sales
 * (from `history` and `subjects`) that closed strictly before it, and the given model.
 */
export function backtest(
  history: readonly SoldProperty[],
  subjects: readonly SoldProperty[],
  model: AvmModel,
  options: BacktestOptions = {},
): BacktestRecord[] {
  const candidateLists = candidatesAsOf(history, subjects, options);
  const timeline = marketTimelineOf(model, [...history, ...subjects]);
  return subjects.map((sale, i) => {
    const subject = attributesOf(sale);
    const candidates = candidateLists[i] ?? [];
    const market = timeline?.view(sale.zip, sale.closingDate);
    const valuation = valueProperty(subject, candidates, model, sale.closingDate, market);
    return { sale, valuation };
  });
}

/** The market series the cron would have written from `sales` (undefined for an artifact without market settings). */
export function marketTimelineOf(
  model: AvmModel,
  sales: readonly SoldProperty[],
): MarketTimeline | undefined {
  return model.market && model.hedonic ? new MarketTimeline(model, sales) : undefined;
}
