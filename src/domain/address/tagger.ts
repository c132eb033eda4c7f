/**
 * First-order linear-chain tagger (CRF weights, Viterbi decoding). The weights are
 * learned from the development part of the usaddress labelled data by scripts/train-address-tagger.ts.
 */

/**
 * Suffix of the extra model tags that mark a token continuing a component of the same tag ("Little" and "Rock" in
 * "North Little Rock" are PlaceName:cont after a PlaceName). With them a first-order model knows whether a name has
 * already begun; they become the plain tag in the output.
 */
export const CONTINUATION_MARK = ":cont";

/** The usaddress tag of a model tag: "StreetName:cont" -> "StreetName". */
export function componentTag(modelTag: string): string {
  return modelTag.endsWith(CONTINUATION_MARK) ? modelTag.slice(0, -CONTINUATION_MARK.length) : modelTag;
}

export interface TaggerModel {
  /** FEATURE_SET_VERSION of features.ts at training time. */
  featureSetVersion: number;
  /** Tag names (usaddress tags and continuation tags); a tag's index is its position here. */
  tags: string[];
  /** Row per previous tag plus a final START row; column per next tag plus a final END column. */
  transitions: number[][];
  /** Feature name to a flat list of (tag index, weight) pairs. */
  weights: Record<string, number[]>;
}

/**
 * Emission scores are sums of weights with two decimals, so their exact values are multiples of 0.01; floating-point
 * sums in different orders (the parser adds cached per-token parts) can differ in the last bits and break an exact
 * tie between two paths differently. Rounding every emission score to 1e-6 makes equal sums equal doubles.
 */
export function settleScore(score: number): number {
  return Math.round(score * 1e6) / 1e6;
}

/** Scores of each tag for each token, from the features present. */
export function emissionScores(
  featureLists: readonly string[][],
  weightsFor: (feature: string) => ArrayLike<number> | undefined,
  tagCount: number,
): Float64Array[] {
  return featureLists.map((features) => {
    const scores = new Float64Array(tagCount);
    for (const feature of features) {
      const pairs = weightsFor(feature);
      if (pairs === undefined) continue;
      for (let pairIndex = 0; pairIndex + 1 < pairs.length; pairIndex += 2) {
        const tagIndex = pairs[pairIndex] ?? 0;
        scores[tagIndex] = (scores[tagIndex] ?? 0) + (pairs[pairIndex + 1] ?? 0);
      }
    }
    for (let tag = 0; tag < tagCount; tag++) scores[tag] = settleScore(scores[tag] ?? 0);
    return scores;
  });
}

/** Row-major (tagCount + 1) x (tagCount + 1) copy of model transitions, for fast indexing while decoding. */
export function flattenTransitions(
  transitions: readonly (readonly number[])[],
  tagCount: number,
): Float64Array {
  const size = tagCount + 1;
  const flat = new Float64Array(size * size);
  for (let row = 0; row < size; row++) {
    for (let column = 0; column < size; column++) flat[row * size + column] = transitions[row]?.[column] ?? 0;
  }
  return flat;
}

/**
 * Highest-scoring tag index sequence. transitions is flat row-major (tagCount + 1) x (tagCount + 1): row tagCount
 * is START, column tagCount is END.
 */
export function viterbiDecode(
  emissions: readonly Float64Array[],
  transitions: Float64Array,
  tagCount: number,
): number[] {
  const tokenCount = emissions.length;
  if (tokenCount === 0) return [];
  const size = tagCount + 1;
  const backPointers = new Int32Array(tokenCount * tagCount);
  let previousScores = new Float64Array(tagCount);
  let scores = new Float64Array(tagCount);
  const firstEmission = emissions[0] as Float64Array;
  const startOffset = tagCount * size;
  for (let tag = 0; tag < tagCount; tag++) {
    previousScores[tag] = (firstEmission[tag] as number) + (transitions[startOffset + tag] as number);
  }
  for (let position = 1; position < tokenCount; position++) {
    const emission = emissions[position] as Float64Array;
    const pointerOffset = position * tagCount;
    for (let tag = 0; tag < tagCount; tag++) {
      let best = Number.NEGATIVE_INFINITY;
      let bestPrevious = 0;
      for (let previous = 0; previous < tagCount; previous++) {
        const candidate =
          (previousScores[previous] as number) + (transitions[previous * size + tag] as number);
        if (candidate > best) {
          best = candidate;
          bestPrevious = previous;
        }
      }
      scores[tag] = best + (emission[tag] as number);
      backPointers[pointerOffset + tag] = bestPrevious;
    }
    [previousScores, scores] = [scores, previousScores];
  }
  let bestLast = 0;
  let bestFinal = Number.NEGATIVE_INFINITY;
  for (let tag = 0; tag < tagCount; tag++) {
    const candidate = (previousScores[tag] as number) + (transitions[tag * size + tagCount] as number);
    if (candidate > bestFinal) {
      bestFinal = candidate;
      bestLast = tag;
    }
  }
  const path = new Array<number>(tokenCount);
  path[tokenCount - 1] = bestLast;
  for (let position = tokenCount - 1; position > 0; position--) {
    path[position - 1] = backPointers[position * tagCount + (path[position] as number)] as number;
  }
  return path;
}
