/**
 * Compact gradient-boosted regression trees (squared loss) with histogram split finding.
 * Pure TypeScript so the same prediction code runs in the Worker and in the training script.
 * Training is deterministic for a given seed.
 */

/** One regression tree in flat arrays; node 0 is the root. A node is a leaf when feature[i] < 0. */
export interface GbtTree {
  feature: number[];
  /** Go left when x[feature] <= threshold. */
  threshold: number[];
  left: number[];
  right: number[];
  /** Leaf output (learning rate already applied); 0 for inner nodes. */
  value: number[];
}

export interface GbtModel {
  baseScore: number;
  trees: GbtTree[];
}

export interface GbtOptions {
  trees: number;
  learningRate: number;
  maxDepth: number;
  minSamplesLeaf: number;
  /** Row sampling fraction per tree (stochastic gradient boosting). */
  subsample: number;
  /** Feature sampling fraction per tree. */
  featureFraction: number;
  /** Histogram bins per feature (at most 255). */
  bins: number;
  /** L2 regularization of leaf values. */
  lambda: number;
  /**
   * Huber loss threshold on ln price (null = squared loss). Outlier sales (non-arm's-length, data
   * errors) otherwise pull leaves; the median-based accuracy metrics reward robustness.
   */
  huberDelta: number | null;
  seed: number;
}

export const DEFAULT_GBT_OPTIONS: GbtOptions = {
  trees: 600,
  learningRate: 0.05,
  maxDepth: 6,
  minSamplesLeaf: 15,
  subsample: 0.8,
  featureFraction: 0.8,
  bins: 64,
  lambda: 1,
  huberDelta: null,
  seed: 42,
};

/** Mulberry32: small, fast, seedable PRNG (Math.random cannot be seeded). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function predictTree(tree: GbtTree, x: readonly number[]): number {
  let node = 0;
  for (;;) {
    const feature = tree.feature[node] ?? -1;
    if (feature < 0) return tree.value[node] ?? 0;
    const goLeft = (x[feature] ?? 0) <= (tree.threshold[node] ?? 0);
    node = (goLeft ? tree.left[node] : tree.right[node]) ?? 0;
  }
}

/** All trees of a model in one set of typed arrays (child indices absolute): a valuation walks ~6k nodes. */
interface PackedGbt {
  roots: Int32Array;
  feature: Int32Array;
  threshold: Float64Array;
  left: Int32Array;
  right: Int32Array;
  value: Float64Array;
}

const packedModels = new WeakMap<GbtModel, PackedGbt>();

function packGbt(model: GbtModel): PackedGbt {
  const nodeCount = model.trees.reduce((sum, tree) => sum + tree.feature.length, 0);
  const packed: PackedGbt = {
    roots: new Int32Array(model.trees.length),
    feature: new Int32Array(nodeCount),
    threshold: new Float64Array(nodeCount),
    left: new Int32Array(nodeCount),
    right: new Int32Array(nodeCount),
    value: new Float64Array(nodeCount),
  };
  let offset = 0;
  model.trees.forEach((tree, t) => {
    packed.roots[t] = offset;
    for (let i = 0; i < tree.feature.length; i++) {
      packed.feature[offset + i] = tree.feature[i] ?? -1;
      packed.threshold[offset + i] = tree.threshold[i] ?? 0;
      packed.left[offset + i] = offset + (tree.left[i] ?? 0);
      packed.right[offset + i] = offset + (tree.right[i] ?? 0);
      packed.value[offset + i] = tree.value[i] ?? 0;
    }
    offset += tree.feature.length;
  });
  return packed;
}

/** Same sum as predictTree over every tree, on the model packed once (cached per model object). */
export function predictGbt(model: GbtModel, x: readonly number[]): number {
  let packed = packedModels.get(model);
  if (!packed) {
    packed = packGbt(model);
    packedModels.set(model, packed);
  }
  const { roots, feature, threshold, left, right, value } = packed;
  let sum = model.baseScore;
  for (let t = 0; t < roots.length; t++) {
    let node = roots[t] as number;
    let f = feature[node] as number;
    while (f >= 0) {
      node = ((x[f] ?? 0) <= (threshold[node] as number) ? left[node] : right[node]) as number;
      f = feature[node] as number;
    }
    sum += value[node] as number;
  }
  return sum;
}

/** Candidate split thresholds per feature: midpoints between quantiles of the observed values. */
function binEdges(values: Float64Array, maxBins: number): number[] {
  const sorted = Array.from(values).sort((a, b) => a - b);
  const unique: number[] = [];
  for (const v of sorted) if (unique.length === 0 || unique[unique.length - 1] !== v) unique.push(v);
  const edges: number[] = [];
  if (unique.length <= maxBins) {
    for (let i = 0; i + 1 < unique.length; i++) edges.push(((unique[i] ?? 0) + (unique[i + 1] ?? 0)) / 2);
    return edges;
  }
  for (let b = 1; b < maxBins; b++) {
    const position = Math.floor((b * sorted.length) / maxBins);
    const lower = sorted[position - 1] ?? 0;
    const upper = sorted[position] ?? 0;
    if (upper === lower) continue;
    const edge = (lower + upper) / 2;
    if (edges.length === 0 || edge > (edges[edges.length - 1] ?? 0)) edges.push(edge);
  }
  return edges;
}

function binOf(edges: readonly number[], value: number): number {
  let low = 0;
  let high = edges.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (value <= (edges[mid] ?? 0)) high = mid;
    else low = mid + 1;
  }
  return low;
}

interface BinnedData {
  /** bins[feature][row] */
  bins: Uint8Array[];
  edges: number[][];
}

function binData(rows: readonly (readonly number[])[], featureCount: number, maxBins: number): BinnedData {
  const bins: Uint8Array[] = [];
  const edges: number[][] = [];
  for (let f = 0; f < featureCount; f++) {
    const column = new Float64Array(rows.length);
    for (let i = 0; i < rows.length; i++) column[i] = rows[i]?.[f] ?? 0;
    const featureEdges = binEdges(column, Math.min(255, maxBins));
    const featureBins = new Uint8Array(rows.length);
    for (let i = 0; i < rows.length; i++) featureBins[i] = binOf(featureEdges, column[i] ?? 0);
    bins.push(featureBins);
    edges.push(featureEdges);
  }
  return { bins, edges };
}

interface Split {
  feature: number;
  bin: number;
  gain: number;
}

export interface GbtTrainingProgress {
  tree: number;
  trainRmse: number;
  validationRmse: number | null;
}

export interface GbtTrainingResult {
  model: GbtModel;
  /** Validation RMSE after each tree (empty without validation data). */
  validationCurve: number[];
}

/**
 * Fits trees on `targets` with squared loss. When validation rows are given, the validation RMSE
 * after each tree is recorded so the caller can pick the number of trees.
 */
export function trainGbt(
  rows: readonly (readonly number[])[],
  targets: readonly number[],
  options: GbtOptions,
  validation?: { rows: readonly (readonly number[])[]; targets: readonly number[] },
  onProgress?: (progress: GbtTrainingProgress) => void,
): GbtTrainingResult {
  const rowCount = rows.length;
  const featureCount = rows[0]?.length ?? 0;
  const random = seededRandom(options.seed);
  const { bins, edges } = binData(rows, featureCount, options.bins);
  const sortedTargets = [...targets].sort((a, b) => a - b);
  const baseScore =
    options.huberDelta === null
      ? targets.reduce((sum, t) => sum + t, 0) / Math.max(1, rowCount)
      : (sortedTargets[rowCount >> 1] ?? 0);
  const prediction = new Float64Array(rowCount).fill(baseScore);
  const residual = new Float64Array(rowCount);
  const validationPrediction = validation ? new Float64Array(validation.rows.length).fill(baseScore) : null;
  const validationCurve: number[] = [];
  const trees: GbtTree[] = [];
  const histogramSum = new Float64Array(256);
  const histogramCount = new Float64Array(256);

  const findBestSplit = (indices: Int32Array, features: readonly number[]): Split | null => {
    let totalSum = 0;
    for (let k = 0; k < indices.length; k++) totalSum += residual[indices[k] ?? 0] ?? 0;
    const totalCount = indices.length;
    const parentScore = (totalSum * totalSum) / (totalCount + options.lambda);
    let best: Split | null = null;
    for (const f of features) {
      const featureBins = bins[f];
      const binCount = (edges[f]?.length ?? 0) + 1;
      if (featureBins === undefined || binCount < 2) continue;
      histogramSum.fill(0, 0, binCount);
      histogramCount.fill(0, 0, binCount);
      for (let k = 0; k < indices.length; k++) {
        const row = indices[k] ?? 0;
        const bin = featureBins[row] ?? 0;
        histogramSum[bin] = (histogramSum[bin] ?? 0) + (residual[row] ?? 0);
        histogramCount[bin] = (histogramCount[bin] ?? 0) + 1;
      }
      let leftSum = 0;
      let leftCount = 0;
      for (let b = 0; b < binCount - 1; b++) {
        leftSum += histogramSum[b] ?? 0;
        leftCount += histogramCount[b] ?? 0;
        const rightCount = totalCount - leftCount;
        if (leftCount < options.minSamplesLeaf) continue;
        if (rightCount < options.minSamplesLeaf) break;
        const rightSum = totalSum - leftSum;
        const gain =
          (leftSum * leftSum) / (leftCount + options.lambda) +
          (rightSum * rightSum) / (rightCount + options.lambda) -
          parentScore;
        if (gain > 1e-12 && (best === null || gain > best.gain)) best = { feature: f, bin: b, gain };
      }
    }
    return best;
  };

  for (let t = 0; t < options.trees; t++) {
    const delta = options.huberDelta;
    for (let i = 0; i < rowCount; i++) {
      const r = (targets[i] ?? 0) - (prediction[i] ?? 0);
      // Negative gradient of the Huber loss; leaves then take one Newton-like step on it.
      residual[i] = delta === null ? r : Math.max(-delta, Math.min(delta, r));
    }
    const sampled: number[] = [];
    for (let i = 0; i < rowCount; i++) if (random() < options.subsample) sampled.push(i);
    const features: number[] = [];
    for (let f = 0; f < featureCount; f++) if (random() < options.featureFraction) features.push(f);
    if (features.length === 0) features.push(Math.floor(random() * featureCount));

    const tree: GbtTree = { feature: [], threshold: [], left: [], right: [], value: [] };
    /** Split bin per node, to route binned training rows without re-reading raw values. */
    const splitBins: number[] = [];
    const grow = (indices: Int32Array, depth: number): number => {
      const node = tree.feature.length;
      tree.feature.push(-1);
      tree.threshold.push(0);
      tree.left.push(-1);
      tree.right.push(-1);
      tree.value.push(0);
      splitBins.push(0);
      const split =
        depth < options.maxDepth && indices.length >= 2 * options.minSamplesLeaf
          ? findBestSplit(indices, features)
          : null;
      if (split === null) {
        let sum = 0;
        for (let k = 0; k < indices.length; k++) sum += residual[indices[k] ?? 0] ?? 0;
        tree.value[node] = (options.learningRate * sum) / (indices.length + options.lambda);
        return node;
      }
      const featureBins = bins[split.feature] as Uint8Array;
      let leftCount = 0;
      for (let k = 0; k < indices.length; k++)
        if ((featureBins[indices[k] ?? 0] ?? 0) <= split.bin) leftCount++;
      const leftIndices = new Int32Array(leftCount);
      const rightIndices = new Int32Array(indices.length - leftCount);
      let l = 0;
      let r = 0;
      for (let k = 0; k < indices.length; k++) {
        const row = indices[k] ?? 0;
        if ((featureBins[row] ?? 0) <= split.bin) leftIndices[l++] = row;
        else rightIndices[r++] = row;
      }
      tree.feature[node] = split.feature;
      tree.threshold[node] = edges[split.feature]?.[split.bin] ?? 0;
      splitBins[node] = split.bin;
      tree.left[node] = grow(leftIndices, depth + 1);
      tree.right[node] = grow(rightIndices, depth + 1);
      return node;
    };
    grow(Int32Array.from(sampled), 0);
    trees.push(tree);

    let squaredError = 0;
    for (let i = 0; i < rowCount; i++) {
      let node = 0;
      for (;;) {
        const feature = tree.feature[node] ?? -1;
        if (feature < 0) break;
        const goLeft = (bins[feature]?.[i] ?? 0) <= (splitBins[node] ?? 0);
        node = (goLeft ? tree.left[node] : tree.right[node]) ?? 0;
      }
      prediction[i] = (prediction[i] ?? 0) + (tree.value[node] ?? 0);
      squaredError += ((targets[i] ?? 0) - (prediction[i] ?? 0)) ** 2;
    }
    let validationRmse: number | null = null;
    if (validation && validationPrediction) {
      let validationError = 0;
      for (let i = 0; i < validation.rows.length; i++) {
        validationPrediction[i] =
          (validationPrediction[i] ?? 0) + predictTree(tree, validation.rows[i] ?? []);
        validationError += ((validation.targets[i] ?? 0) - (validationPrediction[i] ?? 0)) ** 2;
      }
      validationRmse = Math.sqrt(validationError / Math.max(1, validation.rows.length));
      validationCurve.push(validationRmse);
    }
    onProgress?.({ tree: t + 1, trainRmse: Math.sqrt(squaredError / Math.max(1, rowCount)), validationRmse });
  }
  return { model: { baseScore, trees }, validationCurve };
}

/** Rounds thresholds and leaf values so the JSON artifact stays small; predictions change by < 1e-6. */
export function compactGbt(model: GbtModel): GbtModel {
  const round = (value: number, digits: number) => Number(value.toPrecision(digits));
  return {
    baseScore: round(model.baseScore, 10),
    trees: model.trees.map((tree) => ({
      feature: tree.feature,
      threshold: tree.threshold.map((t) => round(t, 7)),
      left: tree.left,
      right: tree.right,
      value: tree.value.map((v) => round(v, 5)),
    })),
  };
}

/**
 * Averages boosted ensembles trained with different seeds into one model (leaf values scaled by
 * 1/n): lowers the variance of the predictions at no extra cost per tree.
 */
export function averageGbts(models: readonly GbtModel[]): GbtModel {
  const n = models.length;
  if (n === 0) return { baseScore: 0, trees: [] };
  return {
    baseScore: models.reduce((sum, model) => sum + model.baseScore, 0) / n,
    trees: models.flatMap((model) =>
      model.trees.map((tree) => ({ ...tree, value: tree.value.map((v) => v / n) })),
    ),
  };
}
