/**
 * Component tags follow the usaddress tag set (https://github.com/datamade/usaddress) so that parser output can be
 * compared token for token with its labelled data.
 */
export const ADDRESS_TAGS = [
  "AddressNumberPrefix",
  "AddressNumber",
  "AddressNumberSuffix",
  "StreetNamePreModifier",
  "StreetNamePreDirectional",
  "StreetNamePreType",
  "StreetName",
  "StreetNamePostType",
  "StreetNamePostDirectional",
  "StreetNamePostModifier",
  "SubaddressType",
  "SubaddressIdentifier",
  "BuildingName",
  "OccupancyType",
  "OccupancyIdentifier",
  "CornerOf",
  "LandmarkName",
  "PlaceName",
  "StateName",
  "ZipCode",
  "USPSBoxType",
  "USPSBoxID",
  "USPSBoxGroupType",
  "USPSBoxGroupID",
  "IntersectionSeparator",
  "Recipient",
  "NotAddress",
  "CountryName",
] as const;

export type AddressTag = (typeof ADDRESS_TAGS)[number];

export interface AddressToken {
  /** The token as written, including trailing punctuation such as "St.," */
  text: string;
  tag: AddressTag;
}

/** Tokens of one tag joined by single spaces, trailing commas and semicolons removed, original case kept. */
export type AddressComponents = Partial<Record<AddressTag, string>>;

export type AddressKind = "street" | "intersection" | "po-box" | "other" | "empty";

export interface ParsedAddress {
  /** True when the input was longer than MAX_ADDRESS_INPUT_LENGTH and only its start was parsed. */
  truncated: boolean;
  tokens: AddressToken[];
  components: AddressComponents;
  kind: AddressKind;
}

/** Publication 28 form of each component present (uppercase, standard abbreviations, no punctuation). */
export interface NormalizedAddress {
  components: AddressComponents;
  /** Number, street, secondary unit or PO box, e.g. "123 N MAIN ST APT 4". Empty when none was found. */
  deliveryLine: string;
  /** City, state and ZIP, e.g. "SPRINGFIELD IL 62701-1234". Empty when none was found. */
  lastLine: string;
  /** deliveryLine and lastLine joined by one space. */
  singleLine: string;
}
