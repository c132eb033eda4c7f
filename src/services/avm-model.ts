// The AVM artifact the Worker serves (models/, written by `npm run avm:train`), bundled as JSON: no training at
// request time, and parsed once per isolate by module evaluation.

import artifact from "../../models/avm-v2.json" with { type: "json" };
import { FEATURE_VERSION } from "../domain/features/index.ts";
import type { AvmModel } from "../domain/valuation/index.ts";

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
