import { placeNameKey } from "./place-name-key.ts";
import { PLACE_NAME_LIST } from "./place-names.ts";
import { SINGLE_TOKEN_STATE_SPELLINGS, STATE_NAME_WORDS } from "./states.ts";
import {
  DIRECTIONAL_WORDS,
  lookupKey,
  SPELLED_ORDINAL_WORDS,
  SUFFIX_WORDS,
  UNIT_WORDS,
} from "./vocabulary.ts";

/**
 * Feature extraction for the sequence tagger. Training (scripts/train-address-tagger.ts) and parsing share this
 * code, so any change here requires retraining the model.
 */

/** Bump on any change to the features; the model records the version it was trained with and a test compares. */
export const FEATURE_SET_VERSION = 6;

interface TokenTraits {
  word: string;
  shape: string;
  flags: string[];
}

const ORDINAL_NUMBER = /^\d+(st|nd|rd|th)$/;
const DIGITS = /^\d+$/;
const ZIP_PLUS_FOUR = /^\d{5}\D\d{4}$/;
const HAS_DIGIT = /\d/;
const LETTERS = /^[a-z]+$/;
const LETTERS_THEN_DIGITS = /^[a-z]+\d+$/;
const DIGITS_THEN_LETTERS = /^\d+[a-z]+$/;
const NUMBER_RANGE = /^\d+-\d+$/;
const MAX_WORD_FEATURE_LENGTH = 24;

function shapeOf(word: string): string {
  if (word === "") return "empty";
  if (word === "#" || word === "&") return word;
  if (DIGITS.test(word)) return `d${Math.min(word.length, 6)}`;
  if (ORDINAL_NUMBER.test(word)) return "ordinal";
  if (ZIP_PLUS_FOUR.test(word)) return "zip4";
  if (NUMBER_RANGE.test(word)) return "range";
  if (LETTERS.test(word)) return word.length === 1 ? "a1" : word.length <= 3 ? "a3" : "a4";
  if (LETTERS_THEN_DIGITS.test(word)) return "ad";
  if (DIGITS_THEN_LETTERS.test(word)) return "da";
  if (HAS_DIGIT.test(word)) return "dmix";
  return "other";
}

/** Designators of a building or an organisational unit rather than of a suite (usaddress tags them SubaddressType). */
const BUILDING_LEVEL_WORDS: ReadonlySet<string> = new Set([
  "bldg",
  "bld",
  "building",
  "dept",
  "department",
  "tower",
  "wing",
  "hall",
  "msc",
  "mc",
  "file",
]);

function traitsOf(token: string): TokenTraits {
  const word = lookupKey(token);
  const flags: string[] = [];
  if (/[,;]$/.test(token)) flags.push("comma");
  if (token.includes(".")) flags.push("period");
  if (SUFFIX_WORDS.has(word)) flags.push("suffix");
  if (DIRECTIONAL_WORDS.has(word)) flags.push("direction");
  if (SINGLE_TOKEN_STATE_SPELLINGS.has(word)) flags.push("state");
  if (STATE_NAME_WORDS.has(word)) flags.push("stateword");
  if (UNIT_WORDS.has(word)) flags.push("unit");
  if (BUILDING_LEVEL_WORDS.has(word)) flags.push("buildinglevel");
  if (SPELLED_ORDINAL_WORDS.has(word)) flags.push("spelledordinal");
  const firstChar = token.charAt(0);
  if (firstChar !== firstChar.toLowerCase()) flags.push(token === token.toUpperCase() ? "upper" : "capital");
  return { word: word.length <= MAX_WORD_FEATURE_LENGTH ? word : "<long>", shape: shapeOf(word), flags };
}

/** Features that depend on one token's text alone: as seen by itself, by the token after it and by the one before. */
export interface TokenOwnFeatures {
  own: string[];
  seenFromNext: string[];
  seenFromPrevious: string[];
}

function neighbourFeatures(prefix: string, traits: TokenTraits): string[] {
  const features = [`${prefix}w:${traits.word}`, `${prefix}sh:${traits.shape}`];
  for (const flag of traits.flags) features.push(`${prefix}f:${flag}`);
  return features;
}

export function tokenOwnFeatures(token: string): TokenOwnFeatures {
  const traits = traitsOf(token);
  const own = [`w:${traits.word}`, `sh:${traits.shape}`];
  const letters = traits.word.replace(/[^a-z]/g, "");
  if (letters.length >= 4) {
    own.push(`pre3:${letters.slice(0, 3)}`, `suf3:${letters.slice(-3)}`, `suf2:${letters.slice(-2)}`);
  }
  own.push(`len:${Math.min(token.length, 8)}`);
  for (const flag of traits.flags) own.push(`f:${flag}`, `f:${flag}|sh:${traits.shape}`);
  return {
    own,
    seenFromNext: neighbourFeatures("p:", traits),
    seenFromPrevious: neighbourFeatures("n:", traits),
  };
}

const NUMBER_LIKE_SHAPES: ReadonlySet<string> = new Set(["d1", "d2", "d3", "d4", "d5", "d6", "da", "range"]);
const MAX_LOOKAHEAD = 4;

let placeNames: Set<string> | undefined;
const MAX_PLACE_NAME_WORDS = 5;

/** Built on first use, not at import, so that importing the module costs a Worker's cold start nothing. */
function isPlaceName(key: string): boolean {
  placeNames ??= new Set(PLACE_NAME_LIST.split("|"));
  return placeNames.has(key);
}

/**
 * Gazetteer features: for each token, the longest known multi-word place name starting at it (word count, and what
 * follows the name: a state, a ZIP, a comma, the end or something else), and whether such a name started earlier
 * covers it. A name never runs across a comma. Single-word names are left out: where a one-word city stands is
 * already told by position, commas, the state and the ZIP, and the list would be three times longer.
 */
function placeNameFeatures(tokens: readonly string[], traits: readonly TokenTraits[]): string[][] {
  const keys = tokens.map((token) => placeNameKey(token));
  const features = tokens.map((): string[] => []);
  let coveredUntil = -1;
  for (let start = 0; start < tokens.length; start++) {
    let longest = 0;
    let key = "";
    for (let length = 1; length <= MAX_PLACE_NAME_WORDS && start + length <= tokens.length; length++) {
      const word = keys[start + length - 1] ?? "";
      if (word === "") break;
      key = length === 1 ? word : `${key} ${word}`;
      if (length > 1 && isPlaceName(key)) longest = length;
      if (traits[start + length - 1]?.flags.includes("comma")) break;
    }
    if (start <= coveredUntil) features[start]?.push("place:inside");
    if (longest === 0) continue;
    const last = start + longest - 1;
    const after = traits[last + 1];
    const follows = traits[last]?.flags.includes("comma")
      ? "comma"
      : after === undefined
        ? "end"
        : after.flags.includes("state")
          ? "state"
          : after.shape === "d5" || after.shape === "zip4"
            ? "zip"
            : "other";
    const words = Math.min(longest, 3);
    features[start]?.push(`place:start:${words}`, `place:start:${words}|then:${follows}`);
    if (longest > 1) {
      coveredUntil = Math.max(coveredUntil, last);
      for (let index = start + 1; index <= last; index++) features[index]?.push(`place:in|then:${follows}`);
    }
  }
  return features;
}

/** For each token, how many tokens ahead the next token with the flag is (capped), or "none". */
function distanceToNextFlag(traits: readonly TokenTraits[], flag: string): string[] {
  const distances = new Array<string>(traits.length).fill("none");
  let nextIndex = -1;
  for (let index = traits.length - 1; index >= 0; index--) {
    if (nextIndex !== -1) distances[index] = String(Math.min(nextIndex - index, MAX_LOOKAHEAD));
    if (traits[index]?.flags.includes(flag)) nextIndex = index;
  }
  return distances;
}

/**
 * Features that depend on where a token stands in the address. Together with tokenOwnFeatures of the token and its
 * neighbours they make up extractFeatures; parsing caches the own-feature scores per token text, which is why the
 * two are kept apart.
 */
export function contextFeatures(tokens: readonly string[]): string[][] {
  const traits = tokens.map(traitsOf);
  const commasBefore: number[] = [];
  let commaCount = 0;
  for (const trait of traits) {
    commasBefore.push(commaCount);
    if (trait.flags.includes("comma")) commaCount++;
  }
  const lastIndex = tokens.length - 1;
  const numbersBefore: number[] = [];
  let numberCount = 0;
  for (const trait of traits) {
    numbersBefore.push(numberCount);
    if (NUMBER_LIKE_SHAPES.has(trait.shape)) numberCount++;
  }
  const suffixDistance = distanceToNextFlag(traits, "suffix");
  const stateDistance = distanceToNextFlag(traits, "state");
  const places = placeNameFeatures(tokens, traits);
  return traits.map((current, index) => {
    const features = ["bias", ...(places[index] ?? [])];
    const fromStart = Math.min(index, 4);
    const fromEnd = Math.min(lastIndex - index, 4);
    features.push(`start:${fromStart}`, `end:${fromEnd}`, `end:${fromEnd}|sh:${current.shape}`);
    const before = commasBefore[index] ?? 0;
    features.push(`commas:${Math.min(before, 3)}`, `commasafter:${Math.min(commaCount - before, 3)}`);
    features.push(`commasafter:${Math.min(commaCount - before, 3)}|sh:${current.shape}`);
    if (index === 0) features.push("p:none");
    if (index === lastIndex) features.push("n:none");
    features.push(`p2w:${traits[index - 2]?.word ?? "<none>"}`, `n2w:${traits[index + 2]?.word ?? "<none>"}`);
    features.push(
      `n2sh:${traits[index + 2]?.shape ?? "<none>"}`,
      `p2sh:${traits[index - 2]?.shape ?? "<none>"}`,
    );
    features.push(`numbersbefore:${Math.min(numbersBefore[index] ?? 0, 2)}`);
    features.push(`numbersbefore:${Math.min(numbersBefore[index] ?? 0, 2)}|sh:${current.shape}`);
    features.push(`nextsuffix:${suffixDistance[index]}`, `nextstate:${stateDistance[index]}`);
    const previous = traits[index - 1];
    const next = traits[index + 1];
    features.push(`w:${current.word}|nw:${next?.word ?? "<none>"}`);
    features.push(`pw:${previous?.word ?? "<none>"}|w:${current.word}`);
    const segmentStart = index === 0 || (traits[index - 1]?.flags.includes("comma") ?? false);
    if (segmentStart) features.push(`segstart|sh:${current.shape}`, `segstart|commas:${Math.min(before, 3)}`);
    const after = Math.min(commaCount - before, 3);
    features.push(`w:${current.word}|commasafter:${after}`);
    for (const flag of traits[index - 2]?.flags ?? []) features.push(`p2f:${flag}`);
    for (const flag of traits[index + 2]?.flags ?? []) features.push(`n2f:${flag}`);
    features.push(`pw:${previous?.word ?? "<none>"}|sh:${current.shape}`);
    features.push(
      `w:${current.word}|nsh:${next?.shape ?? "<none>"}`,
      `psh:${previous?.shape ?? "<none>"}|w:${current.word}`,
    );
    for (const flag of current.flags) features.push(`f:${flag}|nsh:${next?.shape ?? "<none>"}`);
    features.push(`sh:${current.shape}|nw:${next?.word ?? "<none>"}`);
    features.push(`psh:${previous?.shape ?? "<none>"}|sh:${current.shape}|nsh:${next?.shape ?? "<none>"}`);
    return features;
  });
}

/** One feature list per token (used for training; parsing adds the same features up in two parts). */
export function extractFeatures(tokens: readonly string[]): string[][] {
  const own = tokens.map(tokenOwnFeatures);
  return contextFeatures(tokens).map((features, index) => [
    ...features,
    ...(own[index]?.own ?? []),
    ...(own[index - 1]?.seenFromNext ?? []),
    ...(own[index + 1]?.seenFromPrevious ?? []),
  ]);
}
