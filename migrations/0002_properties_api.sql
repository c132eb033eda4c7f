-- The properties API: indexes for its sorts and filters, Idempotency-Key records, and the changes feed.
--
-- Every list index is partial on deleted_at is null (deleted rows are never listed) and leads with tenant_id
-- (every query is scoped to one tenant), so a page is a range scan of one tenant's live rows whatever its depth.

-- Under forced row-level security the planner may use a condition as an index bound only if its operators are
-- LEAKPROOF (otherwise it could see rows the policy hides). Integer, float8, text, uuid and timestamp comparisons
-- are; numeric comparisons, COALESCE, lower() and left() are not. So the sorts key on generated integer columns
-- (unknown values folded to a sentinel that sorts last), and the filters compare plain columns.
alter table properties
  add column price_sort_asc bigint generated always as (coalesce((price * 100)::bigint, 9223372036854775807)) stored,
  add column price_sort_desc bigint generated always as (coalesce((price * 100)::bigint, -1)) stored,
  add column sqft_sort integer generated always as (coalesce(sqft, 2147483647)) stored;

-- Sort "price": cheapest first; "-price": dearest first; "sqft": smallest first. Unknown values come last.
create index properties_tenant_price_asc_idx on properties (tenant_id, price_sort_asc, id) where deleted_at is null;
create index properties_tenant_price_desc_idx on properties (tenant_id, price_sort_desc, id) where deleted_at is null;
create index properties_tenant_sqft_idx on properties (tenant_id, sqft_sort, id) where deleted_at is null;
-- Sort "updated": most recently changed first.
create index properties_tenant_updated_idx on properties (tenant_id, updated_at desc, id desc)
  where deleted_at is null;
-- The default sort filtered by status (the most common filter).
create index properties_tenant_status_created_idx on properties (tenant_id, status, created_at desc, id desc)
  where deleted_at is null;
-- Bounding-box and radius searches (the radius search is prefiltered by its bounding box).
create index properties_tenant_geo_idx on properties (tenant_id, latitude, longitude)
  where deleted_at is null and latitude is not null;
-- Equality and prefix-range filters.
create index properties_tenant_zip_idx on properties (tenant_id, zip) where deleted_at is null;
create index properties_tenant_city_idx on properties (tenant_id, city) where deleted_at is null;

-- Idempotency-Key records (IETF httpapi idempotency-key draft, Stripe's behaviour): one per tenant and key,
-- kept 24 hours. A record is written in the same statement as the property it created, so a key either has a
-- committed result or nothing at all. The response body is not copied here: it is the 'created' change's
-- snapshot in property_changes, written by that same statement.
create table idempotency_keys (
  tenant_id uuid not null references tenants (id),
  key text not null check (length(key) between 1 and 255),
  -- SHA-256 (hex) of the canonical request: method, path and the JSON body with sorted keys.
  request_hash text not null check (request_hash ~ '^[0-9a-f]{64}$'),
  property_id uuid not null,
  response_status smallint not null,
  created_at timestamptz(3) not null default now(),
  expires_at timestamptz(3) not null,
  primary key (tenant_id, key)
);
create index idempotency_keys_expires_idx on idempotency_keys (expires_at);

-- The changes feed (transactional outbox): one row per property write, inserted by the writing statement
-- itself. xid is the writing transaction's id; readers serve only rows whose xid is below their snapshot's
-- xmin, i.e. from transactions that have all finished, so a change can never become visible behind a cursor
-- that has already moved past it. Order is (xid, change_id).
create table property_changes (
  change_id bigint generated always as identity primary key,
  tenant_id uuid not null references tenants (id),
  property_id uuid not null,
  operation text not null check (operation in ('created', 'updated', 'deleted')),
  version integer not null,
  xid xid8 not null default pg_current_xact_id(),
  changed_at timestamptz(3) not null default now(),
  -- The property as written (API field names are mapped by the service); null for a deletion.
  snapshot jsonb,
  foreign key (tenant_id, property_id) references properties (tenant_id, id)
);
create index property_changes_tenant_order_idx on property_changes (tenant_id, xid, change_id);
create index property_changes_created_idx on property_changes (tenant_id, property_id)
  where operation = 'created';

alter table idempotency_keys enable row level security;
alter table idempotency_keys force row level security;
create policy tenant_isolation on idempotency_keys
  using (tenant_id = nullif(current_setting('app.current_tenant_id', true), '')::uuid)
  with check (tenant_id = nullif(current_setting('app.current_tenant_id', true), '')::uuid);

alter table property_changes enable row level security;
alter table property_changes force row level security;
create policy tenant_isolation on property_changes
  using (tenant_id = nullif(current_setting('app.current_tenant_id', true), '')::uuid)
  with check (tenant_id = nullif(current_setting('app.current_tenant_id', true), '')::uuid);

create policy admin_all on idempotency_keys to app_admin using (true) with check (true);
create policy admin_all on property_changes to app_admin using (true) with check (true);

-- Keys are reclaimed in place once expired (insert ... on conflict do update), hence update; the changes feed
-- is append-only for the runtime role.
grant select, insert, update on idempotency_keys to app_runtime;
grant select, insert on property_changes to app_runtime;

-- The pipeline purges expired keys.
grant select, insert, update, delete on idempotency_keys to app_admin;
grant select, insert on property_changes to app_admin;
