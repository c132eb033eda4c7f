/**
 * Trains the address sequence tagger on the DEVELOPMENT split of the usaddress labelled data (never on the held-out
 * split, see scripts/lib/labelled-addresses.ts) and writes src/domain/address/tagger-model.ts.
 *
 *   ./node_modules/.bin/node scripts/train-address-tagger.ts [data/address/usaddress_training_labeled.xml]
 *   ./node_modules/.bin/node scripts/train-address-tagger.ts --cross-validate   (5-fold CV inside dev, writes nothing)
 *
 * Deterministic: fixed epoch count and a seeded shuffle, so rerunning reproduces the committed model byte for byte.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { componentsFromTokens } from "../src/domain/address/components.ts";
import { extractFeatures, FEATURE_SET_VERSION } from "../src/domain/address/features.ts";
import {
  CONTINUATION_MARK,
  componentTag,
  emissionScores,
  flattenTransitions,
  type TaggerModel,
  viterbiDecode,
} from "../src/domain/address/tagger.ts";
import { tokenizeAddress } from "../src/domain/address/tokenize.ts";
import { ADDRESS_TAGS } from "../src/domain/address/types.ts";
import { comparisonKey } from "./lib/address-scoring.ts";
import { trainCrf } from "./lib/crf-trainer.ts";
import { type LabelledAddress, parseLabelledXml, selectSplit } from "./lib/labelled-addresses.ts";

function numericArgument(name: string, fallback: number): number {
  const index = process.argv.indexOf(name);
  return index === -1 ? fallback : Number(process.argv[index + 1]);
}

const EPOCHS = numericArgument("--epochs", 15);
/** Hamming-loss-augmented decoding while training (a margin): each wrong tag gets this bonus. */
const MARGIN = numericArgument("--margin", 0);
const SHUFFLE_SEED = numericArgument("--seed", 20261127);
/** Perceptron (--perceptron) only. Five members: 74.7% full-address 5-fold CV inside dev, 72.5% for one. */
const ENSEMBLE_MEMBERS = numericArgument("--members", 5);
const WEIGHT_DECIMALS = numericArgument("--decimals", 2);

interface TrainingExample {
  tokens: string[];
  featureLists: string[][];
  goldTags: number[];
}

/**
 * Tags that get a continuation tag (CONTINUATION_MARK) for their second and later tokens. StreetName and PlaceName:
 * 77.9% 5-fold CV against 76.5% without (and with two shuffle seeds); adding Recipient gave 77.6%, StreetName
 * alone 77.0%, fifteen tags 77.3%.
 */
function listArgument(name: string, fallback: readonly string[]): readonly string[] {
  const index = process.argv.indexOf(name);
  return index === -1 ? fallback : (process.argv[index + 1] ?? "").split(",").filter((tag) => tag !== "");
}
const CONTINUED_TAGS = listArgument("--continued", ["StreetName", "PlaceName"]);
for (const tag of CONTINUED_TAGS) {
  if (!(ADDRESS_TAGS as readonly string[]).includes(tag)) throw new Error(`--continued: unknown tag ${tag}`);
}
/** Model tags: the usaddress tags, then the continuation tags. */
const MODEL_TAGS: readonly string[] = [
  ...ADDRESS_TAGS,
  ...CONTINUED_TAGS.map((tag) => tag + CONTINUATION_MARK),
];
const baseTag = componentTag;
const tagIndexByName = new Map<string, number>(MODEL_TAGS.map((tag, index) => [tag, index]));
const tagCount = MODEL_TAGS.length;

export function toTrainingExample(address: LabelledAddress): TrainingExample {
  const tokens: string[] = [];
  const goldTags: number[] = [];
  for (const labelled of address.tokens) {
    const tagIndex = tagIndexByName.get(labelled.tag);
    if (tagIndex === undefined) throw new Error(`unknown tag ${labelled.tag}`);
    for (const piece of tokenizeAddress(labelled.text)) {
      const previous = MODEL_TAGS[goldTags[goldTags.length - 1] ?? -1];
      const continued =
        previous !== undefined && baseTag(previous) === labelled.tag
          ? tagIndexByName.get(labelled.tag + CONTINUATION_MARK)
          : undefined;
      tokens.push(piece);
      goldTags.push(continued ?? tagIndex);
    }
  }
  return { tokens, featureLists: extractFeatures(tokens), goldTags };
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

export function trainTagger(examples: TrainingExample[], epochs: number, seed: number): TaggerModel {
  const weights = new Map<string, Float64Array>();
  const weightTotals = new Map<string, Float64Array>();
  const transitionSize = tagCount + 1;
  const transitions = new Float64Array(transitionSize * transitionSize);
  const transitionTotals = new Float64Array(transitionSize * transitionSize);
  const denseWeights = (feature: string): Float64Array => {
    let vector = weights.get(feature);
    if (vector === undefined) {
      vector = new Float64Array(tagCount);
      weights.set(feature, vector);
      weightTotals.set(feature, new Float64Array(tagCount));
    }
    return vector;
  };
  const sparseView = (feature: string): number[] | undefined => {
    const vector = weights.get(feature);
    if (vector === undefined) return undefined;
    const pairs: number[] = [];
    vector.forEach((weight, tag) => {
      if (weight !== 0) pairs.push(tag, weight);
    });
    return pairs;
  };
  const random = mulberry32(seed);
  const order = examples.map((_, index) => index);
  let step = 1;
  for (let epoch = 0; epoch < epochs; epoch++) {
    for (let index = order.length - 1; index > 0; index--) {
      const swapWith = Math.floor(random() * (index + 1));
      [order[index], order[swapWith]] = [order[swapWith] ?? 0, order[index] ?? 0];
    }
    for (const exampleIndex of order) {
      const example = examples[exampleIndex];
      if (example === undefined) continue;
      const emissions = emissionScores(example.featureLists, sparseView, tagCount);
      if (MARGIN > 0) {
        emissions.forEach((scores, position) => {
          for (let tag = 0; tag < tagCount; tag++) {
            if (tag !== example.goldTags[position]) scores[tag] = (scores[tag] ?? 0) + MARGIN;
          }
        });
      }
      const predicted = viterbiDecode(emissions, transitions, tagCount);
      if (predicted.some((tag, position) => tag !== example.goldTags[position])) {
        const update = (tags: readonly number[], delta: number) => {
          let previous: number = tagCount;
          tags.forEach((tag, position) => {
            for (const feature of example.featureLists[position] ?? []) {
              const vector = denseWeights(feature);
              const totals = weightTotals.get(feature);
              vector[tag] = (vector[tag] ?? 0) + delta;
              if (totals) totals[tag] = (totals[tag] ?? 0) + delta * step;
            }
            const cell = previous * transitionSize + tag;
            transitions[cell] = (transitions[cell] ?? 0) + delta;
            transitionTotals[cell] = (transitionTotals[cell] ?? 0) + delta * step;
            previous = tag;
          });
          const endCell = previous * transitionSize + tagCount;
          transitions[endCell] = (transitions[endCell] ?? 0) + delta;
          transitionTotals[endCell] = (transitionTotals[endCell] ?? 0) + delta * step;
        };
        update(example.goldTags, 1);
        update(predicted, -1);
      }
      step++;
    }
  }
  const scale = 10 ** WEIGHT_DECIMALS;
  const average = (weight: number, total: number) => Math.round((weight - total / step) * scale) / scale;
  const averagedWeights: Record<string, number[]> = {};
  for (const feature of [...weights.keys()].sort()) {
    const vector = weights.get(feature) ?? new Float64Array(tagCount);
    const totals = weightTotals.get(feature) ?? new Float64Array(tagCount);
    const pairs: number[] = [];
    vector.forEach((weight, tag) => {
      const averaged = average(weight, totals[tag] ?? 0);
      if (averaged !== 0) pairs.push(tag, averaged);
    });
    if (pairs.length > 0) averagedWeights[feature] = pairs;
  }
  const averagedTransitions = Array.from({ length: transitionSize }, (_, row) =>
    Array.from({ length: transitionSize }, (_, column) => {
      const cell = row * transitionSize + column;
      return average(transitions[cell] ?? 0, transitionTotals[cell] ?? 0);
    }),
  );
  return {
    featureSetVersion: FEATURE_SET_VERSION,
    tags: [...MODEL_TAGS],
    transitions: averagedTransitions,
    weights: averagedWeights,
  };
}

/** Sum of models trained with different shuffles; averaging several perceptrons lowers their variance. */
export function trainEnsemble(
  examples: TrainingExample[],
  members: number,
  trainMember: (examples: TrainingExample[], seed: number) => TaggerModel = (memberExamples, seed) =>
    trainTagger(memberExamples, EPOCHS, seed),
): TaggerModel {
  const models = Array.from({ length: members }, (_, member) => trainMember(examples, SHUFFLE_SEED + member));
  const scale = 10 ** WEIGHT_DECIMALS;
  const round = (value: number) => Math.round((value / members) * scale) / scale;
  const summedWeights = new Map<string, Float64Array>();
  for (const model of models) {
    for (const [feature, pairs] of Object.entries(model.weights)) {
      let vector = summedWeights.get(feature);
      if (vector === undefined) {
        vector = new Float64Array(tagCount);
        summedWeights.set(feature, vector);
      }
      for (let index = 0; index + 1 < pairs.length; index += 2) {
        const tag = pairs[index] ?? 0;
        vector[tag] = (vector[tag] ?? 0) + (pairs[index + 1] ?? 0);
      }
    }
  }
  const weights: Record<string, number[]> = {};
  for (const feature of [...summedWeights.keys()].sort()) {
    const pairs: number[] = [];
    (summedWeights.get(feature) ?? new Float64Array(0)).forEach((weight, tag) => {
      const averaged = round(weight);
      if (averaged !== 0) pairs.push(tag, averaged);
    });
    if (pairs.length > 0) weights[feature] = pairs;
  }
  const transitions = (models[0]?.transitions ?? []).map((row, rowIndex) =>
    row.map((_, column) =>
      round(models.reduce((sum, model) => sum + (model.transitions[rowIndex]?.[column] ?? 0), 0)),
    ),
  );
  return { featureSetVersion: FEATURE_SET_VERSION, tags: [...MODEL_TAGS], transitions, weights };
}

/** The CRF is the default; --perceptron trains the older averaged-perceptron ensemble instead. */
const USE_CRF = !process.argv.includes("--perceptron");
const CRF_L2 = numericArgument("--l2", 0.2);
const CRF_STEP = numericArgument("--step", 0.1);
const CRF_MEMBERS = numericArgument("--crf-members", 1);
const CRF_PRUNE = numericArgument("--prune", 0.02);

function trainModel(examples: TrainingExample[]): TaggerModel {
  if (!USE_CRF) return trainEnsemble(examples, ENSEMBLE_MEMBERS);
  const trainMember = (memberExamples: TrainingExample[], seed: number) =>
    trainCrf(memberExamples, {
      tags: [...MODEL_TAGS],
      featureSetVersion: FEATURE_SET_VERSION,
      epochs: EPOCHS,
      l2: CRF_L2,
      initialStep: CRF_STEP,
      seed,
      decimals: WEIGHT_DECIMALS,
      prune: CRF_PRUNE,
    });
  return CRF_MEMBERS === 1
    ? trainMember(examples, SHUFFLE_SEED)
    : trainEnsemble(examples, CRF_MEMBERS, trainMember);
}

/**
 * K-fold cross-validation inside the development split: share of addresses whose every token tag is right.
 * trainingShare < 1 trains each fold on that share of its training addresses only (a learning curve);
 * onTraining scores each fold's model on its own training addresses (how well the model can fit the labels at all).
 */
function crossValidate(
  examples: TrainingExample[],
  folds: number,
  trainingShare = 1,
  onTraining = false,
): { tokens: number; components: number } {
  let right = 0;
  let componentsRight = 0;
  let tested = 0;
  for (let fold = 0; fold < folds; fold++) {
    const allTraining = examples.filter((_, index) => index % folds !== fold);
    // Every k-th address rather than the first ones: the file is ordered by source, and sources differ in style.
    const training = allTraining.filter((_, index) => index % 20 < Math.round(20 * trainingShare));
    const testing = onTraining ? training : examples.filter((_, index) => index % folds === fold);
    tested += testing.length;
    const model = trainModel(training);
    const weightsByFeature = new Map(Object.entries(model.weights));
    for (const example of testing) {
      const emissions = emissionScores(
        example.featureLists,
        (feature) => weightsByFeature.get(feature),
        tagCount,
      );
      const predicted = viterbiDecode(emissions, flattenTransitions(model.transitions, tagCount), tagCount);
      const componentKeys = (tags: readonly number[]) => {
        const components = componentsFromTokens(
          example.tokens.map((text, position) => ({
            text,
            tag: baseTag(MODEL_TAGS[tags[position] ?? 0] ?? "NotAddress") as (typeof ADDRESS_TAGS)[number],
          })),
        );
        return JSON.stringify(
          Object.entries(components)
            .map(([tag, text]) => [tag, comparisonKey(text ?? "")])
            .sort(),
        );
      };
      if (componentKeys(predicted) === componentKeys(example.goldTags)) componentsRight++;
      const base = (tags: readonly number[]) => tags.map((tag) => baseTag(MODEL_TAGS[tag] ?? ""));
      const predictedBase = base(predicted);
      const goldBase = base(example.goldTags);
      if (predictedBase.every((tag, position) => tag === goldBase[position])) right++;
      else if (process.argv.includes("--show-errors")) {
        console.log(
          example.tokens
            .map((token, position) => {
              const gold = goldBase[position];
              const guess = predictedBase[position];
              return gold === guess ? `${token}/${gold}` : `${token}/${gold}!=${guess}`;
            })
            .join(" "),
        );
      }
    }
  }
  return { tokens: right / tested, components: componentsRight / tested };
}

/** The literal the formatter (Biome) would write for this string, so regenerating leaves no formatting diff. */
function singleQuotedLiteral(text: string): string {
  return `'${text.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}

function main(): void {
  const projectRoot = join(dirname(fileURLToPath(import.meta.url)), "..");
  const xmlPath =
    process.argv.slice(2).find((argument) => argument.endsWith(".xml")) ??
    join(projectRoot, "data/address/usaddress_training_labeled.xml");
  const development = selectSplit(parseLabelledXml(readFileSync(xmlPath, "utf8")), "dev");
  if (process.argv.includes("--cross-validate")) {
    const trainingShare = numericArgument("--training-share", 1);
    const onTraining = process.argv.includes("--on-training");
    const shares = crossValidate(development.map(toTrainingExample), 5, trainingShare, onTraining);
    const what = `${onTraining ? "scored on the training folds" : "5-fold cross-validation on dev"}${
      trainingShare < 1 ? `, training on ${100 * trainingShare}% of each training fold` : ""
    }`;
    console.log(
      `${what}, addresses fully right: ${(100 * shares.tokens).toFixed(1)}% by token tags, ` +
        `${(100 * shares.components).toFixed(1)}% by components (the address-eval rule)`,
    );
    return;
  }
  const model = trainModel(development.map(toTrainingExample));
  const outputPath = join(projectRoot, "src/domain/address/tagger-model.ts");
  const output = `// GENERATED FILE, do not edit by hand. Regenerate with: ./node_modules/.bin/node scripts/train-address-tagger.ts
// Linear-chain CRF weights (L2-regularized SGD) learned from the ${development.length} DEVELOPMENT addresses of
// data/address/usaddress_training_labeled.xml (usaddress labelled data, MIT, see data/address/README.md);
// the held-out split is never used for training. Features: src/domain/address/features.ts.
import type { TaggerModel } from "./tagger.ts";

// A JSON string parses faster than an equivalent object literal and keeps the type checker fast.
export const TAGGER_MODEL: TaggerModel = JSON.parse(
  ${singleQuotedLiteral(JSON.stringify(model))},
);
`;
  writeFileSync(outputPath, output);
  console.error(`wrote ${outputPath}: ${Object.keys(model.weights).length} features, ${output.length} bytes`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
