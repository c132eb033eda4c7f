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

-- How far the purge has read the changes feed, in the feed's own order (xid, change_id), one position per sweep:
--   property_changes_expiry       changes that have passed the window: deleted if superseded or a tombstone
--   property_changes_superseding  new changes: they delete their property's earlier changes already past it
-- Reading from a position (rather than scanning the oldest rows each time) keeps every property's kept latest
-- change out of later scans, so a tick's work follows the write rate, not the number of properties. Not tenant
-- data (no tenant_id, no RLS, as ingest_leases); only the cron's role may read or move it.
create table retention_sweeps (
  name text primary key check (name in ('property_changes_expiry', 'property_changes_superseding')),
  xid xid8 not null default '0',
  change_id bigint not null default 0
);
insert into retention_sweeps (name) values ('property_changes_expiry'), ('property_changes_superseding');
grant select, update on retention_sweeps to app_admin;

-- The purge's scans: the sweeps read the feed in (xid, change_id) order across tenants; "the property's other
-- changes" by version (a property's changes are numbered in the order they were written); the other tables
-- oldest first by time.
create index property_changes_order_idx on property_changes (xid, change_id);
create index property_changes_property_version_idx on property_changes (tenant_id, property_id, version);
create index valuation_log_requested_idx on valuation_log (requested_at);
create index lineage_events_time_idx on lineage_events (event_time);

grant delete on property_changes, valuation_log, lineage_events to app_admin;
