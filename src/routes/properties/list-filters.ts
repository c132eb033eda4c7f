// Turns the list query (strings, already checked one by one by the schema) into service filters, with the
// checks that span several parameters. Failures are 400 with one entry per bad parameter.
import type { z } from "@hono/zod-openapi";
import type { RiskRating } from "../../domain/geo/hazards.ts";
import type { BoundingBox } from "../../domain/geo.ts";
import type { ListingStatus } from "../../domain/property-status.ts";
import type { PropertyType } from "../../domain/property-types.ts";
import { ApiError, type FieldIssue } from "../../errors.ts";
import type { PropertyFilters } from "../../services/property-search.ts";
import type { ListPropertiesQuerySchema } from "./schemas.ts";

type ListQuery = z.infer<typeof ListPropertiesQuerySchema>;

const MAX_RADIUS_KM = 500;

function numbers(value: string, count: number): number[] | undefined {
  const parts = value.split(",");
  if (parts.length !== count) return undefined;
  const parsed = parts.map((part) =>
    /^\s*-?[0-9]{1,3}(\.[0-9]{1,12})?\s*$/.test(part) ? Number(part) : Number.NaN,
  );
  return parsed.every(Number.isFinite) ? parsed : undefined;
}

const validLat = (lat: number) => lat >= -90 && lat <= 90;
const validLng = (lng: number) => lng >= -180 && lng <= 180;

export function listFilters(query: ListQuery): PropertyFilters {
  const issues: FieldIssue[] = [];
  const filters: PropertyFilters = {};
  const optionalNumber = (value: string | undefined) => (value === undefined ? undefined : Number(value));

  if (query.status) filters.statuses = [...new Set(query.status.split(","))].sort() as ListingStatus[];
  if (query.propertyType) {
    filters.propertyTypes = [...new Set(query.propertyType.split(","))].sort() as PropertyType[];
  }
  if (query.riskRating) {
    filters.riskRatings = [...new Set(query.riskRating.split(","))].sort() as RiskRating[];
  }
  if (query.city !== undefined) filters.city = query.city;
  if (query.state !== undefined) filters.state = query.state;
  if (query.zip !== undefined) filters.zip = query.zip;

  const ranges = [
    ["minPrice", "maxPrice"],
    ["minBedrooms", "maxBedrooms"],
    ["minBathrooms", "maxBathrooms"],
    ["minSqft", "maxSqft"],
    ["minYearBuilt", "maxYearBuilt"],
  ] as const;
  for (const [minName, maxName] of ranges) {
    const min = optionalNumber(query[minName]);
    const max = optionalNumber(query[maxName]);
    if (min !== undefined) filters[minName] = min;
    if (max !== undefined) filters[maxName] = max;
    if (min !== undefined && max !== undefined && min > max) {
      issues.push({ field: minName, message: `Must not exceed ${maxName}.` });
    }
  }

  if (query.bbox !== undefined) {
    const box = numbers(query.bbox, 4);
    const [minLng = 0, minLat = 0, maxLng = 0, maxLat = 0] = box ?? [];
    if (
      !box ||
      !validLng(minLng) ||
      !validLng(maxLng) ||
      !validLat(minLat) ||
      !validLat(maxLat) ||
      minLat > maxLat
    ) {
      issues.push({ field: "bbox", message: "Must be minLng,minLat,maxLng,maxLat within valid ranges." });
    } else {
      filters.bbox = { minLng, minLat, maxLng, maxLat } satisfies BoundingBox;
    }
  }

  if (query.near !== undefined || query.radiusKm !== undefined) {
    const centre = query.near === undefined ? undefined : numbers(query.near, 2);
    const radiusKm = optionalNumber(query.radiusKm);
    const [lat = 0, lng = 0] = centre ?? [];
    if (!centre || !validLat(lat) || !validLng(lng)) {
      issues.push({ field: "near", message: "Must be lat,lng within valid ranges (with radiusKm)." });
    }
    if (radiusKm === undefined || !(radiusKm > 0 && radiusKm <= MAX_RADIUS_KM)) {
      issues.push({
        field: "radiusKm",
        message: `Must be more than 0 and at most ${MAX_RADIUS_KM} (with near).`,
      });
    }
    if (centre && radiusKm !== undefined && issues.length === 0) filters.near = { lat, lng, radiusKm };
  }

  if (query.q !== undefined) filters.q = query.q.trim().toLowerCase();
  if (issues.length) throw new ApiError("bad_request", { detail: "Invalid query.", errors: issues });
  return filters;
}
