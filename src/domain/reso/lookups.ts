// RESO Data Dictionary 2.0 lookups this service serves, and how the product's own values map onto them. Lookups
// are Edm.String fields annotated RESO.OData.Metadata.LookupName (DD 2.0); the Lookup resource lists exactly the
// values below, so a payload never carries a lookup value the Lookup resource does not declare.
import type { ListingStatus } from "../property-status.ts";
import type { PropertyType } from "../property-types.ts";
import { US_STATE_CODES } from "../us-states.ts";

export type LookupName = "StandardStatus" | "PropertyType" | "PropertySubType" | "StateOrProvince";

export interface LookupDefinition {
  /** The product's stored value -> the Data Dictionary value (null: the dictionary has none for it). */
  fromProduct: Readonly<Record<string, string | null>>;
  /** Every value the lookup declares, in the order the Lookup resource lists them. */
  values: readonly string[];
}

/** Deleted properties stay in the feed as tombstones with StandardStatus Delete, as RESO feeds show deletions. */
const STANDARD_STATUS: Readonly<Record<ListingStatus | "deleted", string>> = {
  active: "Active",
  pending: "Pending",
  sold: "Closed",
  off_market: "Withdrawn",
  deleted: "Delete",
};

const PROPERTY_TYPE: Readonly<Record<PropertyType, string | null>> = {
  single_family: "Residential",
  condo: "Residential",
  townhouse: "Residential",
  manufactured: "Residential",
  multi_family: "ResidentialIncome",
  land: "Land",
  other: null,
};

const PROPERTY_SUB_TYPE: Readonly<Record<PropertyType, string | null>> = {
  single_family: "SingleFamilyResidence",
  condo: "Condominium",
  townhouse: "Townhouse",
  manufactured: "ManufacturedHome",
  // The product does not record how many units, which is what the dictionary's sub types (Duplex ...) say.
  multi_family: null,
  land: "UnimprovedLand",
  other: null,
};

function distinctValues(map: Readonly<Record<string, string | null>>): string[] {
  return [...new Set(Object.values(map).filter((value): value is string => value !== null))];
}

export const LOOKUPS: Readonly<Record<LookupName, LookupDefinition>> = {
  StandardStatus: { fromProduct: STANDARD_STATUS, values: distinctValues(STANDARD_STATUS) },
  PropertyType: { fromProduct: PROPERTY_TYPE, values: distinctValues(PROPERTY_TYPE) },
  PropertySubType: { fromProduct: PROPERTY_SUB_TYPE, values: distinctValues(PROPERTY_SUB_TYPE) },
  StateOrProvince: {
    fromProduct: Object.fromEntries(US_STATE_CODES.map((code) => [code, code])),
    values: US_STATE_CODES,
  },
};

/** The product values a Data Dictionary value (or null) stands for. */
export function productValuesFor(lookup: LookupName, value: string | null): string[] {
  return Object.entries(LOOKUPS[lookup].fromProduct)
    .filter(([, mapped]) => mapped === value)
    .map(([product]) => product);
}

/** When the lookup values above last changed: the Lookup resource's ModificationTimestamp. */
export const LOOKUPS_MODIFIED_AT = "2026-12-03T00:00:00.000Z";

export interface LookupRow {
  LookupKey: string;
  LookupName: LookupName;
  LookupValue: string;
  StandardLookupValue: string;
  LegacyODataValue: string;
  ModificationTimestamp: string;
}

/** The Lookup resource's rows: one per value, keyed `<LookupName>:<LookupValue>`. */
export function lookupRows(): LookupRow[] {
  return (Object.keys(LOOKUPS) as LookupName[]).flatMap((name) =>
    LOOKUPS[name].values.map((value) => ({
      LookupKey: `${name}:${value}`,
      LookupName: name,
      LookupValue: value,
      StandardLookupValue: value,
      LegacyODataValue: value,
      ModificationTimestamp: LOOKUPS_MODIFIED_AT,
    })),
  );
}
