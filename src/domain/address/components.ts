import { stripTrailingSeparators } from "./tokenize.ts";
import type { AddressComponents, AddressToken } from "./types.ts";

/** Components from labelled tokens: tokens of one tag joined by spaces, in input order. */
export function componentsFromTokens(tokens: readonly AddressToken[]): AddressComponents {
  const components: AddressComponents = {};
  for (const token of tokens) {
    const text = stripTrailingSeparators(token.text);
    if (text === "") continue;
    const existing = components[token.tag];
    components[token.tag] = existing === undefined ? text : `${existing} ${text}`;
  }
  return components;
}
