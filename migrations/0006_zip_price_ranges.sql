-- Per-ZIP price-per-sqft reference ranges for the quality rule price_per_sqft_in_zip_range, computed from each
-- tenant's own loaded properties (src/ingest/price-ranges.ts). The cron refreshes a tenant's ranges in one
-- statement; the enrichment consumer reads the range for a record's ZIP in the same round trip that loads the
-- record, so checking a record never scans its ZIP.
--
-- Both tables are tenant data and follow 0001's pattern: RLS enabled AND forced, a tenant_isolation policy with
-- USING and WITH CHECK on app.current_tenant_id, an admin_all policy for the cron's cross-tenant role. The refresh
-- itself runs as app_runtime inside the tenant's transaction, so RLS, not only its WHERE clause, keeps one
-- tenant's prices out of another tenant's ranges.

-- One row per (tenant, 5-digit ZIP) with enough samples. low/median/high are the unrounded percentile_cont
-- values (type-7 linear interpolation, as src/domain/quality/price-reference.ts); readers round to cents.
create table zip_price_ranges (
  tenant_id uuid not null references tenants (id),
  zip text not null check (zip ~ '^[0-9]{5}$'),
  low double precision not null,
  median double precision not null,
  high double precision not null,
  sample_size integer not null check (sample_size > 0),
  computed_at timestamptz(3) not null default now(),
  primary key (tenant_id, zip),
  check (low <= median and median <= high)
);

-- When each tenant's ranges were last recomputed, including tenants with no ZIP above the sample minimum, so the
-- cron can pick the tenants that are due without recomputing anything.
create table zip_price_range_refreshes (
  tenant_id uuid primary key references tenants (id),
  refreshed_at timestamptz(3) not null default now(),
  zips integer not null default 0 check (zips >= 0),
  samples integer not null default 0 check (samples >= 0)
);

create index zip_price_range_refreshes_due_idx on zip_price_range_refreshes (refreshed_at);

alter table zip_price_ranges enable row level security;
alter table zip_price_ranges force row level security;
create policy tenant_isolation on zip_price_ranges
  using (tenant_id = nullif(current_setting('app.current_tenant_id', true), '')::uuid)
  with check (tenant_id = nullif(current_setting('app.current_tenant_id', true), '')::uuid);

alter table zip_price_range_refreshes enable row level security;
alter table zip_price_range_refreshes force row level security;
create policy tenant_isolation on zip_price_range_refreshes
  using (tenant_id = nullif(current_setting('app.current_tenant_id', true), '')::uuid)
  with check (tenant_id = nullif(current_setting('app.current_tenant_id', true), '')::uuid);

create policy admin_all on zip_price_ranges to app_admin using (true) with check (true);
create policy admin_all on zip_price_range_refreshes to app_admin using (true) with check (true);

grant select, insert, update, delete on zip_price_ranges to app_runtime;
grant select, insert, update on zip_price_range_refreshes to app_runtime;
grant select on zip_price_ranges, zip_price_range_refreshes to app_admin;
