-- Ingestion and enrichment pipeline: intake batches, the prospect outbox, feed sources, processed-message markers,
-- failures, lineage events, the cron lease, and the enrichment columns on properties.
--
-- Every table with tenant_id follows 0001's pattern: RLS enabled AND forced, a tenant_isolation policy with USING
-- and WITH CHECK on app.current_tenant_id, an admin_all policy for the cron's cross-tenant role, and foreign keys
-- on (tenant_id, id) so a child row can never point into another tenant.
--
-- Reference data (ref_zip_locations, ref_county_hazards) is deliberately not referenced here: lookups go through
-- the pipeline's LocationLookup/HazardLookup interfaces, so this migration applies with or without 0003.

alter table properties
  add column hazard_risk_score numeric(6, 2) check (hazard_risk_score between 0 and 100),
  add column hazard_risk_rating text check (length(hazard_risk_rating) <= 50),
  add column hazards jsonb,
  add column hazards_version text check (length(hazards_version) <= 50),
  -- The quality suite's results for the record this property was last loaded from.
  add column quality_results jsonb,
  add column quality_suite_version text check (length(quality_suite_version) <= 50);

create table ingest_feeds (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants (id),
  name text not null check (length(name) between 1 and 200),
  kind text not null check (kind in ('csv_url', 'reso_web_api')),
  url text not null check (length(url) between 1 and 2000 and url like 'https://%'),
  -- The suffix of the Worker secret holding the bearer token (never the token itself); the full binding name is
  -- derived from the tenant id, so one tenant cannot name another's secret or the platform's own.
  secret_name text check (secret_name ~ '^[A-Z0-9_]{1,40}$'),
  interval_minutes integer not null default 60 check (interval_minutes between 1 and 10080),
  page_size integer not null default 1000 check (page_size between 1 and 5000),
  enabled boolean not null default true,
  -- Keyset cursor over the source: (ModificationTimestamp, ListingKey) of the last record sent.
  cursor_timestamp text check (length(cursor_timestamp) <= 40),
  cursor_key text check (length(cursor_key) <= 200),
  next_run_at timestamptz(3) not null default now(),
  last_run_at timestamptz(3),
  last_status text check (last_status in ('ok', 'caught_up', 'error')),
  last_error text check (length(last_error) <= 1000),
  records_ingested bigint not null default 0,
  created_at timestamptz(3) not null default now(),
  updated_at timestamptz(3) not null default now(),
  unique (tenant_id, id)
);

create index ingest_feeds_due_idx on ingest_feeds (next_run_at) where enabled;

create table ingest_batches (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants (id),
  source text not null check (source in ('api', 'feed', 'resubmit')),
  feed_id uuid,
  received integer not null check (received between 0 and 10000),
  status text not null default 'running' check (status in ('running', 'completed', 'failed')),
  -- The OpenLineage run this batch is.
  run_id uuid not null default gen_random_uuid(),
  created_by uuid,
  created_at timestamptz(3) not null default now(),
  completed_at timestamptz(3),
  unique (tenant_id, id),
  foreign key (tenant_id, feed_id) references ingest_feeds (tenant_id, id) on delete set null (feed_id),
  foreign key (tenant_id, created_by) references users (tenant_id, id)
);

create index ingest_batches_running_idx on ingest_batches (created_at) where status = 'running';

-- The outbox: a record is stored here in the same transaction as its batch, before anything is sent to the queue.
-- status: pending (not yet published) -> sent -> loaded | quarantined | failed; resubmission returns a quarantined
-- or failed record to pending with a new revision (and so a new idempotency key).
create table prospect_queue (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants (id),
  batch_id uuid not null,
  position integer not null check (position >= 0),
  payload jsonb not null,
  -- Feed records: the source's key for deduplicating a page fetched twice.
  source_key text check (length(source_key) <= 300),
  revision integer not null default 1 check (revision >= 1),
  status text not null default 'pending' check (status in ('pending', 'sent', 'loaded', 'quarantined', 'failed')),
  -- A publisher's claim, so two publishers (cron and intake) never send the same row; expires if one dies.
  claimed_until timestamptz(3),
  sent_at timestamptz(3),
  processed_at timestamptz(3),
  property_id uuid,
  quality_results jsonb,
  quality_passed boolean,
  quality_suite_version text,
  reasons jsonb,
  created_at timestamptz(3) not null default now(),
  updated_at timestamptz(3) not null default now(),
  unique (tenant_id, id),
  unique (tenant_id, batch_id, position),
  foreign key (tenant_id, batch_id) references ingest_batches (tenant_id, id),
  foreign key (tenant_id, property_id) references properties (tenant_id, id)
);

create unique index prospect_queue_source_key on prospect_queue (tenant_id, source_key) where source_key is not null;
create index prospect_queue_pending_idx on prospect_queue (created_at) where status = 'pending';
-- The cron's sweep for rows whose message was lost after sending.
create index prospect_queue_sent_idx on prospect_queue (sent_at) where status = 'sent';
create index prospect_queue_batch_status_idx on prospect_queue (tenant_id, batch_id, status);
create index prospect_queue_quarantined_idx on prospect_queue (tenant_id, updated_at desc, id desc)
  where status = 'quarantined';

-- One row per message idempotency key that had its effect: a redelivered message finds its marker and does nothing.
create table processed_messages (
  tenant_id uuid not null references tenants (id),
  idempotency_key text not null check (length(idempotency_key) <= 200),
  prospect_id uuid not null,
  outcome text not null check (outcome in ('loaded', 'quarantined', 'failed')),
  processed_at timestamptz(3) not null default now(),
  primary key (tenant_id, idempotency_key),
  foreign key (tenant_id, prospect_id) references prospect_queue (tenant_id, id)
);

-- Messages that exhausted their retries (recorded by the dead-letter consumer) or could not be processed at all.
create table ingest_failures (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants (id),
  prospect_id uuid not null,
  batch_id uuid not null,
  idempotency_key text not null check (length(idempotency_key) <= 200),
  reason text not null check (length(reason) <= 100),
  error text check (length(error) <= 1000),
  attempts integer not null default 0,
  status text not null default 'open' check (status in ('open', 'resubmitted')),
  created_at timestamptz(3) not null default now(),
  resubmitted_at timestamptz(3),
  unique (tenant_id, id),
  unique (tenant_id, idempotency_key),
  foreign key (tenant_id, prospect_id) references prospect_queue (tenant_id, id),
  foreign key (tenant_id, batch_id) references ingest_batches (tenant_id, id)
);

create index ingest_failures_list_idx on ingest_failures (tenant_id, created_at desc, id desc);

-- OpenLineage run events, one per (run, event type); delivered_at is set once POSTed to OPENLINEAGE_URL.
create table lineage_events (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants (id),
  batch_id uuid not null,
  run_id uuid not null,
  event_type text not null check (event_type in ('START', 'COMPLETE', 'FAIL')),
  event_time timestamptz(3) not null default now(),
  event jsonb not null,
  delivered_at timestamptz(3),
  unique (tenant_id, id),
  unique (tenant_id, run_id, event_type),
  foreign key (tenant_id, batch_id) references ingest_batches (tenant_id, id)
);

create index lineage_events_undelivered_idx on lineage_events (event_time) where delivered_at is null;

-- The cron's lease: not tenant data, so no tenant_id and no RLS; only the cross-tenant role may touch it.
create table ingest_leases (
  name text primary key check (length(name) between 1 and 100),
  holder text not null,
  expires_at timestamptz(3) not null
);

alter table ingest_feeds enable row level security;
alter table ingest_feeds force row level security;
create policy tenant_isolation on ingest_feeds
  using (tenant_id = nullif(current_setting('app.current_tenant_id', true), '')::uuid)
  with check (tenant_id = nullif(current_setting('app.current_tenant_id', true), '')::uuid);

alter table ingest_batches enable row level security;
alter table ingest_batches force row level security;
create policy tenant_isolation on ingest_batches
  using (tenant_id = nullif(current_setting('app.current_tenant_id', true), '')::uuid)
  with check (tenant_id = nullif(current_setting('app.current_tenant_id', true), '')::uuid);

alter table prospect_queue enable row level security;
alter table prospect_queue force row level security;
create policy tenant_isolation on prospect_queue
  using (tenant_id = nullif(current_setting('app.current_tenant_id', true), '')::uuid)
  with check (tenant_id = nullif(current_setting('app.current_tenant_id', true), '')::uuid);

alter table processed_messages enable row level security;
alter table processed_messages force row level security;
create policy tenant_isolation on processed_messages
  using (tenant_id = nullif(current_setting('app.current_tenant_id', true), '')::uuid)
  with check (tenant_id = nullif(current_setting('app.current_tenant_id', true), '')::uuid);

alter table ingest_failures enable row level security;
alter table ingest_failures force row level security;
create policy tenant_isolation on ingest_failures
  using (tenant_id = nullif(current_setting('app.current_tenant_id', true), '')::uuid)
  with check (tenant_id = nullif(current_setting('app.current_tenant_id', true), '')::uuid);

alter table lineage_events enable row level security;
alter table lineage_events force row level security;
create policy tenant_isolation on lineage_events
  using (tenant_id = nullif(current_setting('app.current_tenant_id', true), '')::uuid)
  with check (tenant_id = nullif(current_setting('app.current_tenant_id', true), '')::uuid);

create policy admin_all on ingest_feeds to app_admin using (true) with check (true);
create policy admin_all on ingest_batches to app_admin using (true) with check (true);
create policy admin_all on prospect_queue to app_admin using (true) with check (true);
create policy admin_all on processed_messages to app_admin using (true) with check (true);
create policy admin_all on ingest_failures to app_admin using (true) with check (true);
create policy admin_all on lineage_events to app_admin using (true) with check (true);

grant select, insert, update, delete on ingest_feeds to app_runtime;
grant select, insert, update on ingest_batches, prospect_queue, ingest_failures, lineage_events to app_runtime;
grant select, insert on processed_messages to app_runtime;

grant select, insert, update on ingest_feeds, ingest_batches, prospect_queue, processed_messages, ingest_failures,
  lineage_events, ingest_leases to app_admin;
