// Request and response schemas of the properties API: one source for validation and the OpenAPI document.
// Write bodies are strict: an unknown member (id, tenantId, timestamps, typos) is a 422, never ignored.
import { z } from "@hono/zod-openapi";
import { HAZARDS, NRI_NOTICE, RISK_RATINGS } from "../../domain/geo/hazards.ts";
import { PROPERTY_SORTS } from "../../domain/list-cursor.ts";
import { LISTING_STATUSES } from "../../domain/property-status.ts";
import { PROPERTY_TYPES } from "../../domain/property-types.ts";
import { US_STATE_CODES } from "../../domain/us-states.ts";

const MAX_MONEY = 1_000_000_000_000;
const MAX_INT = 2_000_000_000;

const notAfterNextYear = (year: number) => year <= new Date().getUTCFullYear() + 1;
const year = () =>
  z.number().int().min(1600).max(2200).refine(notAfterNextYear, { message: "Must not be after next year." });

const optionalFields = {
  externalRef: z
    .string()
    .min(1)
    .max(100)
    .nullable()
    .optional()
    .openapi({ description: "Your own reference" }),
  city: z.string().trim().min(1).max(100).nullable().optional(),
  state: z.enum(US_STATE_CODES).nullable().optional().openapi({ description: "USPS two-letter code" }),
  zip: z
    .string()
    .regex(/^[0-9]{5}(-[0-9]{4})?$/, "Must be a ZIP (12345) or ZIP+4 (12345-6789).")
    .nullable()
    .optional(),
  county: z.string().trim().min(1).max(100).nullable().optional(),
  countyFips: z
    .string()
    .regex(/^[0-9]{5}$/, "Must be five digits.")
    .nullable()
    .optional(),
  latitude: z.number().min(-90).max(90).nullable().optional(),
  longitude: z.number().min(-180).max(180).nullable().optional(),
  price: z.number().min(0).max(MAX_MONEY).nullable().optional().openapi({ description: "USD, cents kept" }),
  bedrooms: z.number().int().min(0).max(100).nullable().optional(),
  bathrooms: z
    .number()
    .min(0)
    .max(100)
    .multipleOf(0.5)
    .nullable()
    .optional()
    .openapi({ description: "In halves" }),
  sqft: z.number().int().min(1).max(MAX_INT).nullable().optional(),
  lotSize: z.number().int().min(0).max(MAX_INT).nullable().optional().openapi({ description: "Square feet" }),
  yearBuilt: year().nullable().optional(),
  floors: z.number().min(0).max(99.5).multipleOf(0.5).nullable().optional(),
  waterfront: z.boolean().nullable().optional(),
  viewRating: z.number().int().min(0).max(4).nullable().optional(),
  conditionRating: z.number().int().min(1).max(5).nullable().optional(),
  grade: z.number().int().min(1).max(13).nullable().optional(),
  sqftAbove: z.number().int().min(0).max(MAX_INT).nullable().optional(),
  sqftBasement: z.number().int().min(0).max(MAX_INT).nullable().optional(),
  yearRenovated: year().nullable().optional(),
  closingPrice: z
    .number()
    .min(0)
    .max(MAX_MONEY)
    .nullable()
    .optional()
    .openapi({ description: "Required when sold" }),
  closingDate: z.iso.date().nullable().optional().openapi({ description: "Required when sold" }),
};

const address = z.string().trim().min(1).max(500).openapi({ example: "123 Main St" });
const status = z.enum(LISTING_STATUSES).openapi({
  description:
    "Moves allowed: active -> pending|sold|off_market; pending -> active|sold|off_market; off_market -> active; " +
    "sold -> active (relisting clears the closing fields). `deleted` is reached only with DELETE.",
});
const propertyType = z.enum(PROPERTY_TYPES);

export const PropertyCreateSchema = z
  .strictObject({
    ...optionalFields,
    address,
    propertyType: propertyType.default("single_family"),
    status: status.default("active"),
  })
  .openapi("PropertyCreate");

export const PropertyReplaceSchema = z
  .strictObject({ ...optionalFields, address, propertyType: propertyType.default("single_family"), status })
  .openapi("PropertyReplace");

export const PropertyPatchSchema = z
  .strictObject({
    ...optionalFields,
    address: address.optional(),
    propertyType: propertyType.optional(),
    status: status.optional(),
  })
  .openapi("PropertyPatch", { description: "JSON merge patch (RFC 7396): null clears a field" });

const riskRating = z.enum(RISK_RATINGS);

const HazardTypeSchema = z.object({
  score: z.number().nullable().openapi({
    description:
      "National percentile 0-100; null where the hazard does not apply or FEMA has insufficient data",
  }),
  rating: riskRating.nullable().openapi({
    description:
      "FEMA's rating of this hazard where the loaded NRI table has one (the shipped county risk table has none)",
  }),
});

export const PropertyHazardsSchema = z
  .object({
    nriVersion: z.string().openapi({ example: "NRI v1.20 (December 2025)" }),
    countyFips: z.string().openapi({ example: "53033" }),
    county: z.string(),
    state: z.string(),
    riskScore: z
      .number()
      .nullable()
      .openapi({ description: "Overall risk index, national percentile 0-100" }),
    riskRating: riskRating.nullable(),
    byType: z.object(
      Object.fromEntries(
        HAZARDS.map(({ key, label }) => [key, HazardTypeSchema.openapi({ description: label })]),
      ) as {
        [K in (typeof HAZARDS)[number]["key"]]: typeof HazardTypeSchema;
      },
    ),
  })
  .openapi("PropertyHazards", {
    description:
      "FEMA National Risk Index of the property's county (its countyFips, else its ZIP's county), looked up " +
      `when the property was last written. ${NRI_NOTICE}`,
  });

export const PropertySchema = z
  .object({
    id: z.uuid(),
    externalRef: z.string().nullable(),
    address: z.string(),
    city: z.string().nullable(),
    state: z.string().nullable(),
    zip: z.string().nullable(),
    county: z.string().nullable(),
    countyFips: z.string().nullable(),
    latitude: z.number().nullable(),
    longitude: z.number().nullable(),
    normalizedAddress: z.string(),
    price: z.number().nullable(),
    bedrooms: z.number().int().nullable(),
    bathrooms: z.number().nullable(),
    sqft: z.number().int().nullable(),
    lotSize: z.number().int().nullable(),
    yearBuilt: z.number().int().nullable(),
    propertyType,
    floors: z.number().nullable(),
    waterfront: z.boolean().nullable(),
    viewRating: z.number().int().nullable(),
    conditionRating: z.number().int().nullable(),
    grade: z.number().int().nullable(),
    sqftAbove: z.number().int().nullable(),
    sqftBasement: z.number().int().nullable(),
    yearRenovated: z.number().int().nullable(),
    status,
    closingPrice: z.number().nullable(),
    closingDate: z.string().nullable(),
    hazards: PropertyHazardsSchema.nullable(),
    hazardsUnavailable: z.enum(["no_county", "county_not_in_nri"]).nullable().openapi({
      description:
        "Why hazards is null: no_county (neither countyFips nor a known ZIP) or county_not_in_nri; null otherwise",
    }),
    version: z.number().int().openapi({ description: "Bumped by every write; the ETag is its quoted value" }),
    createdAt: z.string().openapi({ format: "date-time" }),
    updatedAt: z.string().openapi({ format: "date-time" }),
  })
  .openapi("Property");

const UNSIGNED = /^[0-9]{1,10}$/;
const DECIMAL = /^-?[0-9]{1,13}(\.[0-9]{1,8})?$/;
const decimal = (description: string) =>
  z.string().regex(DECIMAL, "Must be a decimal number.").optional().openapi({ description });
const unsigned = (description: string) =>
  z.string().regex(UNSIGNED, "Must be a whole number.").optional().openapi({ description });

export const LimitSchema = z
  .string()
  .regex(/^(100|[1-9][0-9]?)$/, "Must be a whole number from 1 to 100.")
  .optional()
  .openapi({ description: "Page size, 1-100 (default 20)", example: "20" });

export const ListPropertiesQuerySchema = z.strictObject({
  status: z
    .string()
    .regex(
      /^(active|pending|sold|off_market)(,(active|pending|sold|off_market)){0,3}$/,
      "Comma-separated statuses.",
    )
    .optional()
    .openapi({ description: "Comma-separated: active,pending,sold,off_market" }),
  propertyType: z
    .string()
    .regex(
      /^(single_family|condo|townhouse|multi_family|manufactured|land|other)(,(single_family|condo|townhouse|multi_family|manufactured|land|other)){0,6}$/,
      "Comma-separated property types.",
    )
    .optional(),
  city: z
    .string()
    .min(1)
    .max(100)
    .optional()
    .openapi({ description: "Exact, as stored (q matches any case)" }),
  state: z.enum(US_STATE_CODES).optional(),
  riskRating: z
    .string()
    .max(200)
    .refine(
      (value) => value.split(",").every((rating) => (RISK_RATINGS as readonly string[]).includes(rating)),
      `Comma-separated ratings: ${RISK_RATINGS.join(", ")}.`,
    )
    .optional()
    .openapi({ description: `FEMA NRI overall rating, comma-separated: ${RISK_RATINGS.join(", ")}` }),
  zip: z
    .string()
    .regex(/^[0-9]{5}(-[0-9]{4})?$/, "Must be a ZIP or ZIP+4.")
    .optional(),
  minPrice: decimal("Lowest price"),
  maxPrice: decimal("Highest price"),
  minBedrooms: unsigned("Fewest bedrooms"),
  maxBedrooms: unsigned("Most bedrooms"),
  minBathrooms: decimal("Fewest bathrooms"),
  maxBathrooms: decimal("Most bathrooms"),
  minSqft: unsigned("Smallest size"),
  maxSqft: unsigned("Largest size"),
  minYearBuilt: unsigned("Built in or after"),
  maxYearBuilt: unsigned("Built in or before"),
  bbox: z
    .string()
    .max(200)
    .optional()
    .openapi({ description: "minLng,minLat,maxLng,maxLat (minLng > maxLng crosses the antimeridian)" }),
  near: z.string().max(100).optional().openapi({ description: "lat,lng; needs radiusKm" }),
  radiusKm: decimal("Radius around `near`, 0-500 km"),
  q: z
    .string()
    .min(1)
    .max(200)
    .regex(/[\p{L}\p{N}]/u, "Must contain a letter or digit.")
    .optional()
    .openapi({ description: "Words in the address; each matches as a prefix" }),
  sort: z.enum(PROPERTY_SORTS).optional().openapi({
    description: "Default newest; riskScore / -riskScore order by the NRI overall risk score, unknown last",
  }),
  cursor: z.string().min(1).max(1024).optional().openapi({ description: "nextCursor of the previous page" }),
  limit: LimitSchema,
});

export const PropertyPageSchema = z
  .object({
    items: z.array(PropertySchema),
    nextCursor: z.string().nullable().openapi({ description: "Null on the last page" }),
  })
  .openapi("PropertyPage");

export const ChangesQuerySchema = z.strictObject({
  since: z.string().min(1).max(1024).optional().openapi({ description: "nextCursor of the previous call" }),
  limit: LimitSchema,
});

export const PropertyChangeSchema = z
  .object({
    changeId: z.string(),
    operation: z.enum(["created", "updated", "deleted"]),
    propertyId: z.uuid(),
    version: z.number().int(),
    changedAt: z.string().openapi({ format: "date-time" }),
    property: PropertySchema.nullable().openapi({
      description: "The property as written; null for a deletion",
    }),
  })
  .openapi("PropertyChange");

export const ChangesPageSchema = z
  .object({
    changes: z.array(PropertyChangeSchema),
    nextCursor: z.string().openapi({ description: "Resume here (also when there was nothing new)" }),
    hasMore: z.boolean(),
  })
  .openapi("PropertyChangesPage");

export const IfMatchHeaderSchema = z.object({
  "if-match": z.string().optional().openapi({ description: 'Required: the ETag from GET, e.g. "3"' }),
});

export const IdempotencyHeaderSchema = z.object({
  "idempotency-key": z
    .string()
    .optional()
    .openapi({
      description:
        "1-255 printable ASCII characters, scoped to the caller (tenant and user); replays within 24 hours " +
        "return the first result",
    }),
});

export const ETAG_HEADER = {
  ETag: { description: "Strong validator for If-Match", schema: { type: "string" as const } },
};

/** Every properties operation needs an access token (OpenAPI security requirement). */
export const BEARER_SECURITY = [{ bearerAuth: [] }];
