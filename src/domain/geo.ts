// Geometry for radius and bounding-box searches on a sphere (haversine; error well under 0.5% at city scale).

export const EARTH_RADIUS_KM = 6371.0088;
const KM_PER_DEGREE_LATITUDE = (Math.PI * EARTH_RADIUS_KM) / 180;

export interface BoundingBox {
  minLat: number;
  minLng: number;
  maxLat: number;
  maxLng: number;
}

/**
 * The smallest latitude/longitude box holding every point within `radiusKm` of the centre: the index
 * prefilter for a radius search. minLng > maxLng means the box crosses the antimeridian.
 */
export function boundingBoxAround(lat: number, lng: number, radiusKm: number): BoundingBox {
  const deltaLat = radiusKm / KM_PER_DEGREE_LATITUDE;
  const minLat = Math.max(-90, lat - deltaLat);
  const maxLat = Math.min(90, lat + deltaLat);
  const widestLat = Math.max(Math.abs(minLat), Math.abs(maxLat));
  const cosine = Math.cos((widestLat * Math.PI) / 180);
  // Near a pole every longitude is within reach.
  if (maxLat >= 90 || minLat <= -90 || cosine < 1e-9) return { minLat, maxLat, minLng: -180, maxLng: 180 };
  const deltaLng = radiusKm / (KM_PER_DEGREE_LATITUDE * cosine);
  if (deltaLng >= 180) return { minLat, maxLat, minLng: -180, maxLng: 180 };
  const wrap = (value: number) => (value < -180 ? value + 360 : value > 180 ? value - 360 : value);
  return { minLat, maxLat, minLng: wrap(lng - deltaLng), maxLng: wrap(lng + deltaLng) };
}

export function haversineKm(lat1: number, lng1: number, lat2: number, lng2: number): number {
  const toRadians = (degrees: number) => (degrees * Math.PI) / 180;
  const dLat = toRadians(lat2 - lat1);
  const dLng = toRadians(lng2 - lng1);
  const a =
    Math.sin(dLat / 2) ** 2 + Math.cos(toRadians(lat1)) * Math.cos(toRadians(lat2)) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(a)));
}
