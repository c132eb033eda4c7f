// Where the model may value: near its training sales. The artifact keeps the grid cells (COVERAGE_CELL_DEGREES on a
// side) that hold training sales and their 3-digit ZIP areas; a subject is inside when its cell or one of the 8
// around it holds a training sale (so at least one cell, 5.5 km north-south, from the nearest one is always
// inside and nothing more than two cells away is), or, without a location, when its ZIP's area is a training
// area. Anything else would be a King County estimate for a house the model knows nothing about.
import type { PropertyAttributes, SoldProperty } from "../features/index.ts";
import { marketAreaOf } from "./market.ts";
import type { ModelCoverage } from "./model.ts";

export const COVERAGE_CELL_DEGREES = 0.05;

function cellKey(latitude: number, longitude: number, cellDegrees: number): [number, number] {
  return [Math.floor(latitude / cellDegrees), Math.floor(longitude / cellDegrees)];
}

export function buildCoverage(
  sales: readonly SoldProperty[],
  cellDegrees = COVERAGE_CELL_DEGREES,
): ModelCoverage {
  const cells = new Set<string>();
  const areas = new Set<string>();
  for (const sale of sales) {
    if (sale.latitude !== null && sale.longitude !== null) {
      const [i, j] = cellKey(sale.latitude, sale.longitude, cellDegrees);
      cells.add(`${i}:${j}`);
    }
    const area = marketAreaOf(sale.zip);
    if (area !== null) areas.add(area);
  }
  return { cellDegrees, cells: [...cells].sort(), areas: [...areas].sort() };
}

export type CoverageVerdict = { inside: true } | { inside: false; reason: string };

const cellSets = new WeakMap<ModelCoverage, Set<string>>();

/** Whether `subject` lies where the model was trained (see the top of this file). */
export function coverageOf(coverage: ModelCoverage, subject: PropertyAttributes): CoverageVerdict {
  if (subject.latitude !== null && subject.longitude !== null) {
    let cells = cellSets.get(coverage);
    if (!cells) {
      cells = new Set(coverage.cells);
      cellSets.set(coverage, cells);
    }
    const [i, j] = cellKey(subject.latitude, subject.longitude, coverage.cellDegrees);
    for (let di = -1; di <= 1; di++)
      for (let dj = -1; dj <= 1; dj++) if (cells.has(`${i + di}:${j + dj}`)) return { inside: true };
    return {
      inside: false,
      reason: "The location is far from every sale the valuation model was trained on.",
    };
  }
  const area = marketAreaOf(subject.zip);
  if (area !== null && coverage.areas.includes(area)) return { inside: true };
  return {
    inside: false,
    reason:
      area === null
        ? "Without a location or a ZIP code the model cannot tell whether the property is in its market."
        : "The ZIP code is outside the area the valuation model was trained on.",
  };
}
