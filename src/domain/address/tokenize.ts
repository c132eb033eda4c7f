/**
 * Input longer than this is cut before tokenizing. Real one-line US addresses stay well under 200 characters;
 * the cap bounds the work per call on hostile or corrupt input.
 */
export const MAX_ADDRESS_INPUT_LENGTH = 1000;

/** Tokens beyond this count are dropped so decoding stays bounded even for 1,000 one-letter words. */
export const MAX_ADDRESS_TOKENS = 64;

// Linear-time pattern: each alternative consumes at least one character and none can overlap another, so there is
// no backtracking blow-up. "#" and "&" become tokens of their own ("#4" -> "#", "4"), like usaddress does.
const TOKEN_PATTERN = /[#&][,;]*|[^\s,;#&]+[,;]*|[,;]+/g;

/** Split an address into tokens. Trailing commas and semicolons stay on the token because they mark boundaries. */
export function tokenizeAddress(input: string): string[] {
  const tokens: string[] = [];
  for (const match of input.matchAll(TOKEN_PATTERN)) {
    const text = match[0];
    if (text[0] === "," || text[0] === ";") {
      const lastIndex = tokens.length - 1;
      const previous = tokens[lastIndex];
      if (previous !== undefined && !previous.endsWith(",")) tokens[lastIndex] = `${previous},`;
      continue;
    }
    if (tokens.length === MAX_ADDRESS_TOKENS) break;
    tokens.push(text);
  }
  return tokens;
}

/** Token text without trailing commas or semicolons, as it appears in components. */
export function stripTrailingSeparators(token: string): string {
  let end = token.length;
  while (end > 0 && (token[end - 1] === "," || token[end - 1] === ";")) end--;
  return token.slice(0, end);
}
