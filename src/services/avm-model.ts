// The AVM artifact the Worker serves, bundled as JSON (no training at request time) and parsed once per isolate
// by module evaluation. avm-model.json is a 40-tree artifact trained with `node scripts/avm-train.ts --trees 40`
// on the King County sales through 2014-11-30; it stands in until feat/avm publishes models/avm-v1.json, when
// only the import below changes.

import { FEATURE_VERSION } from "../domain/features/index.ts";
import type { AvmModel } from "../domain/valuation/index.ts";
import artifact from "./avm-model.json" with { type: "json" };

export function checkedModel(candidate: AvmModel): AvmModel {
  // Vectors and models of different feature versions must never be mixed (domain/features).
  if (candidate.featureVersion !== FEATURE_VERSION) {
    throw new Error(
      `AVM artifact ${candidate.modelVersion} has features ${candidate.featureVersion}, not ${FEATURE_VERSION}`,
    );
  }
  return candidate;
}

export const servedAvmModel: AvmModel = checkedModel(artifact as unknown as AvmModel);
