// The one place the pipeline's pure parts are chosen. Tests pass their own; the Worker uses these.
import type { Database } from "../db/client.ts";
import type {
  CsvParser,
  HazardLookup,
  LocationLookup,
  QualityEvaluator,
} from "../domain/pipeline/contracts.ts";
import { csvParser, qualityEvaluator } from "../domain/pipeline/pure-parts.ts";
import { sqlReferenceLookup } from "./reference-lookup.ts";

export interface PipelineDependencies {
  csv: CsvParser;
  quality: QualityEvaluator;
  /** Location and hazards are per tenant only because every query runs inside withTenant. */
  lookups(db: Database, tenantId: string): LocationLookup & HazardLookup;
  /** Outbound HTTP for feeds and lineage; only ever called through safeFetch for tenant-supplied URLs. */
  fetcher: typeof fetch;
}

export function defaultPipelineDependencies(): PipelineDependencies {
  return {
    csv: csvParser,
    quality: qualityEvaluator,
    lookups: sqlReferenceLookup,
    fetcher: (input, init) => fetch(input, init),
  };
}
