import { componentsFromTokens } from "./components.ts";
import { extractFeatures } from "./features.ts";
import { emissionScores, flattenTransitions, viterbiDecode } from "./tagger.ts";
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

/** Built on first use, not at import, so that importing the module costs a Worker's cold start nothing. */
function model(): LoadedModel {
  if (loadedModel === undefined) {
    const tags = TAGGER_MODEL.tags.map((tag) => {
      if (!KNOWN_TAGS.has(tag)) throw new Error(`address tagger model has unknown tag ${tag}`);
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
  const { tags, weights, transitions } = model();
  const emissions = emissionScores(
    extractFeatures(tokenTexts),
    (feature) => weights.get(feature),
    tags.length,
  );
  const path = viterbiDecode(emissions, transitions, tags.length);
  const tokens: AddressToken[] = tokenTexts.map((tokenText, index) => ({
    text: tokenText,
    tag: tags[path[index] ?? 0] ?? "NotAddress",
  }));
  const components = componentsFromTokens(tokens);
  return { truncated, tokens, components, kind: classify(components, tokens.length) };
}
