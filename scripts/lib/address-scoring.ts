/**
 * Comparing parser output with usaddress labels.
 *
 * The labels mark the raw text, so the comparison is on raw text too, not on the normalized output. For each tag,
 * the tokens carrying it are joined in order; both sides are then lowercased and stripped of whitespace and of the
 * characters . , ; : ( ) so that "St.," equals "St" and "#2510" equals "# 2510" (our tokenizer splits "#").
 * A tag counts as right for an address when both sides agree (including both absent). An address is fully right
 * when every tag is right.
 */
import { parseAddress } from "../../src/domain/address/parse.ts";
import type { AddressComponents } from "../../src/domain/address/types.ts";
import type { LabelledAddress } from "./labelled-addresses.ts";

export interface TagScore {
  tag: string;
  /** Addresses where the label has this tag. */
  labelled: number;
  /** Addresses where the parser produced this tag. */
  predicted: number;
  /** Addresses where both have it with equal text. */
  matched: number;
}

export interface EvaluationResult {
  addresses: number;
  fullyRight: number;
  tagScores: TagScore[];
  failures: Array<{ raw: string; expected: Record<string, string>; actual: Record<string, string> }>;
}

export function comparisonKey(text: string): string {
  return text.toLowerCase().replace(/[\s.,;:()]+/g, "");
}

function keyedComponents(components: AddressComponents | Record<string, string>): Record<string, string> {
  const keyed: Record<string, string> = {};
  for (const [tag, text] of Object.entries(components)) {
    if (text === undefined) continue;
    const key = comparisonKey(text);
    if (key !== "") keyed[tag] = key;
  }
  return keyed;
}

function labelComponents(address: LabelledAddress): Record<string, string> {
  const joined: Record<string, string> = {};
  for (const token of address.tokens) {
    joined[token.tag] = joined[token.tag] === undefined ? token.text : `${joined[token.tag]} ${token.text}`;
  }
  return joined;
}

export function evaluateParser(addresses: readonly LabelledAddress[]): EvaluationResult {
  const scores = new Map<string, TagScore>();
  const scoreFor = (tag: string): TagScore => {
    let score = scores.get(tag);
    if (score === undefined) {
      score = { tag, labelled: 0, predicted: 0, matched: 0 };
      scores.set(tag, score);
    }
    return score;
  };
  let fullyRight = 0;
  const failures: EvaluationResult["failures"] = [];
  for (const address of addresses) {
    const expected = keyedComponents(labelComponents(address));
    const actual = keyedComponents(parseAddress(address.raw).components);
    let allRight = true;
    for (const tag of new Set([...Object.keys(expected), ...Object.keys(actual)])) {
      const score = scoreFor(tag);
      const expectedKey = expected[tag];
      const actualKey = actual[tag];
      if (expectedKey !== undefined) score.labelled++;
      if (actualKey !== undefined) score.predicted++;
      if (expectedKey !== undefined && expectedKey === actualKey) score.matched++;
      else allRight = false;
    }
    if (allRight) fullyRight++;
    else failures.push({ raw: address.raw, expected, actual });
  }
  const tagScores = [...scores.values()].sort((left, right) => right.labelled - left.labelled);
  return { addresses: addresses.length, fullyRight, tagScores, failures };
}
