import type { BoundingBox } from "./vector-index.ts";

const KM_PER_DEGREE_LATITUDE = 111.2;

/** The box around a point that contains every point within `radiusKm` (the cheap prefilter before haversine). */
export function boundingBoxAround(latitude: number, longitude: number, radiusKm: number): BoundingBox {
  const latitudeDelta = radiusKm / KM_PER_DEGREE_LATITUDE;
  const cosine = Math.max(0.01, Math.cos((Math.min(89, Math.abs(latitude)) * Math.PI) / 180));
  const longitudeDelta = Math.min(180, radiusKm / (KM_PER_DEGREE_LATITUDE * cosine));
  return {
    minLatitude: Math.max(-90, latitude - latitudeDelta),
    maxLatitude: Math.min(90, latitude + latitudeDelta),
    minLongitude: Math.max(-180, longitude - longitudeDelta),
    maxLongitude: Math.min(180, longitude + longitudeDelta),
  };
}
