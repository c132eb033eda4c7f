-- Market levels after the valuation model's training period, per tenant, model version and area (3-digit ZIP, or
-- '*' for all the tenant's sales), from the tenant's own closed sales (src/services/market-index.ts,
-- src/domain/valuation/market.ts). The cron rewrites a tenant's points; the valuation reads its subject's area in
-- the round trip that loads the comps candidates and uses them for the comps' time adjustment and the model's
-- market term.
--
-- Tenant data, 0001's pattern: RLS enabled AND forced, tenant_isolation on app.current_tenant_id, admin_all for
-- the cron's cross-tenant role. The refresh runs as app_runtime inside the tenant's transaction.

-- log_level: the market level (ln price, on the model's hedonic scale) on as_of, estimated from the sales that
-- closed in the window before it; sales: how many of them.
create table market_index (
  tenant_id uuid not null references tenants (id),
  model_version text not null check (length(model_version) between 1 and 100),
  area text not null check (area = '*' or area ~ '^[0-9]{3}$'),
  as_of date not null,
  log_level double precision not null check (log_level > -20 and log_level < 20),
  sales integer not null check (sales > 0),
  window_days integer not null check (window_days > 0),
  computed_at timestamptz(3) not null default now(),
  primary key (tenant_id, model_version, area, as_of)
);

-- When each tenant's points were last recomputed for a model version, also when there were none, so the cron
-- picks the tenants that are due without recomputing anything.
create table market_index_refreshes (
  tenant_id uuid not null references tenants (id),
  model_version text not null check (length(model_version) between 1 and 100),
  refreshed_at timestamptz(3) not null default now(),
  points integer not null default 0 check (points >= 0),
  primary key (tenant_id, model_version)
);

create index market_index_refreshes_due_idx on market_index_refreshes (model_version, refreshed_at);

alter table market_index enable row level security;
alter table market_index force row level security;
create policy tenant_isolation on market_index
  using (tenant_id = nullif(current_setting('app.current_tenant_id', true), '')::uuid)
  with check (tenant_id = nullif(current_setting('app.current_tenant_id', true), '')::uuid);

alter table market_index_refreshes enable row level security;
alter table market_index_refreshes force row level security;
create policy tenant_isolation on market_index_refreshes
  using (tenant_id = nullif(current_setting('app.current_tenant_id', true), '')::uuid)
  with check (tenant_id = nullif(current_setting('app.current_tenant_id', true), '')::uuid);

create policy admin_all on market_index to app_admin using (true) with check (true);
create policy admin_all on market_index_refreshes to app_admin using (true) with check (true);

grant select, insert, update, delete on market_index to app_runtime;
grant select, insert, update on market_index_refreshes to app_runtime;
grant select on market_index, market_index_refreshes to app_admin;
