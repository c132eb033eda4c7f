-- Retention (docs/retention.md): the cron deletes, in bounded batches, what is past each table's retention.
--
--   idempotency_keys   once expired (expires_at, 24 hours after the key was claimed)
--   property_changes   changes older than 30 days that a later change of the same property supersedes, and
--                      tombstones older than 30 days; each property's latest change is kept, so the feed read from
--                      the start still holds every property's current state
--   valuation_log      rows older than 365 days (npm run avm:monitor looks back at most that far)
--   lineage_events     events older than 90 days, unless undelivered while OPENLINEAGE_URL is set
--
-- The deletes run as app_admin (the cron's cross-tenant role; its admin_all policies see every tenant's rows).

-- Where each tenant's changes feed was cut: the newest (xid, change_id) the cron deleted. A cursor before it may
-- have skipped a deleted change, so the feed answers 410 Gone for it. Written only by the purge, in the statement
-- that deletes; read by the feed as the tenant.
create table property_changes_horizon (
  tenant_id uuid primary key references tenants (id),
  xid xid8 not null,
  change_id bigint not null,
  updated_at timestamptz(3) not null default now()
);

alter table property_changes_horizon enable row level security;
alter table property_changes_horizon force row level security;
create policy tenant_isolation on property_changes_horizon
  using (tenant_id = nullif(current_setting('app.current_tenant_id', true), '')::uuid)
  with check (tenant_id = nullif(current_setting('app.current_tenant_id', true), '')::uuid);
create policy admin_all on property_changes_horizon to app_admin using (true) with check (true);

grant select on property_changes_horizon to app_runtime;
grant select, insert, update on property_changes_horizon to app_admin;

-- The purge's scans: oldest first by time, and "is there a later change of this property" by version (a
-- property's changes are numbered in the order they were written).
create index property_changes_changed_idx on property_changes (changed_at);
create index property_changes_property_version_idx on property_changes (tenant_id, property_id, version);
create index valuation_log_requested_idx on valuation_log (requested_at);
create index lineage_events_time_idx on lineage_events (event_time);

grant delete on property_changes, valuation_log, lineage_events to app_admin;
