// The records bench/ingest.ts submits and bench/enrichment-cpu.ts enriches: every 50th must be quarantined.
export function record(index: number) {
  return {
    externalRef: `BENCH-${index}`,
    address: `${1000 + index} Bench Way`,
    city: "Seattle",
    state: "WA",
    zip: index % 2 === 0 ? "98101" : "98052",
    price: 450_000 + index,
    bedrooms: 1 + (index % 5),
    bathrooms: 1 + (index % 3) / 2,
    // Scattered rather than rising with the index, so the first records loaded (from which the first per-ZIP
    // price ranges are computed) span the whole range, as a real feed's would.
    sqft: 900 + ((index * 7919) % 2000),
    yearBuilt: index % 50 === 0 ? 1200 : 1950 + (index % 70),
  };
}
