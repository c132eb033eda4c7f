import {
  FEATURE_VERSION,
  MODEL_FEATURE_NAMES,
  modelFeatures,
  type PropertyAttributes,
  type SoldProperty,
} from "../features/index.ts";
import {
  accuracyMetrics,
  attributesOf,
  type BacktestRecord,
  backtest,
  candidatesAsOf,
  marketTimelineOf,
} from "./backtest.ts";
import { selectComps } from "./comps.ts";
import { buildCoverage } from "./coverage.ts";
import {
  averageGbts,
  compactGbt,
  DEFAULT_GBT_OPTIONS,
  type GbtModel,
  type GbtOptions,
  predictGbt,
  seededRandom,
  trainGbt,
} from "./gbt.ts";
import { monthOf } from "./geo.ts";
import { ridgeRegression } from "./linear.ts";
import {
  HEDONIC_SLOPE_NAMES,
  type HedonicLevelModel,
  hedonicRegressors,
  marketSettingsOf,
} from "./market.ts";
import {
  type AdjustmentRates,
  type AvmModel,
  type FsdCalibration,
  type MarketIndex,
  marketLogLevel,
} from "./model.ts";
import { blendEstimates, fsdDesign, summarizeNeighbourhood, valueProperty } from "./value.ts";

export interface AvmTrainingOptions {
  modelVersion: string;
  gbt: GbtOptions;
  /** One GBT per seed, averaged (variance reduction). */
  ensembleSeeds: number[];
  /** First month (YYYY-MM) of the internal validation slice; default: the last two months of the data. */
  validationFromMonth?: string;
  /**
   * Tree settings tried on the validation slice (each over `gbt`); the lowest MdAPE of the trees' estimates there
   * wins and is what the final refit uses. One entry (or none) = no choice.
   */
  gbtCandidates?: Partial<GbtOptions>[];
  /** Comps blend weights tried on the validation slice; the lowest MdAPE wins. */
  compsBlendWeights: number[];
  log?: (message: string) => void;
  /** Fixed timestamp for the artifact (keeps the JSON byte-identical across runs when set). */
  createdAt?: string;
  /** Market level after training (market.ts): trailing window and minimum sales per area. */
  market: { windowDays: number; minSales: number };
}

export const DEFAULT_TRAINING_OPTIONS: AvmTrainingOptions = {
  modelVersion: "avm-v2",
  gbt: {
    ...DEFAULT_GBT_OPTIONS,
    trees: 1000,
    learningRate: 0.03,
    maxDepth: 6,
    minSamplesLeaf: 20,
    featureFraction: 0.5,
    bins: 255,
  },
  ensembleSeeds: [42],
  // No choice of tree settings by default: the candidates below, chosen time-forward, helped Dec-Jan and hurt
  // January's MdAPE (docs/valuation.md, "Tree settings chosen time-forward").
  gbtCandidates: [{}],
  compsBlendWeights: [0, 0.1, 0.2, 0.3, 0.4, 0.5],
  market: { windowDays: 60, minSales: 150 },
};

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1] ?? 0;
}

interface Hedonic {
  hedonic: HedonicLevelModel;
  marketIndex: MarketIndex;
  zipEffects: Record<string, number>;
  adjustmentRates: AdjustmentRates;
}

/**
 * Log-linear hedonic regression with month and ZIP fixed effects. Its month effects are the market
 * index, its ZIP effects a location feature for the trees, its slopes the comps adjustment rates.
 */
export function fitHedonic(sales: readonly SoldProperty[]): Hedonic {
  const months = [...new Set(sales.map((sale) => monthOf(sale.closingDate)))].sort();
  const zips = [...new Set(sales.map((sale) => sale.zip ?? "").filter((zip) => zip !== ""))].sort();
  const slopeNames: readonly string[] = HEDONIC_SLOPE_NAMES;
  const slopeCount = slopeNames.length + 1;
  const rows: number[][] = [];
  const targets: number[] = [];
  const rawSlopes = sales.map((sale) => hedonicRegressors(sale, sale.closingDate));
  const slopeMeans = slopeNames.map((_, j) => {
    const values = rawSlopes.map((row) => row[j]).filter((v): v is number => v !== null && v !== undefined);
    return values.reduce((sum, v) => sum + v, 0) / Math.max(1, values.length);
  });
  sales.forEach((sale, i) => {
    const slopes = (rawSlopes[i] ?? []).map(
      (value, j) => (value ?? slopeMeans[j] ?? 0) - (slopeMeans[j] ?? 0),
    );
    const monthDummies = months.slice(1).map((month) => (monthOf(sale.closingDate) === month ? 1 : 0));
    const zipDummies = zips.map((zip) => (sale.zip === zip ? 1 : 0));
    rows.push([1, ...slopes, ...monthDummies, ...zipDummies]);
    targets.push(Math.log(sale.closingPrice));
  });
  const unpenalized = new Set(Array.from({ length: slopeCount }, (_, i) => i));
  const coefficients = ridgeRegression(rows, targets, 2, unpenalized);
  const slope = (name: string) => coefficients[1 + slopeNames.indexOf(name)] ?? 0;
  const monthLevels = [0, ...months.slice(1).map((_, i) => coefficients[slopeCount + i] ?? 0)];
  const zipStart = slopeCount + months.length - 1;
  const zipCoefficients = zips.map((_, i) => coefficients[zipStart + i] ?? 0);
  const zipMean = zipCoefficients.reduce((sum, v) => sum + v, 0) / Math.max(1, zipCoefficients.length);
  const zipEffects: Record<string, number> = {};
  zips.forEach((zip, i) => {
    zipEffects[zip] = Number(((zipCoefficients[i] ?? 0) - zipMean).toFixed(5));
  });
  const meanAgeDecades = slopeMeans[slopeNames.indexOf("age")] ?? 4;
  const marginalPerDecade = slope("age") + 2 * slope("ageSquared") * meanAgeDecades;
  return {
    hedonic: {
      intercept: Number(((coefficients[0] ?? 0) + zipMean).toFixed(6)),
      slopes: slopeNames.map((_, j) => Number((coefficients[1 + j] ?? 0).toFixed(6))),
      means: slopeMeans.map((mean) => Number(mean.toFixed(6))),
    },
    marketIndex: { months, logLevel: monthLevels.map((level) => Number(level.toFixed(5))) },
    zipEffects,
    adjustmentRates: {
      logSqft: slope("logSqft"),
      logLotSize: slope("logLotSize"),
      bedrooms: slope("bedrooms"),
      bathrooms: slope("bathrooms"),
      floors: slope("floors"),
      ageYears: -marginalPerDecade / 10,
      condition: slope("condition"),
      grade: slope("grade"),
      view: slope("view"),
      waterfront: slope("waterfront"),
    },
  };
}

const PLACEHOLDER_FSD: FsdCalibration = { coefficients: [Math.log(0.12)], scale: 1, min: 0.03, max: 0.6 };

/**
 * Model inputs of `subjects`, each as of its closing date with the neighbourhood summary built from
 * sales strictly before it (history + earlier subjects): exactly what valueProperty sees later.
 */
export function featureRows(
  history: readonly SoldProperty[],
  subjects: readonly SoldProperty[],
  partialModel: AvmModel,
): number[][] {
  const candidateLists = candidatesAsOf(history, subjects);
  return subjects.map((sale, i) => {
    const subject = attributesOf(sale);
    const candidates = candidateLists[i] ?? [];
    const selection = selectComps(subject, candidates, {
      asOfDate: sale.closingDate,
      adjustmentRates: partialModel.adjustmentRates,
      marketIndex: partialModel.marketIndex,
    });
    const neighbourhood = summarizeNeighbourhood(
      subject,
      candidates,
      partialModel,
      sale.closingDate,
      selection,
    );
    return modelFeatures(subject, {
      asOfDate: sale.closingDate,
      zipEffects: partialModel.zipEffects,
      imputation: partialModel.imputation,
      neighbourhood,
    }).values;
  });
}

/** MdAPE of exp(prediction) against exp(target) after removing the median log error (logShift does that later). */
function shiftedMdape(predictions: readonly number[], targets: readonly number[]): number {
  const shift = median(targets.map((target, i) => target - (predictions[i] ?? 0)));
  return median(targets.map((target, i) => Math.abs(Math.exp(target - (predictions[i] ?? 0) - shift) - 1)));
}

/**
 * Hedonic components + trees fitted on `sales` (the blend and FSD are set afterwards). With `validation` and
 * several options.gbtCandidates, each candidate's trees are fitted and the one whose estimates have the lowest
 * MdAPE on the validation sales is kept (`chosen`).
 */
function fitModel(
  sales: readonly SoldProperty[],
  options: AvmTrainingOptions,
  validation?: readonly SoldProperty[],
): { model: AvmModel; chosen: GbtOptions } {
  const log = options.log ?? (() => {});
  const hedonic = fitHedonic(sales);
  const dates = sales.map((sale) => sale.closingDate).sort();
  const model: AvmModel = {
    modelVersion: options.modelVersion,
    featureVersion: FEATURE_VERSION,
    createdAt: options.createdAt ?? new Date().toISOString(),
    training: {
      from: dates[0] ?? "",
      to: dates[dates.length - 1] ?? "",
      sales: sales.length,
      seeds: options.ensembleSeeds,
    },
    validation: {
      from: "",
      to: "",
      count: 0,
      mdape: Number.NaN,
      ppe10: Number.NaN,
      ppe20: Number.NaN,
      hitRate: Number.NaN,
      fsdCoverage: Number.NaN,
      gbtOnlyMdape: Number.NaN,
    },
    featureNames: [...MODEL_FEATURE_NAMES],
    // NaN marks unknown values so the imputation medians are taken over known values only.
    imputation: MODEL_FEATURE_NAMES.map(() => Number.NaN),
    zipEffects: hedonic.zipEffects,
    marketIndex: hedonic.marketIndex,
    adjustmentRates: hedonic.adjustmentRates,
    compsBlendWeight: 0,
    logShift: 0,
    fsd: PLACEHOLDER_FSD,
    gbt: { baseScore: 0, trees: [] },
    hedonic: hedonic.hedonic,
    market: { ...options.market, base: {} },
    coverage: buildCoverage(sales),
  };
  model.market = marketSettingsOf(
    model,
    sales,
    model.training.to,
    options.market.windowDays,
    options.market.minSales,
  );
  const medians = (rows: number[][]) =>
    MODEL_FEATURE_NAMES.map((_, j) =>
      Number(median(rows.map((row) => row[j] ?? Number.NaN).filter(Number.isFinite)).toFixed(5)),
    );
  const targets = sales.map(
    (sale) => Math.log(sale.closingPrice) - marketLogLevel(hedonic.marketIndex, sale.closingDate),
  );

  const rawRows = featureRows([], sales, model);
  const imputation = medians(rawRows);
  const impute = (rows: number[][]) => {
    for (const row of rows) {
      row.forEach((value, j) => {
        if (!Number.isFinite(value)) row[j] = imputation[j] ?? 0;
      });
    }
    return rows;
  };
  impute(rawRows);
  const validationData = validation
    ? {
        rows: impute(featureRows(sales, validation, model)),
        targets: validation.map(
          (sale) => Math.log(sale.closingPrice) - marketLogLevel(hedonic.marketIndex, sale.closingDate),
        ),
      }
    : undefined;
  const candidates = validationData ? (options.gbtCandidates ?? [{}]) : [{}];
  let best: { gbt: GbtModel; settings: GbtOptions; mdape: number } | null = null;
  for (const candidate of candidates) {
    const settings = { ...options.gbt, ...candidate };
    const gbt = fitTrees(rawRows, targets, settings, options, validationData);
    const mdape = validationData
      ? shiftedMdape(
          validationData.rows.map((row) => predictGbt(gbt, row)),
          validationData.targets,
        )
      : Number.NaN;
    if (candidates.length > 1)
      log(`  trees ${JSON.stringify(candidate)}: validation MdAPE ${(100 * mdape).toFixed(2)}%`);
    if (best === null || mdape < best.mdape) best = { gbt, settings, mdape };
  }
  const chosen = best as NonNullable<typeof best>;
  return { model: { ...model, imputation, gbt: compactGbt(chosen.gbt) }, chosen: chosen.settings };
}

/** One GBT per options.ensembleSeeds on `rows`, averaged. */
function fitTrees(
  rows: number[][],
  targets: number[],
  settings: GbtOptions,
  options: AvmTrainingOptions,
  validationData?: { rows: number[][]; targets: number[] },
): GbtModel {
  const log = options.log ?? (() => {});
  const started = Date.now();
  const members = options.ensembleSeeds.map((seed) => {
    const { model: member, validationCurve } = trainGbt(
      rows,
      targets,
      { ...settings, seed },
      validationData,
      (progress) => {
        if (progress.tree % 100 === 0) {
          const validationText =
            progress.validationRmse === null ? "" : ` validation rmse ${progress.validationRmse.toFixed(4)}`;
          log(
            `  seed ${seed} tree ${progress.tree}: train rmse ${progress.trainRmse.toFixed(4)}${validationText}`,
          );
        }
      },
    );
    if (validationCurve.length > 0) {
      const best = validationCurve.indexOf(Math.min(...validationCurve));
      log(`  seed ${seed}: best validation rmse at tree ${best + 1}`);
    }
    return member;
  });
  log(`  ${members.length} x ${settings.trees} trees in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  return averageGbts(members);
}

/** Attributes masked in the degraded validation copies (those other markets may lack). */
const MASKABLE_ATTRIBUTES = [
  "grade",
  "conditionRating",
  "viewRating",
  "waterfront",
  "yearBuilt",
  "lotSize",
  "sqftAbove",
  "sqftBasement",
  "bathrooms",
  "bedrooms",
  "floors",
  "zip",
] as const;

/**
 * Degraded copies of the validation valuations: King County records are complete and dense, so
 * without them the FSD model could not learn how much missing attributes or missing comps cost.
 * Every sale is revalued once with 1-8 attributes masked (seeded) and once with no candidates.
 */
function degradedRecords(
  history: readonly SoldProperty[],
  validation: readonly SoldProperty[],
  model: AvmModel,
  seed: number,
): BacktestRecord[] {
  const random = seededRandom(seed);
  const candidateLists = candidatesAsOf(history, validation);
  const timeline = marketTimelineOf(model, [...history, ...validation]);
  const records: BacktestRecord[] = [];
  validation.forEach((sale, i) => {
    const market = timeline?.view(sale.zip, sale.closingDate);
    const masked: Record<string, unknown> = { ...attributesOf(sale) };
    const maskCount = 1 + Math.floor(random() * 8);
    const order = MASKABLE_ATTRIBUTES.map((name) => ({ name, key: random() })).sort((a, b) => a.key - b.key);
    for (const { name } of order.slice(0, maskCount)) masked[name] = null;
    const maskedSubject = masked as unknown as PropertyAttributes;
    records.push({
      sale,
      valuation: valueProperty(maskedSubject, candidateLists[i] ?? [], model, sale.closingDate, market),
    });
    records.push({
      sale,
      valuation: valueProperty(attributesOf(sale), [], model, sale.closingDate, market),
    });
  });
  return records;
}

/**
 * FSD model: ridge regression of ln|log error| on fsdDesign over the validation valuations plus
 * their degraded copies (learns the effect of missing data and comps), then a scale so that 68% of
 * the real (complete) validation sales fall within estimate ± FSD.
 */
function calibrateFsd(
  records: readonly BacktestRecord[],
  degraded: readonly BacktestRecord[],
): FsdCalibration {
  const rows: number[][] = [];
  const targets: number[] = [];
  for (const record of [...records, ...degraded]) {
    if (!record.valuation) continue;
    const error = Math.abs(Math.log(record.valuation.estimate / record.sale.closingPrice));
    rows.push(fsdDesign(record.valuation.diagnostics, record.valuation.missingAttributes.length));
    targets.push(Math.log(error + 0.005));
  }
  const coefficients = ridgeRegression(rows, targets, 1, new Set([0])).map((c) => Number(c.toFixed(5)));
  const base: FsdCalibration = { coefficients, scale: 1, min: 0.03, max: 0.6 };
  // The scale comes from the later half of the validation sales (by date): those furthest from the fitted data,
  // as a served model's valuations are until it is retrained.
  const dated = records.filter((record) => record.valuation !== null);
  const laterHalf = dated.slice(dated.length >> 1);
  const ratios = laterHalf
    .map((record) => {
      const valuation = record.valuation as NonNullable<typeof record.valuation>;
      const relativeError = Math.abs(record.sale.closingPrice - valuation.estimate) / valuation.estimate;
      let logSigma = 0;
      fsdDesign(valuation.diagnostics, valuation.missingAttributes.length).forEach((value, index) => {
        logSigma += value * (coefficients[index] ?? 0);
      });
      return relativeError / Math.exp(logSigma);
    })
    .sort((a, b) => a - b);
  const scale = ratios[Math.floor(0.68 * (ratios.length - 1))] ?? 1;
  return { ...base, scale: Number(scale.toFixed(5)) };
}

/**
 * Trains the AVM on `sales` (all must precede the period it will be evaluated on):
 * 1. fit on all but the last two months, tune the comps blend weight on those two
 *    months by backtest (each validation sale valued only from earlier sales), and calibrate FSD;
 * 2. refit hedonic + trees on all sales, keeping the tuned blend and FSD.
 */
export function trainAvm(inputSales: readonly SoldProperty[], options: AvmTrainingOptions): AvmModel {
  const log = options.log ?? (() => {});
  const sales = [...inputSales].sort((a, b) =>
    a.closingDate < b.closingDate ? -1 : a.closingDate > b.closingDate ? 1 : 0,
  );
  const months = [...new Set(sales.map((sale) => monthOf(sale.closingDate)))].sort();
  const validationFromMonth = options.validationFromMonth ?? months[Math.max(1, months.length - 2)] ?? "";
  const fitSales = sales.filter((sale) => monthOf(sale.closingDate) < validationFromMonth);
  const validationSales = sales.filter((sale) => monthOf(sale.closingDate) >= validationFromMonth);
  log(
    `validation slice: ${validationFromMonth}.. (${validationSales.length} sales), fit on ${fitSales.length}`,
  );

  const { model: stageOne, chosen } = fitModel(fitSales, options, validationSales);
  const records = backtest(fitSales, validationSales, stageOne);
  let blend = 0;
  let bestMdape = Number.POSITIVE_INFINITY;
  for (const weight of options.compsBlendWeights) {
    const metrics = accuracyMetrics(
      records.map((r) => ({
        price: r.sale.closingPrice,
        estimate: r.valuation
          ? blendEstimates(
              r.valuation.diagnostics.modelEstimate,
              r.valuation.diagnostics.compsEstimate,
              weight,
            )
          : null,
        fsd: null,
      })),
    );
    log(
      `  comps blend weight ${weight}: MdAPE ${(100 * metrics.mdape).toFixed(2)}% PPE10 ${(100 * metrics.ppe10).toFixed(1)}%`,
    );
    if (metrics.mdape < bestMdape) {
      bestMdape = metrics.mdape;
      blend = weight;
    }
  }
  const blendedErrors = records.flatMap((r) =>
    r.valuation
      ? [
          Math.log(
            r.sale.closingPrice /
              blendEstimates(
                r.valuation.diagnostics.modelEstimate,
                r.valuation.diagnostics.compsEstimate,
                blend,
              ),
          ),
        ]
      : [],
  );
  const logShift = Number(median(blendedErrors).toFixed(5));
  log(`  median ln(price / estimate) on validation: ${logShift}`);
  const tuned = { ...stageOne, compsBlendWeight: blend, logShift };
  const tunedRecords = backtest(fitSales, validationSales, tuned);
  const fsd = calibrateFsd(tunedRecords, degradedRecords(fitSales, validationSales, tuned, options.gbt.seed));
  const calibrated = { ...tuned, fsd };
  const validationRecords = backtest(fitSales, validationSales, calibrated);
  const validationMetrics = accuracyMetrics(
    validationRecords.map((r) => ({
      price: r.sale.closingPrice,
      estimate: r.valuation?.estimate ?? null,
      fsd: r.valuation?.fsd ?? null,
    })),
  );
  const gbtOnly = accuracyMetrics(
    validationRecords.map((r) => ({
      price: r.sale.closingPrice,
      estimate: r.valuation?.diagnostics.modelEstimate ?? null,
      fsd: null,
    })),
  );
  log(
    `validation: MdAPE ${(100 * validationMetrics.mdape).toFixed(2)}% PPE10 ${(100 * validationMetrics.ppe10).toFixed(1)}% PPE20 ${(100 * validationMetrics.ppe20).toFixed(1)}% FSD coverage ${(100 * validationMetrics.fsdCoverage).toFixed(1)}% (trees alone MdAPE ${(100 * gbtOnly.mdape).toFixed(2)}%)`,
  );

  log(`refitting on all ${sales.length} sales`);
  const { model: final } = fitModel(sales, { ...options, gbt: chosen });
  const round4 = (value: number) => Number(value.toFixed(4));
  return {
    ...final,
    validation: {
      from: validationSales[0]?.closingDate ?? "",
      to: validationSales[validationSales.length - 1]?.closingDate ?? "",
      count: validationMetrics.count,
      mdape: round4(validationMetrics.mdape),
      ppe10: round4(validationMetrics.ppe10),
      ppe20: round4(validationMetrics.ppe20),
      hitRate: round4(validationMetrics.hitRate),
      fsdCoverage: round4(validationMetrics.fsdCoverage),
      gbtOnlyMdape: round4(gbtOnly.mdape),
    },
    compsBlendWeight: blend,
    logShift,
    fsd,
  };
}
