-- Base schema: tenants, users, properties, the runtime role and row-level security.
--
-- Runs as the schema owner (never as app_runtime). The owner needs CREATEROLE for the guarded role creation
-- below; on Neon that is the database owner role, locally the platform's app_owner.
--
-- Tenant isolation: every tenant table has RLS enabled AND forced, with USING and WITH CHECK on
-- app.current_tenant_id. The Worker sets it with select set_config('app.current_tenant_id', $1, true) as the
-- first statement of each request's transaction, so it never outlives the transaction. nullif(..., '') is needed
-- because once a connection has had a transaction-local value, an unset setting reads as '' (and ''::uuid
-- errors) rather than NULL: with it, no tenant set means no rows.
--
-- Timestamps keep milliseconds (timestamptz(3)): the API speaks ISO 8601 with milliseconds, so a value read back
-- (an ETag, a keyset cursor) is exactly the stored one.
--
-- Two roles are created here (NOLOGIN; a deployment grants them to login roles):
--   app_runtime  what the Worker's request path connects as: no superuser, not the owner, no BYPASSRLS.
--   app_admin    the pipeline's cross-tenant work (cron scans): policies scoped TO app_admin allow all rows.
--                Only the adminDb client, used by cron and migrations, connects as a member of it.

do $$
begin
  if not exists (select from pg_roles where rolname = 'app_runtime') then
    create role app_runtime nologin nosuperuser nocreatedb nocreaterole noinherit nobypassrls;
  end if;
  if not exists (select from pg_roles where rolname = 'app_admin') then
    create role app_admin nologin nosuperuser nocreatedb nocreaterole nobypassrls;
  end if;
end
$$;

create table tenants (
  id uuid primary key default gen_random_uuid(),
  slug text not null unique check (slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
  name text not null check (length(name) between 1 and 200),
  status text not null default 'active' check (status in ('active', 'suspended')),
  -- Rate-limit plan name; the limiter maps it to a policy.
  plan text not null default 'standard' check (length(plan) between 1 and 50),
  created_at timestamptz(3) not null default now(),
  updated_at timestamptz(3) not null default now()
);

create table users (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants (id),
  -- OIDC subject: the identity provider's stable user id.
  subject text not null check (length(subject) between 1 and 255),
  email text check (length(email) <= 320),
  name text check (length(name) <= 200),
  roles text[] not null default '{}',
  status text not null default 'active' check (status in ('active', 'disabled')),
  created_at timestamptz(3) not null default now(),
  updated_at timestamptz(3) not null default now(),
  last_seen_at timestamptz(3) not null default now(),
  unique (tenant_id, subject),
  -- Child tables reference (tenant_id, id) so a row can never point into another tenant.
  unique (tenant_id, id)
);

-- Unique per tenant, not globally: a global key would tell tenant B that tenant A has this address.
create unique index users_tenant_email_key on users (tenant_id, lower(email)) where email is not null;

create table properties (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants (id),
  external_ref text check (length(external_ref) <= 100),

  address text not null check (length(address) between 1 and 500),
  city text check (length(city) <= 100),
  state char(2) check (state ~ '^[A-Z]{2}$'),
  zip varchar(10) check (zip ~ '^[0-9]{5}(-[0-9]{4})?$'),
  county text check (length(county) <= 100),
  county_fips char(5) check (county_fips ~ '^[0-9]{5}$'),
  latitude double precision check (latitude between -90 and 90),
  longitude double precision check (longitude between -180 and 180),
  normalized_address text not null,
  address_hash text not null,

  price numeric(15, 2) check (price >= 0),
  bedrooms integer check (bedrooms between 0 and 100),
  bathrooms numeric(4, 1) check (bathrooms between 0 and 100 and bathrooms * 2 = trunc(bathrooms * 2)),
  sqft integer check (sqft > 0),
  lot_size integer check (lot_size >= 0),
  year_built integer check (year_built between 1600 and 2200),
  property_type text not null default 'single_family'
    check (property_type in ('single_family', 'condo', 'townhouse', 'multi_family', 'manufactured', 'land', 'other')),
  floors numeric(3, 1) check (floors between 0 and 200),
  waterfront boolean,
  view_rating smallint check (view_rating between 0 and 4),
  condition_rating smallint check (condition_rating between 1 and 5),
  grade smallint check (grade between 1 and 13),
  sqft_above integer check (sqft_above >= 0),
  sqft_basement integer check (sqft_basement >= 0),
  year_renovated integer check (year_renovated between 1600 and 2200),

  status text not null default 'active' check (status in ('active', 'pending', 'sold', 'off_market', 'deleted')),
  closing_price numeric(15, 2) check (closing_price >= 0),
  closing_date date,

  -- Bumped on every write; the ETag is derived from it.
  version integer not null default 1,
  created_at timestamptz(3) not null default now(),
  updated_at timestamptz(3) not null default now(),
  deleted_at timestamptz(3),

  search_vector tsvector generated always as (
    to_tsvector('simple', coalesce(normalized_address, '') || ' ' || coalesce(address, '') || ' ' ||
      coalesce(city, '') || ' ' || coalesce(zip, ''))
  ) stored,

  unique (tenant_id, id),
  check ((status = 'deleted') = (deleted_at is not null))
);

-- Newest first within a tenant (the default list order), keyset on (created_at, id).
create index properties_tenant_created_idx on properties (tenant_id, created_at desc, id desc) where deleted_at is null;
-- One live property per normalized address per tenant; also the pipeline's upsert key.
create unique index properties_tenant_address_hash_key on properties (tenant_id, address_hash) where deleted_at is null;
create index properties_search_idx on properties using gin (search_vector);

-- Row-level security: enabled and forced (the owner is subject to it too).
alter table tenants enable row level security;
alter table tenants force row level security;
create policy tenant_isolation on tenants
  using (id = nullif(current_setting('app.current_tenant_id', true), '')::uuid)
  with check (id = nullif(current_setting('app.current_tenant_id', true), '')::uuid);

alter table users enable row level security;
alter table users force row level security;
create policy tenant_isolation on users
  using (tenant_id = nullif(current_setting('app.current_tenant_id', true), '')::uuid)
  with check (tenant_id = nullif(current_setting('app.current_tenant_id', true), '')::uuid);

alter table properties enable row level security;
alter table properties force row level security;
create policy tenant_isolation on properties
  using (tenant_id = nullif(current_setting('app.current_tenant_id', true), '')::uuid)
  with check (tenant_id = nullif(current_setting('app.current_tenant_id', true), '')::uuid);

create policy admin_all on tenants to app_admin using (true) with check (true);
create policy admin_all on users to app_admin using (true) with check (true);
create policy admin_all on properties to app_admin using (true) with check (true);

-- The runtime role gets only what the API needs: no DELETE on properties (deletes are soft), no DDL.
grant usage on schema public to app_runtime;
grant select on tenants to app_runtime;
grant select, insert, update on users to app_runtime;
grant select, insert, update on properties to app_runtime;

grant usage on schema public to app_admin;
grant select, insert, update on tenants, users, properties to app_admin;
