// The pure loop of `npm run vector:backfill`: pages through every live property in (tenant, id) order and indexes
// each page per tenant with indexProperties, so a rerun (or a resumed run) converges to the same index.
import { type IndexableProperty, indexProperties } from "../../src/services/comps-index.ts";
import type { VectorIndex } from "../../src/vector/vector-index.ts";

export interface BackfillCursor {
  tenantId: string;
  id: string;
}

export interface TenantProperty extends IndexableProperty {
  tenantId: string;
}

export interface BackfillOptions {
  index: VectorIndex;
  /** Up to `limit` live properties after `after` in (tenant_id, id) order. */
  fetchPage(after: BackfillCursor | null, limit: number): Promise<TenantProperty[]>;
  batchSize: number;
  log?: (message: string) => void;
}

export async function backfillVectorIndex(
  options: BackfillOptions,
): Promise<{ properties: number; pages: number }> {
  let after: BackfillCursor | null = null;
  let properties = 0;
  let pages = 0;
  for (;;) {
    const page = await options.fetchPage(after, options.batchSize);
    if (page.length === 0) break;
    const byTenant = new Map<string, TenantProperty[]>();
    for (const property of page) {
      const list = byTenant.get(property.tenantId) ?? [];
      list.push(property);
      byTenant.set(property.tenantId, list);
    }
    for (const [tenantId, list] of byTenant) await indexProperties(options.index, tenantId, list);
    properties += page.length;
    pages++;
    const last = page[page.length - 1] as TenantProperty;
    after = { tenantId: last.tenantId, id: last.id };
    options.log?.(`indexed ${properties} properties (${pages} batches)`);
    if (page.length < options.batchSize) break;
  }
  return { properties, pages };
}
