-- Reference tables for enrichment: ZIP code -> place/county/centroid (GeoNames) and county natural hazard risk
-- (FEMA National Risk Index). Filled by scripts/load-reference-data.ts, not by this migration, so the data can be
-- refreshed without a schema change.
--
-- These are public, shared reference data, not tenant data: no tenant_id and no row-level security. Both runtime
-- roles get read-only access; only the owner (the migrating role) writes them.

create table ref_zip_locations (
  zip char(5) primary key check (zip ~ '^[0-9]{5}$'),
  city text not null check (length(city) between 1 and 100),
  -- Null for military APO/FPO/DPO codes, which belong to no state.
  state char(2) check (state ~ '^[A-Z]{2}$'),
  -- Null for the military codes and the Marshall Islands, which have no county.
  county_fips char(5) check (county_fips ~ '^[0-9]{5}$'),
  county_name text check (length(county_name) <= 100),
  latitude double precision not null check (latitude between -90 and 90),
  longitude double precision not null check (longitude between -180 and 180)
);

-- Enrichment goes ZIP -> county -> hazards; this serves the reverse (ZIPs of a county) for area views.
create index ref_zip_locations_county_idx on ref_zip_locations (county_fips) where county_fips is not null;

comment on table ref_zip_locations is
  'US ZIP code locations. Source: GeoNames (geonames.org), CC BY 4.0; the credit must be shown with the data.';

create table ref_county_hazards (
  county_fips char(5) primary key check (county_fips ~ '^[0-9]{5}$'),
  state char(2) not null check (state ~ '^[A-Z]{2}$'),
  state_name text not null,
  county text not null check (length(county) between 1 and 100),
  -- National percentile 0-100. Null (never 0) where FEMA reports "Insufficient Data".
  risk_score numeric(5, 2) check (risk_score between 0 and 100),
  risk_rating text check (
    risk_rating in ('Very Low', 'Relatively Low', 'Relatively Moderate', 'Relatively High', 'Very High')
  ),
  -- The 18 hazard type risk scores keyed by FEMA code ({"AVLN": null, "CFLD": 12.3, ...}), rounded to 2
  -- decimals. A null score means the hazard does not apply or data is insufficient, not zero risk. One jsonb
  -- column instead of 18 numeric ones because the set of hazards changes between NRI releases.
  hazard_scores jsonb not null check (jsonb_typeof(hazard_scores) = 'object'),
  -- Which NRI release the row comes from; responses carry it so a score can be traced to its source.
  data_version text not null check (length(data_version) between 1 and 100)
);

comment on table ref_county_hazards is
  'FEMA National Risk Index, County table. This product uses the Federal Emergency Management Agency''s '
  'National Risk Index dataset API or downloadable datasets but is not endorsed by FEMA.';

grant select on ref_zip_locations, ref_county_hazards to app_runtime;
grant select on ref_zip_locations, ref_county_hazards to app_admin;
