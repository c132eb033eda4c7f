-- Property similarity embeddings (the pgvector VectorIndex) and the log of served valuations (AVM monitoring).
--
-- Embeddings are stored as real[] everywhere, so this migration and every query that reads the column work on a
-- PostgreSQL without pgvector too (the real-PostgreSQL 15 RLS suite has none). Where the `vector` extension is
-- available (PGlite, Neon) an HNSW expression index over embedding::vector(16) is added: the pgvector index
-- uses it for unfiltered nearest-neighbour queries. Filtered queries (comps: sold, recent, nearby) score the
-- few hundred candidates the geographic prefilter leaves exactly, in SQL, which needs no extension.

create table property_embeddings (
  tenant_id uuid not null references tenants (id),
  property_id uuid not null,
  embedding real[] not null check (array_length(embedding, 1) = 16 and array_ndims(embedding) = 1),
  feature_version text not null check (length(feature_version) between 1 and 50),
  updated_at timestamptz(3) not null default now(),
  primary key (tenant_id, property_id),
  foreign key (tenant_id, property_id) references properties (tenant_id, id)
);

do $$
begin
  if exists (select from pg_available_extensions where name = 'vector') then
    -- Creating the extension needs a superuser on plain PostgreSQL; PGlite and Neon pre-create it.
    if not exists (select from pg_extension where extname = 'vector') then
      create extension vector;
    end if;
    execute 'create index property_embeddings_hnsw_idx on property_embeddings
      using hnsw ((embedding::vector(16)) vector_cosine_ops)';
  end if;
end
$$;

alter table property_embeddings enable row level security;
alter table property_embeddings force row level security;
create policy tenant_isolation on property_embeddings
  using (tenant_id = nullif(current_setting('app.current_tenant_id', true), '')::uuid)
  with check (tenant_id = nullif(current_setting('app.current_tenant_id', true), '')::uuid);
create policy admin_all on property_embeddings to app_admin using (true) with check (true);

-- Comps candidates: a tenant's sales by location (the bounding-box prefilter) and by closing date.
create index properties_tenant_sold_location_idx on properties (tenant_id, latitude, longitude)
  where status = 'sold' and deleted_at is null;

-- One row per served valuation. property_id is null for ad-hoc subjects (POST /api/v1/valuations).
create table valuation_log (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants (id),
  property_id uuid,
  model_version text not null check (length(model_version) between 1 and 100),
  estimate numeric(15, 2) not null check (estimate > 0),
  fsd double precision not null check (fsd >= 0),
  requested_at timestamptz(3) not null default now(),
  subject_features jsonb not null,
  foreign key (tenant_id, property_id) references properties (tenant_id, id)
);

create index valuation_log_tenant_requested_idx on valuation_log (tenant_id, requested_at desc);
create index valuation_log_property_idx on valuation_log (tenant_id, property_id, requested_at)
  where property_id is not null;

alter table valuation_log enable row level security;
alter table valuation_log force row level security;
create policy tenant_isolation on valuation_log
  using (tenant_id = nullif(current_setting('app.current_tenant_id', true), '')::uuid)
  with check (tenant_id = nullif(current_setting('app.current_tenant_id', true), '')::uuid);
create policy admin_all on valuation_log to app_admin using (true) with check (true);

-- Embeddings are replaced on every property write and removed with the property; the log is append-only.
grant select, insert, update, delete on property_embeddings to app_runtime;
grant select, insert on valuation_log to app_runtime;
grant select, insert, update, delete on property_embeddings to app_admin;
grant select, insert on valuation_log to app_admin;
