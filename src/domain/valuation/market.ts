// Market movement after the training period (docs/valuation.md, "Market index"). The artifact's monthly index
// ends with its training data; after it, the market level is estimated from the tenant's own recent closed sales:
// each sale's hedonic residual (ln price minus the artifact's hedonic prediction without a month term) is a noisy
// reading of the market level on its closing day, and a robust local linear fit over a trailing window gives the
// level on the valuation day. The cron writes these levels per tenant and area (3-digit ZIP) into market_index;
// the valuation reads them and carries the movement since training into the comps' time adjustment and the
// model's market term. Pure code, shared by the Worker, the cron, training and the evaluator.
import { type PropertyAttributes, type SoldProperty, yearOfIsoDate } from "../features/index.ts";
import { daysBetween, isoDateToEpochDay } from "./geo.ts";

/** Hedonic regressors, in HedonicLevelModel.slopes order (see fitHedonic in train.ts). */
export const HEDONIC_SLOPE_NAMES = [
  "logSqft",
  "logLotSize",
  "bedrooms",
  "bathrooms",
  "floors",
  "waterfront",
  "view",
  "condition",
  "grade",
  "age",
  "ageSquared",
  "renovated",
] as const;

/** The hedonic regression without its month effects: ln price = intercept + Σ slope·(x − mean) + zip effect. */
export interface HedonicLevelModel {
  intercept: number;
  slopes: number[];
  means: number[];
}

/** How the market level after training is estimated, and its level at the end of training per area. */
export interface MarketSettings {
  /** Trailing window of closed sales, days. */
  windowDays: number;
  /** Fewer sales than this in the window: no estimate for the area (the tenant-wide one is used). */
  minSales: number;
  /** The same estimator on the training sales the day after training ended, per area and ALL_AREAS. */
  base: Record<string, number>;
}

/** The tenant-wide area (every sale, whatever its ZIP). */
export const ALL_AREAS = "*";

/** Market area of a ZIP: its 3-digit prefix (USPS sectional center), or null without a valid ZIP. */
export function marketAreaOf(zip: string | null): string | null {
  const match = zip === null ? null : /^\s*([0-9]{3})[0-9]{2}/.exec(zip);
  return match ? (match[1] ?? null) : null;
}

/** Raw hedonic regressors of a property sold (or valued) on `isoDate`; null where unknown. */
export function hedonicRegressors(p: PropertyAttributes, isoDate: string): (number | null)[] {
  const age = p.yearBuilt === null ? null : Math.max(0, yearOfIsoDate(isoDate) - p.yearBuilt) / 10;
  return [
    p.sqft !== null && p.sqft > 0 ? Math.log(p.sqft) : null,
    p.lotSize !== null && p.lotSize > 0 ? Math.log(p.lotSize) : null,
    p.bedrooms === null ? null : Math.min(p.bedrooms, 10),
    p.bathrooms,
    p.floors,
    p.waterfront === null ? null : Number(p.waterfront),
    p.viewRating,
    p.conditionRating,
    p.grade,
    age,
    age === null ? null : age * age,
    p.yearRenovated !== null ? 1 : 0,
  ];
}

/** ln price the hedonic model expects for `p` on `isoDate`, before any market level. */
export function hedonicLogPrice(
  hedonic: HedonicLevelModel,
  zipEffects: Record<string, number>,
  p: PropertyAttributes,
  isoDate: string,
): number {
  let value = hedonic.intercept + (p.zip !== null ? (zipEffects[p.zip] ?? 0) : 0);
  hedonicRegressors(p, isoDate).forEach((x, j) => {
    if (x !== null && Number.isFinite(x)) value += (hedonic.slopes[j] ?? 0) * (x - (hedonic.means[j] ?? 0));
  });
  return value;
}

/** One sale as a reading of the market level on its closing day. */
export interface MarketObservation {
  day: number;
  area: string | null;
  residual: number;
}

export function marketObservation(
  hedonic: HedonicLevelModel,
  zipEffects: Record<string, number>,
  sale: SoldProperty,
): MarketObservation | null {
  if (!(sale.closingPrice > 0)) return null;
  const date = sale.closingDate.slice(0, 10);
  return {
    day: isoDateToEpochDay(date),
    area: marketAreaOf(sale.zip),
    residual: Math.log(sale.closingPrice) - hedonicLogPrice(hedonic, zipEffects, sale, date),
  };
}

/** Residuals further than this from the window's median are left out (outliers, data errors). */
const OUTLIER_LOG_DISTANCE = 0.6;
/** The trend inside one window is capped at ±4.5% a month: a steeper one is noise, not a market. */
const MAX_SLOPE_PER_DAY = 0.0015;
/**
 * Share of the window's trend carried to its end. 1 is the plain local linear fit (no lag, noisiest), 0 the
 * window's trimmed mean (lags half a window behind a moving market). Half, chosen on Jun-Nov 2014 (docs/valuation.md).
 */
const SLOPE_SHARE = 0.5;

export interface MarketLevel {
  level: number;
  sales: number;
}

/**
 * Market level on `asOfDay` from the observations in [asOfDay − windowDays, asOfDay): the median-trimmed
 * observations' mean, moved toward `asOfDay` along SLOPE_SHARE of their least-squares trend (a shrunk local linear
 * fit: less lag behind a moving market than a trailing mean, less noise than the full trend). Null with fewer than
 * `minSales` observations.
 */
export function localMarketLevel(
  observations: readonly MarketObservation[],
  asOfDay: number,
  windowDays: number,
  minSales: number,
): MarketLevel | null {
  const inWindow = observations.filter((o) => o.day < asOfDay && o.day >= asOfDay - windowDays);
  if (inWindow.length < Math.max(2, minSales)) return null;
  const sorted = inWindow.map((o) => o.residual).sort((a, b) => a - b);
  const median = sorted[sorted.length >> 1] ?? 0;
  const kept = inWindow.filter((o) => Math.abs(o.residual - median) <= OUTLIER_LOG_DISTANCE);
  const n = kept.length;
  const meanDay = kept.reduce((sum, o) => sum + o.day, 0) / n;
  const meanResidual = kept.reduce((sum, o) => sum + o.residual, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (const o of kept) {
    sxy += (o.day - meanDay) * (o.residual - meanResidual);
    sxx += (o.day - meanDay) ** 2;
  }
  const slope = sxx > 0 ? Math.max(-MAX_SLOPE_PER_DAY, Math.min(MAX_SLOPE_PER_DAY, sxy / sxx)) : 0;
  return { level: meanResidual + SLOPE_SHARE * slope * (asOfDay - meanDay), sales: n };
}

/** Market levels of every area with enough sales (and ALL_AREAS) on `asOfDay`. */
export function marketLevelsByArea(
  observations: readonly MarketObservation[],
  asOfDay: number,
  windowDays: number,
  minSales: number,
): Map<string, MarketLevel> {
  const byArea = new Map<string, MarketObservation[]>();
  const inWindow = observations.filter((o) => o.day < asOfDay && o.day >= asOfDay - windowDays);
  for (const o of inWindow) {
    if (o.area === null) continue;
    const list = byArea.get(o.area);
    if (list) list.push(o);
    else byArea.set(o.area, [o]);
  }
  const levels = new Map<string, MarketLevel>();
  const all = localMarketLevel(inWindow, asOfDay, windowDays, minSales);
  if (all) levels.set(ALL_AREAS, all);
  for (const [area, list] of [...byArea.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const level = localMarketLevel(list, asOfDay, windowDays, minSales);
    if (level) levels.set(area, level);
  }
  return levels;
}

/** A stored market level: the estimate on `asOf` from the sales closed before it (market_index rows). */
export interface MarketPoint {
  asOf: string;
  level: number;
}

/** The market a valuation sees: its area's points after training, ascending by date, and that area's base. */
export interface MarketView {
  area: string;
  points: MarketPoint[];
}

/**
 * Movement of the market since the end of training, in ln price, on `isoDate`: the area's level there (linear
 * between points; the last point after the last one) minus its level when training ended. 0 on or before the
 * end of training or without points (then the market is only known through the training index).
 */
export function marketDrift(
  settings: MarketSettings | undefined,
  trainingTo: string,
  view: MarketView | undefined,
  isoDate: string,
): number {
  if (!settings || !view || view.points.length === 0) return 0;
  const date = isoDate.slice(0, 10);
  if (date <= trainingTo) return 0;
  const base = settings.base[view.area] ?? settings.base[ALL_AREAS] ?? 0;
  const day = isoDateToEpochDay(date);
  const points = view.points;
  const pointDays = epochDaysOf(points);
  let previousDay = isoDateToEpochDay(trainingTo) + 1;
  let previousLevel = base;
  for (let i = 0; i < points.length; i++) {
    const pointDay = pointDays[i] ?? 0;
    const pointLevel = points[i]?.level ?? 0;
    if (pointDay <= previousDay) continue;
    if (day <= pointDay) {
      const t = (day - previousDay) / (pointDay - previousDay);
      return previousLevel + Math.max(0, t) * (pointLevel - previousLevel) - base;
    }
    previousDay = pointDay;
    previousLevel = pointLevel;
  }
  return previousLevel - base;
}

/** Epoch days of a view's points, parsed once per points array (a valuation asks for many dates). */
const pointDaysCache = new WeakMap<readonly MarketPoint[], Float64Array>();
function epochDaysOf(points: readonly MarketPoint[]): Float64Array {
  let days = pointDaysCache.get(points);
  if (!days || days.length !== points.length) {
    days = Float64Array.from(points, (point) => isoDateToEpochDay(point.asOf));
    pointDaysCache.set(points, days);
  }
  return days;
}

/** Days from the last market information (end of training or the latest point) to `isoDate`; 0 if none missing. */
export function marketStalenessDays(
  trainingTo: string,
  view: MarketView | undefined,
  isoDate: string,
): number {
  const last = view?.points[view.points.length - 1]?.asOf ?? trainingTo;
  const latest = last > trainingTo ? last : trainingTo;
  return Math.max(0, daysBetween(latest, isoDate.slice(0, 10)) - 1);
}

export function isoDateOfEpochDay(day: number): string {
  return new Date(day * 86_400_000).toISOString().slice(0, 10);
}

/** Market points reach this far back: the oldest comp a valuation may use (valueProperty widens to ~825 days). */
export const MARKET_HISTORY_DAYS = 830;

/**
 * The dates a market series keeps a point for on `asOfDate`: every Sunday after the end of training and within
 * MARKET_HISTORY_DAYS, and `asOfDate` itself. The cron writes exactly these; the evaluator reads exactly these.
 */
export function marketPointDates(trainingTo: string, asOfDate: string): string[] {
  const asOfDay = isoDateToEpochDay(asOfDate);
  const first = Math.max(isoDateToEpochDay(trainingTo) + 1, asOfDay - MARKET_HISTORY_DAYS);
  const dates: string[] = [];
  // Epoch day 3 (1970-01-04) was a Sunday.
  for (let day = first + ((((3 - first) % 7) + 7) % 7); day < asOfDay; day += 7) {
    dates.push(isoDateOfEpochDay(day));
  }
  if (asOfDay >= first) dates.push(asOfDate.slice(0, 10));
  return dates;
}

/**
 * The series a subject's valuation uses: its area's, when that area has a point on the latest date the tenant-wide
 * series has one (enough recent sales there), else the tenant-wide one. Undefined without any point.
 */
export function chooseMarketView(
  settings: MarketSettings,
  pointsByArea: ReadonlyMap<string, MarketPoint[]>,
  area: string | null,
): MarketView | undefined {
  const all = pointsByArea.get(ALL_AREAS) ?? [];
  const latest = all[all.length - 1]?.asOf;
  if (latest === undefined) return undefined;
  // An area without a level at the end of training has nothing its movement could be measured from.
  const own = area === null || settings.base[area] === undefined ? undefined : pointsByArea.get(area);
  if (own && own[own.length - 1]?.asOf === latest) return { area: area as string, points: own };
  return { area: ALL_AREAS, points: all };
}

interface TimelineModel {
  hedonic: HedonicLevelModel;
  zipEffects: Record<string, number>;
  market: MarketSettings;
  training: { to: string };
}

/**
 * Market points as a daily cron would have written them, for backtests: the level of each area on each point date
 * from the sales closed strictly before that date.
 */
export class MarketTimeline {
  private readonly observations: MarketObservation[];
  private readonly levels = new Map<string, Map<string, MarketLevel>>();
  private readonly model: TimelineModel;

  constructor(model: TimelineModel, sales: readonly SoldProperty[]) {
    this.model = model;
    this.observations = sales.flatMap((sale) => {
      const o = marketObservation(model.hedonic, model.zipEffects, sale);
      return o ? [o] : [];
    });
  }

  private levelsOn(date: string): Map<string, MarketLevel> {
    let levels = this.levels.get(date);
    if (!levels) {
      const { windowDays, minSales } = this.model.market;
      levels = marketLevelsByArea(this.observations, isoDateToEpochDay(date), windowDays, minSales);
      this.levels.set(date, levels);
    }
    return levels;
  }

  /** The view a valuation of a subject in `zip` on `asOfDate` reads. */
  view(zip: string | null, asOfDate: string): MarketView | undefined {
    const byArea = new Map<string, MarketPoint[]>();
    for (const date of marketPointDates(this.model.training.to, asOfDate)) {
      for (const [area, level] of this.levelsOn(date)) {
        const list = byArea.get(area) ?? [];
        list.push({ asOf: date, level: level.level });
        byArea.set(area, list);
      }
    }
    return chooseMarketView(this.model.market, byArea, marketAreaOf(zip));
  }
}

/** MarketSettings of a model whose hedonic part is fitted: the level of each area the day after training. */
export function marketSettingsOf(
  model: { hedonic: HedonicLevelModel; zipEffects: Record<string, number> },
  trainingSales: readonly SoldProperty[],
  trainingTo: string,
  windowDays: number,
  minSales: number,
): MarketSettings {
  const observations = trainingSales.flatMap((sale) => {
    const o = marketObservation(model.hedonic, model.zipEffects, sale);
    return o ? [o] : [];
  });
  const levels = marketLevelsByArea(observations, isoDateToEpochDay(trainingTo) + 1, windowDays, minSales);
  const base: Record<string, number> = {};
  for (const [area, level] of levels) base[area] = Number(level.level.toFixed(5));
  return { windowDays, minSales, base };
}
