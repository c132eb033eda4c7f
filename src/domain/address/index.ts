export { formatAddress, normalizeAddress, normalizeComponent } from "./format.ts";
export { addressHash, addressIdentityKey } from "./hash.ts";
export { parseAddress } from "./parse.ts";
export { stateCodeFor } from "./states.ts";
export { MAX_ADDRESS_INPUT_LENGTH, MAX_ADDRESS_TOKENS, tokenizeAddress } from "./tokenize.ts";
export {
  ADDRESS_TAGS,
  type AddressComponents,
  type AddressKind,
  type AddressTag,
  type AddressToken,
  type NormalizedAddress,
  type ParsedAddress,
} from "./types.ts";
