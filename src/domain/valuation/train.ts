import {
  FEATURE_VERSION,
  MODEL_FEATURE_NAMES,
  modelFeatures,
  type SoldProperty,
  yearOfIsoDate,
} from "../features/index.ts";
import { accuracyMetrics, backtest, type BacktestRecord } from "./backtest.ts";
import { compactGbt, DEFAULT_GBT_OPTIONS, type GbtOptions, trainGbt } from "./gbt.ts";
import { monthOf } from "./geo.ts";
import { ridgeRegression } from "./linear.ts";
import {
  type AdjustmentRates,
  type AvmModel,
  type FsdCalibration,
  type MarketIndex,
  marketLogLevel,
  type ResidualKernel,
} from "./model.ts";
import { fsdDesign } from "./value.ts";

export interface AvmTrainingOptions {
  modelVersion: string;
  gbt: GbtOptions;
  /** First month (YYYY-MM) of the internal validation slice; default: the last two months of the data. */
  validationFromMonth?: string;
  /** Candidate kernels tried on the validation slice; the lowest MdAPE wins. */
  kernelGrid: ResidualKernel[];
  compsBlendWeights: number[];
  log?: (message: string) => void;
  /** Fixed timestamp for the artifact (keeps the JSON byte-identical across runs when set). */
  createdAt?: string;
}

const BASE_KERNEL: ResidualKernel = {
  bandwidthKm: 1,
  halfLifeDays: 120,
  shrinkage: 1,
  maxNeighbours: 40,
  maxDistanceKm: 4,
  maxAgeDays: 400,
};

function kernelGrid(): ResidualKernel[] {
  const grid: ResidualKernel[] = [];
  for (const bandwidthKm of [0.5, 1]) {
    for (const halfLifeDays of [60, 180]) {
      for (const shrinkage of [0.5, 1.5]) grid.push({ ...BASE_KERNEL, bandwidthKm, halfLifeDays, shrinkage });
    }
  }
  return grid;
}

export const DEFAULT_TRAINING_OPTIONS: AvmTrainingOptions = {
  modelVersion: "avm-v1",
  gbt: DEFAULT_GBT_OPTIONS,
  kernelGrid: kernelGrid(),
  compsBlendWeights: [0, 0.15, 0.3],
};

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1] ?? 0;
}

interface Hedonic {
  marketIndex: MarketIndex;
  zipEffects: Record<string, number>;
  adjustmentRates: AdjustmentRates;
}

/**
 * Log-linear hedonic regression with month and ZIP fixed effects. Its month effects are the market
 * index, its ZIP effects a location feature for the trees, its slopes the comps adjustment rates.
 */
function fitHedonic(sales: readonly SoldProperty[]): Hedonic {
  const months = [...new Set(sales.map((sale) => monthOf(sale.closingDate)))].sort();
  const zips = [...new Set(sales.map((sale) => sale.zip ?? "").filter((zip) => zip !== ""))].sort();
  const slopeNames = [
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
  ];
  const slopeCount = slopeNames.length + 1;
  const rows: number[][] = [];
  const targets: number[] = [];
  const rawSlopes = sales.map((sale) => {
    const age =
      sale.yearBuilt === null ? null : Math.max(0, yearOfIsoDate(sale.closingDate) - sale.yearBuilt) / 10;
    return [
      sale.sqft !== null && sale.sqft > 0 ? Math.log(sale.sqft) : null,
      sale.lotSize !== null && sale.lotSize > 0 ? Math.log(sale.lotSize) : null,
      sale.bedrooms === null ? null : Math.min(sale.bedrooms, 10),
      sale.bathrooms,
      sale.floors,
      sale.waterfront === null ? null : Number(sale.waterfront),
      sale.viewRating,
      sale.conditionRating,
      sale.grade,
      age,
      age === null ? null : age * age,
      sale.yearRenovated !== null ? 1 : 0,
    ];
  });
  const slopeMeans = slopeNames.map((_, j) => {
    const values = rawSlopes.map((row) => row[j]).filter((v): v is number => v !== null && v !== undefined);
    return values.reduce((sum, v) => sum + v, 0) / Math.max(1, values.length);
  });
  sales.forEach((sale, i) => {
    const slopes = (rawSlopes[i] ?? []).map((value, j) => (value ?? slopeMeans[j] ?? 0) - (slopeMeans[j] ?? 0));
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

const PLACEHOLDER_KERNEL = BASE_KERNEL;
const PLACEHOLDER_FSD: FsdCalibration = { coefficients: [Math.log(0.12), 0, 0, 0, 0], scale: 1, min: 0.03, max: 0.6 };

/** Hedonic components + trees fitted on `sales` (the kernel, blend and FSD are set afterwards). */
function fitModel(
  sales: readonly SoldProperty[],
  options: AvmTrainingOptions,
  validation?: readonly SoldProperty[],
): AvmModel {
  const log = options.log ?? (() => {});
  const hedonic = fitHedonic(sales);
  // NaN marks unknown values so the imputation medians are taken over known values only.
  const context = { zipEffects: hedonic.zipEffects, imputation: MODEL_FEATURE_NAMES.map(() => Number.NaN) };
  const rawRows = sales.map((sale) => modelFeatures(sale, { ...context, asOfDate: sale.closingDate }).values);
  const imputation = MODEL_FEATURE_NAMES.map((_, j) =>
    Number(median(rawRows.map((row) => row[j] ?? Number.NaN).filter(Number.isFinite)).toFixed(5)),
  );
  for (const row of rawRows) row.forEach((value, j) => {
    if (!Number.isFinite(value)) row[j] = imputation[j] ?? 0;
  });
  const targets = sales.map(
    (sale) => Math.log(sale.closingPrice) - marketLogLevel(hedonic.marketIndex, sale.closingDate),
  );
  const validationData = validation
    ? {
        rows: validation.map(
          (sale) => modelFeatures(sale, { ...context, imputation, asOfDate: sale.closingDate }).values,
        ),
        targets: validation.map(
          (sale) => Math.log(sale.closingPrice) - marketLogLevel(hedonic.marketIndex, sale.closingDate),
        ),
      }
    : undefined;
  const started = Date.now();
  const { model: gbt, validationCurve } = trainGbt(rawRows, targets, options.gbt, validationData, (progress) => {
    if (progress.tree % 100 === 0) {
      const validationText = progress.validationRmse === null ? "" : ` validation rmse ${progress.validationRmse.toFixed(4)}`;
      log(`  tree ${progress.tree}: train rmse ${progress.trainRmse.toFixed(4)}${validationText}`);
    }
  });
  if (validationCurve.length > 0) {
    const best = validationCurve.indexOf(Math.min(...validationCurve));
    log(`  best validation rmse at tree ${best + 1}; trained in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  }
  const dates = sales.map((sale) => sale.closingDate).sort();
  return {
    modelVersion: options.modelVersion,
    featureVersion: FEATURE_VERSION,
    createdAt: options.createdAt ?? new Date().toISOString(),
    training: { from: dates[0] ?? "", to: dates[dates.length - 1] ?? "", sales: sales.length, seed: options.gbt.seed },
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
    imputation,
    zipEffects: hedonic.zipEffects,
    marketIndex: hedonic.marketIndex,
    adjustmentRates: hedonic.adjustmentRates,
    residualKernel: PLACEHOLDER_KERNEL,
    compsBlendWeight: 0,
    fsd: PLACEHOLDER_FSD,
    gbt: compactGbt(gbt),
  };
}

/** Absolute-log-error regression for the FSD, then a scale so 68% of validation sales are covered. */
function calibrateFsd(model: AvmModel, records: readonly BacktestRecord[]): FsdCalibration {
  const rows: number[][] = [];
  const targets: number[] = [];
  for (const record of records) {
    if (!record.valuation) continue;
    const error = Math.abs(Math.log(record.valuation.estimate / record.sale.closingPrice));
    rows.push(fsdDesign(record.valuation.diagnostics, record.valuation.missingAttributes.length));
    targets.push(Math.log(error + 0.005));
  }
  const coefficients = ridgeRegression(rows, targets, 1, new Set([0])).map((c) => Number(c.toFixed(5)));
  const base: FsdCalibration = { coefficients, scale: 1, min: 0.03, max: 0.6 };
  const ratios = records
    .filter((record) => record.valuation !== null)
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
 * 1. fit on all but the last two months, tune the residual kernel and comps blend on those two
 *    months by backtest (each validation sale valued only from earlier sales), and calibrate FSD;
 * 2. refit hedonic + trees on all sales, keeping the tuned kernel/blend/FSD.
 */
export function trainAvm(inputSales: readonly SoldProperty[], options: AvmTrainingOptions): AvmModel {
  const log = options.log ?? (() => {});
  const sales = [...inputSales].sort((a, b) => (a.closingDate < b.closingDate ? -1 : a.closingDate > b.closingDate ? 1 : 0));
  const months = [...new Set(sales.map((sale) => monthOf(sale.closingDate)))].sort();
  const validationFromMonth = options.validationFromMonth ?? months[Math.max(1, months.length - 2)] ?? "";
  const fitSales = sales.filter((sale) => monthOf(sale.closingDate) < validationFromMonth);
  const validationSales = sales.filter((sale) => monthOf(sale.closingDate) >= validationFromMonth);
  log(`validation slice: ${validationFromMonth}.. (${validationSales.length} sales), fit on ${fitSales.length}`);

  const stageOne = fitModel(fitSales, options, validationSales);
  const cache = new Map<string, number>();
  let best: { kernel: ResidualKernel; blend: number; records: BacktestRecord[]; mdape: number } | null = null;
  for (const kernel of options.kernelGrid) {
    for (const blend of options.compsBlendWeights) {
      const candidate = { ...stageOne, residualKernel: kernel, compsBlendWeight: blend };
      const records = backtest(fitSales, validationSales, candidate, {}, cache);
      const metrics = accuracyMetrics(
        records.map((r) => ({ price: r.sale.closingPrice, estimate: r.valuation?.estimate ?? null, fsd: null })),
      );
      log(
        `  kernel h=${kernel.bandwidthKm}km t½=${kernel.halfLifeDays}d λ=${kernel.shrinkage} blend=${blend}: MdAPE ${(100 * metrics.mdape).toFixed(2)}% PPE10 ${(100 * metrics.ppe10).toFixed(1)}%`,
      );
      if (best === null || metrics.mdape < best.mdape) best = { kernel, blend, records, mdape: metrics.mdape };
    }
  }
  if (best === null) throw new Error("trainAvm: empty kernel grid");
  const tuned = { ...stageOne, residualKernel: best.kernel, compsBlendWeight: best.blend };
  const fsd = calibrateFsd(tuned, best.records);
  const calibrated = { ...tuned, fsd };
  const validationRecords = backtest(fitSales, validationSales, calibrated, {}, cache);
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
  const final = fitModel(sales, options);
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
    residualKernel: best.kernel,
    compsBlendWeight: best.blend,
    fsd,
  };
}
