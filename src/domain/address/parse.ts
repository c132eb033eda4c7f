import { componentsFromTokens } from "./components.ts";
import { contextFeatures, tokenOwnFeatures } from "./features.ts";
import { componentTag, flattenTransitions, settleScore, viterbiDecode } from "./tagger.ts";
import { TAGGER_MODEL } from "./tagger-model.ts";
import { MAX_ADDRESS_INPUT_LENGTH, tokenizeAddress } from "./tokenize.ts";
import {
  ADDRESS_TAGS,
  type AddressComponents,
  type AddressKind,
  type AddressTag,
  type AddressToken,
  type ParsedAddress,
} from "./types.ts";

const KNOWN_TAGS: ReadonlySet<string> = new Set(ADDRESS_TAGS);

interface LoadedModel {
  tags: AddressTag[];
  weights: Map<string, Float64Array>;
  transitions: Float64Array;
}

let loadedModel: LoadedModel | undefined;

interface TokenScores {
  own: Float64Array;
  seenFromNext: Float64Array;
  seenFromPrevious: Float64Array;
}

/**
 * Most tokens in a batch of addresses repeat ("ST", "IL", "APT"), so the summed weights of the features that
 * depend on a token's text alone are cached per text. Cleared when full: at most about 3 MB per isolate.
 */
const tokenScoreCache = new Map<string, TokenScores>();
const TOKEN_SCORE_CACHE_LIMIT = 4_096;

function sumWeights(features: readonly string[], loaded: LoadedModel): Float64Array {
  const scores = new Float64Array(loaded.tags.length);
  for (const feature of features) {
    const pairs = loaded.weights.get(feature);
    if (pairs === undefined) continue;
    for (let index = 0; index + 1 < pairs.length; index += 2) {
      const tag = pairs[index] as number;
      scores[tag] = (scores[tag] as number) + (pairs[index + 1] as number);
    }
  }
  return scores;
}

function tokenScores(token: string, loaded: LoadedModel): TokenScores {
  let scores = tokenScoreCache.get(token);
  if (scores === undefined) {
    const features = tokenOwnFeatures(token);
    scores = {
      own: sumWeights(features.own, loaded),
      seenFromNext: sumWeights(features.seenFromNext, loaded),
      seenFromPrevious: sumWeights(features.seenFromPrevious, loaded),
    };
    if (tokenScoreCache.size >= TOKEN_SCORE_CACHE_LIMIT) tokenScoreCache.clear();
    tokenScoreCache.set(token, scores);
  }
  return scores;
}

function cachedEmissionScores(tokenTexts: readonly string[], loaded: LoadedModel): Float64Array[] {
  const perToken = tokenTexts.map((token) => tokenScores(token, loaded));
  return contextFeatures(tokenTexts).map((features, index) => {
    const scores = sumWeights(features, loaded);
    const parts = [
      perToken[index]?.own,
      perToken[index - 1]?.seenFromNext,
      perToken[index + 1]?.seenFromPrevious,
    ];
    for (const part of parts) {
      if (part === undefined) continue;
      for (let tag = 0; tag < scores.length; tag++)
        scores[tag] = (scores[tag] as number) + (part[tag] as number);
    }
    for (let tag = 0; tag < scores.length; tag++) scores[tag] = settleScore(scores[tag] as number);
    return scores;
  });
}

/** Built on first use, not at import, so that importing the module costs a Worker's cold start nothing. */
function model(): LoadedModel {
  if (loadedModel === undefined) {
    const tags = TAGGER_MODEL.tags.map((modelTag) => {
      const tag = componentTag(modelTag);
      if (!KNOWN_TAGS.has(tag)) throw new Error(`address tagger model has unknown tag ${modelTag}`);
      return tag as AddressTag;
    });
    loadedModel = {
      tags,
      weights: new Map(
        Object.entries(TAGGER_MODEL.weights).map(([feature, pairs]) => [feature, Float64Array.from(pairs)]),
      ),
      transitions: flattenTransitions(TAGGER_MODEL.transitions, tags.length),
    };
  }
  return loadedModel;
}

function classify(components: AddressComponents, tokenCount: number): AddressKind {
  if (tokenCount === 0) return "empty";
  if (components.IntersectionSeparator !== undefined) return "intersection";
  if (components.AddressNumber === undefined && components.USPSBoxID !== undefined) return "po-box";
  if (components.AddressNumber !== undefined || components.StreetName !== undefined) return "street";
  if (components.USPSBoxType !== undefined) return "po-box";
  return "other";
}

/** Split a free-text US address into usaddress-style components. Never throws; empty input gives kind "empty". */
export function parseAddress(input: string): ParsedAddress {
  const text = typeof input === "string" ? input : "";
  const truncated = text.length > MAX_ADDRESS_INPUT_LENGTH;
  const tokenTexts = tokenizeAddress(truncated ? text.slice(0, MAX_ADDRESS_INPUT_LENGTH) : text);
  const loaded = model();
  const path = viterbiDecode(
    cachedEmissionScores(tokenTexts, loaded),
    loaded.transitions,
    loaded.tags.length,
  );
  const tokens: AddressToken[] = tokenTexts.map((tokenText, index) => ({
    text: tokenText,
    tag: loaded.tags[path[index] ?? 0] ?? "NotAddress",
  }));
  const components = componentsFromTokens(tokens);
  return { truncated, tokens, components, kind: classify(components, tokens.length) };
}
