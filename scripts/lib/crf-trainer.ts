/**
 * Linear-chain CRF trained by stochastic gradient descent with L2 regularization (the CRFsuite "l2sgd" recipe:
 * decaying step size, weight decay through a global scale factor). Produces the same TaggerModel shape as the
 * perceptron, so decoding (Viterbi over emission + transition scores) is unchanged.
 */
import type { TaggerModel } from "../../src/domain/address/tagger.ts";

export interface CrfExample {
  featureLists: string[][];
  goldTags: number[];
}

export interface CrfOptions {
  tags: string[];
  featureSetVersion: number;
  epochs: number;
  /** L2 strength C: the objective is sum of log-likelihoods minus C / 2 * |w|^2. */
  l2: number;
  initialStep: number;
  seed: number;
  /** Weights are rounded to this many decimals; the ones that round to 0 are dropped. */
  decimals: number;
  /** Emission weights with an absolute value below this are dropped (keeps the generated model small). */
  prune: number;
}

function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

function logSumExp(values: Float64Array, length: number): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let index = 0; index < length; index++)
    if ((values[index] as number) > max) max = values[index] as number;
  if (max === Number.NEGATIVE_INFINITY) return max;
  let sum = 0;
  for (let index = 0; index < length; index++) sum += Math.exp((values[index] as number) - max);
  return max + Math.log(sum);
}

export function trainCrf(examples: readonly CrfExample[], options: CrfOptions): TaggerModel {
  const tagCount = options.tags.length;
  const size = tagCount + 1;
  const featureIds = new Map<string, number>();
  const encoded = examples.map((example) => ({
    gold: example.goldTags,
    features: example.featureLists.map((features) =>
      Int32Array.from(
        [...new Set(features)].map((feature) => {
          let id = featureIds.get(feature);
          if (id === undefined) {
            id = featureIds.size;
            featureIds.set(feature, id);
          }
          return id;
        }),
      ),
    ),
  }));
  const weights = new Float64Array(featureIds.size * tagCount);
  const transitions = new Float64Array(size * size);
  let scale = 1;
  const exampleCount = encoded.length;
  const decayPerExample = options.l2 / exampleCount;
  const random = mulberry32(options.seed);
  const order = encoded.map((_, index) => index);
  let step = 0;
  const maxLength = Math.max(1, ...encoded.map((example) => example.gold.length));
  const emission = new Float64Array(maxLength * tagCount);
  const alpha = new Float64Array(maxLength * tagCount);
  const beta = new Float64Array(maxLength * tagCount);
  const scratch = new Float64Array(size);
  const rescale = () => {
    for (let index = 0; index < weights.length; index++) weights[index] = (weights[index] as number) * scale;
    for (let index = 0; index < transitions.length; index++)
      transitions[index] = (transitions[index] as number) * scale;
    scale = 1;
  };
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    for (let index = order.length - 1; index > 0; index--) {
      const swapWith = Math.floor(random() * (index + 1));
      [order[index], order[swapWith]] = [order[swapWith] ?? 0, order[index] ?? 0];
    }
    for (const exampleIndex of order) {
      const example = encoded[exampleIndex];
      if (example === undefined) continue;
      const length = example.gold.length;
      if (length === 0) continue;
      const learningRate = options.initialStep / (1 + step / exampleCount);
      step++;
      // Weight decay first (w <- (1 - eta * lambda) w), through the scale factor.
      scale *= 1 - learningRate * decayPerExample;
      if (scale < 1e-9) rescale();
      // Emission scores.
      for (let position = 0; position < length; position++) {
        const offset = position * tagCount;
        for (let tag = 0; tag < tagCount; tag++) emission[offset + tag] = 0;
        for (const feature of example.features[position] as Int32Array) {
          const base = feature * tagCount;
          for (let tag = 0; tag < tagCount; tag++)
            emission[offset + tag] = (emission[offset + tag] as number) + (weights[base + tag] as number);
        }
        for (let tag = 0; tag < tagCount; tag++)
          emission[offset + tag] = (emission[offset + tag] as number) * scale;
      }
      const transition = (from: number, to: number) => (transitions[from * size + to] as number) * scale;
      // Forward.
      for (let tag = 0; tag < tagCount; tag++)
        alpha[tag] = (emission[tag] as number) + transition(tagCount, tag);
      for (let position = 1; position < length; position++) {
        for (let tag = 0; tag < tagCount; tag++) {
          for (let previous = 0; previous < tagCount; previous++)
            scratch[previous] =
              (alpha[(position - 1) * tagCount + previous] as number) + transition(previous, tag);
          alpha[position * tagCount + tag] =
            logSumExp(scratch, tagCount) + (emission[position * tagCount + tag] as number);
        }
      }
      const lastOffset = (length - 1) * tagCount;
      for (let tag = 0; tag < tagCount; tag++)
        scratch[tag] = (alpha[lastOffset + tag] as number) + transition(tag, tagCount);
      const logPartition = logSumExp(scratch, tagCount);
      // Backward.
      for (let tag = 0; tag < tagCount; tag++) beta[lastOffset + tag] = transition(tag, tagCount);
      for (let position = length - 2; position >= 0; position--) {
        for (let tag = 0; tag < tagCount; tag++) {
          for (let next = 0; next < tagCount; next++)
            scratch[next] =
              transition(tag, next) +
              (emission[(position + 1) * tagCount + next] as number) +
              (beta[(position + 1) * tagCount + next] as number);
          beta[position * tagCount + tag] = logSumExp(scratch, tagCount);
        }
      }
      // Gradient step: observed minus expected counts, divided by scale (weights are stored unscaled).
      const gain = learningRate / scale;
      for (let position = 0; position < length; position++) {
        const gold = example.gold[position] as number;
        const offset = position * tagCount;
        const features = example.features[position] as Int32Array;
        for (let tag = 0; tag < tagCount; tag++) {
          const marginal = Math.exp(
            (alpha[offset + tag] as number) + (beta[offset + tag] as number) - logPartition,
          );
          const gradient = (tag === gold ? 1 : 0) - marginal;
          if (Math.abs(gradient) < 1e-12) continue;
          const delta = gain * gradient;
          for (const feature of features)
            weights[feature * tagCount + tag] = (weights[feature * tagCount + tag] as number) + delta;
        }
        // Transition marginals.
        if (position === 0) {
          for (let tag = 0; tag < tagCount; tag++) {
            const marginal = Math.exp((alpha[tag] as number) + (beta[tag] as number) - logPartition);
            const cell = tagCount * size + tag;
            transitions[cell] = (transitions[cell] as number) + gain * ((tag === gold ? 1 : 0) - marginal);
          }
        } else {
          const previousGold = example.gold[position - 1] as number;
          const previousOffset = (position - 1) * tagCount;
          for (let previous = 0; previous < tagCount; previous++) {
            for (let tag = 0; tag < tagCount; tag++) {
              const marginal = Math.exp(
                (alpha[previousOffset + previous] as number) +
                  transition(previous, tag) +
                  (emission[offset + tag] as number) +
                  (beta[offset + tag] as number) -
                  logPartition,
              );
              const observed = previous === previousGold && tag === gold ? 1 : 0;
              const cell = previous * size + tag;
              transitions[cell] = (transitions[cell] as number) + gain * (observed - marginal);
            }
          }
        }
        if (position === length - 1) {
          for (let tag = 0; tag < tagCount; tag++) {
            const marginal = Math.exp(
              (alpha[offset + tag] as number) + (beta[offset + tag] as number) - logPartition,
            );
            const cell = tag * size + tagCount;
            transitions[cell] = (transitions[cell] as number) + gain * ((tag === gold ? 1 : 0) - marginal);
          }
        }
      }
    }
  }
  rescale();
  const factor = 10 ** options.decimals;
  const round = (value: number) => Math.round(value * factor) / factor;
  const modelWeights: Record<string, number[]> = {};
  const names = [...featureIds.keys()].sort();
  for (const name of names) {
    const id = featureIds.get(name) as number;
    const pairs: number[] = [];
    for (let tag = 0; tag < tagCount; tag++) {
      const value = round(weights[id * tagCount + tag] as number);
      if (value !== 0 && Math.abs(value) >= options.prune) pairs.push(tag, value);
    }
    if (pairs.length > 0) modelWeights[name] = pairs;
  }
  const modelTransitions = Array.from({ length: size }, (_, row) =>
    Array.from({ length: size }, (_, column) => round(transitions[row * size + column] as number)),
  );
  return {
    featureSetVersion: options.featureSetVersion,
    tags: [...options.tags],
    transitions: modelTransitions,
    weights: modelWeights,
  };
}
