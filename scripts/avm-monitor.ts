// `npm run avm:monitor`: how the served valuations did. Each property's latest logged valuation per model version
// before its sale is compared with the closing price; prints MdAPE, PPE10 and FSD coverage per model version.
// Connects as app_admin (all tenants) through the Neon protocol: DATABASE_URL, or the local platform's endpoint.
//   node scripts/avm-monitor.ts [--days 365]
import { neon } from "@neondatabase/serverless";
import "../src/db/client.ts";
import { parseArgs } from "./lib/args.ts";
import { formatMonitorReport, monitorDays, monitorReport } from "./lib/avm-monitor.ts";

const LOCAL_ADMIN_URL = "postgres://app_admin:app_admin@127.0.0.1:5480/realestate";

const args = parseArgs(process.argv.slice(2));
const days = monitorDays(args.get("days"));
const sql = neon(process.env.DATABASE_URL ?? LOCAL_ADMIN_URL);

const rows = await sql`
  select distinct on (v.tenant_id, v.property_id, v.model_version)
    v.model_version, v.estimate::float8 as estimate, v.fsd, p.closing_price::float8 as sale_price
  from valuation_log v
  join properties p on p.tenant_id = v.tenant_id and p.id = v.property_id
  where v.property_id is not null and v.requested_at >= now() - ${days} * interval '1 day'
    and p.closing_price > 0 and p.closing_date > v.requested_at::date
  order by v.tenant_id, v.property_id, v.model_version, v.requested_at desc`;

console.log(
  formatMonitorReport(
    monitorReport(
      rows.map((row) => ({
        modelVersion: row.model_version,
        estimate: row.estimate,
        fsd: row.fsd,
        salePrice: row.sale_price,
      })),
    ),
  ),
);
