// The district's places (towns and streets, their villages and communities), fetched once per page load.
import { call, Schema } from "../client";

export type Place = Schema<"Place">;  // parent: a village's town; null for a town or street

let loaded: Promise<Place[]> | null = null;

export function loadPlaces(): Promise<Place[]> {
  loaded ??= call("get", "/api/v1/portal/places").then((r) => r.places).catch((err) => {
    loaded = null;  // try again next time
    throw err;
  });
  return loaded;
}

// "白沙镇 双河村" for a village, the name alone for a town.
export function placeName(places: Place[], code: string): string {
  const place = places.find((p) => p.code === code);
  if (!place) return code;
  const town = place.parent ? places.find((p) => p.code === place.parent) : undefined;
  return town ? `${town.name} ${place.name}` : place.name;
}
