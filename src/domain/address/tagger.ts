/**
 * First-order linear-chain tagger (averaged structured perceptron weights, Viterbi decoding). The weights are
 * learned from the development part of the usaddress labelled data by scripts/train-address-tagger.ts.
 */

export interface TaggerModel {
  /** Tag names; a tag's index is its position here. */
  tags: string[];
  /** Row per previous tag plus a final START row; column per next tag plus a final END column. */
  transitions: number[][];
  /** Feature name to a flat list of (tag index, weight) pairs. */
  weights: Record<string, number[]>;
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
    return scores;
  });
}

/** Highest-scoring tag index sequence. transitions is (tagCount + 1) x (tagCount + 1): START row, END column. */
export function viterbiDecode(
  emissions: readonly Float64Array[],
  transitions: readonly ArrayLike<number>[],
  tagCount: number,
): number[] {
  const tokenCount = emissions.length;
  if (tokenCount === 0) return [];
  const startRow = transitions[tagCount];
  const backPointers: Int32Array[] = [];
  let previousScores = new Float64Array(tagCount);
  const firstEmission = emissions[0] ?? new Float64Array(tagCount);
  for (let tag = 0; tag < tagCount; tag++) {
    previousScores[tag] = (firstEmission[tag] ?? 0) + (startRow?.[tag] ?? 0);
  }
  for (let position = 1; position < tokenCount; position++) {
    const emission = emissions[position] ?? new Float64Array(tagCount);
    const scores = new Float64Array(tagCount);
    const pointers = new Int32Array(tagCount);
    for (let tag = 0; tag < tagCount; tag++) {
      let best = Number.NEGATIVE_INFINITY;
      let bestPrevious = 0;
      for (let previous = 0; previous < tagCount; previous++) {
        const candidate = (previousScores[previous] ?? 0) + (transitions[previous]?.[tag] ?? 0);
        if (candidate > best) {
          best = candidate;
          bestPrevious = previous;
        }
      }
      scores[tag] = best + (emission[tag] ?? 0);
      pointers[tag] = bestPrevious;
    }
    backPointers.push(pointers);
    previousScores = scores;
  }
  let bestLast = 0;
  let bestFinal = Number.NEGATIVE_INFINITY;
  for (let tag = 0; tag < tagCount; tag++) {
    const candidate = (previousScores[tag] ?? 0) + (transitions[tag]?.[tagCount] ?? 0);
    if (candidate > bestFinal) {
      bestFinal = candidate;
      bestLast = tag;
    }
  }
  const path = new Array<number>(tokenCount);
  path[tokenCount - 1] = bestLast;
  for (let position = tokenCount - 1; position > 0; position--) {
    const pointers = backPointers[position - 1];
    path[position - 1] = pointers?.[path[position] ?? 0] ?? 0;
  }
  return path;
}
