// A property's listing status and the moves between statuses the API allows. `deleted` is reached only through
// DELETE and never left; every other status may also stay as it is (an edit of other fields).
//
//   active     -> pending | sold | off_market   (under contract, closed, withdrawn)
//   pending    -> active | sold | off_market    (contract fell through, closed, withdrawn)
//   off_market -> active                        (relisted; it must be listed again before it can sell)
//   sold       -> active                        (relisted by a new owner; the closing fields are cleared)

export const LISTING_STATUSES = ["active", "pending", "sold", "off_market"] as const;
export type ListingStatus = (typeof LISTING_STATUSES)[number];

export const STATUS_TRANSITIONS: Readonly<Record<ListingStatus, readonly ListingStatus[]>> = {
  active: ["pending", "sold", "off_market"],
  pending: ["active", "sold", "off_market"],
  off_market: ["active"],
  sold: ["active"],
};

export function isListingStatus(value: unknown): value is ListingStatus {
  return typeof value === "string" && (LISTING_STATUSES as readonly string[]).includes(value);
}

export function canTransition(from: ListingStatus, to: ListingStatus): boolean {
  return from === to || STATUS_TRANSITIONS[from].includes(to);
}

/** The statuses a property may be in for a write that leaves it in `to` (an update's precondition in SQL). */
export function allowedPredecessors(to: ListingStatus): ListingStatus[] {
  return LISTING_STATUSES.filter((from) => canTransition(from, to));
}
