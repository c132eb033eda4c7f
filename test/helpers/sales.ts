// Seeds properties (sold or not) for the comps, valuation and vector-index suites, through the admin role.
import { insertSeedProperties, type SeedProperty } from "./property-seeds.ts";
import { adminSql } from "./tenants.ts";

export { isoDaysAgo, type SeedProperty } from "./property-seeds.ts";

export function seedProperties(tenantId: string, properties: SeedProperty[]): Promise<string[]> {
  return insertSeedProperties(adminSql(), tenantId, properties);
}
