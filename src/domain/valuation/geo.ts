const EARTH_RADIUS_KM = 6371.0088;

/** Great-circle distance in kilometres between two WGS84 points. */
export function haversineKm(
  latitudeA: number,
  longitudeA: number,
  latitudeB: number,
  longitudeB: number,
): number {
  const toRadians = Math.PI / 180;
  const deltaLatitude = (latitudeB - latitudeA) * toRadians;
  const deltaLongitude = (longitudeB - longitudeA) * toRadians;
  const h =
    Math.sin(deltaLatitude / 2) ** 2 +
    Math.cos(latitudeA * toRadians) * Math.cos(latitudeB * toRadians) * Math.sin(deltaLongitude / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

const MILLISECONDS_PER_DAY = 86_400_000;

/** Whole days from `fromIsoDate` to `toIsoDate` (dates compared at UTC midnight). */
export function daysBetween(fromIsoDate: string, toIsoDate: string): number {
  return Math.round(isoDateToEpochDay(toIsoDate) - isoDateToEpochDay(fromIsoDate));
}

export function isoDateToEpochDay(isoDate: string): number {
  const time = Date.UTC(
    Number(isoDate.slice(0, 4)),
    Number(isoDate.slice(5, 7)) - 1,
    Number(isoDate.slice(8, 10)),
  );
  return Math.floor(time / MILLISECONDS_PER_DAY);
}

/** "YYYY-MM" of an ISO date. */
export function monthOf(isoDate: string): string {
  return isoDate.slice(0, 7);
}
