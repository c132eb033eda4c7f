-- Every property carries its county's FEMA National Risk Index hazards, whichever path wrote it (the API's
-- create, replace and patch, the enrichment pipeline, the demo seed, an operator's SQL).
--
-- Stored per property rather than joined at read time: lists sort by the overall risk score and filter by its
-- rating, and under forced row-level security a sort is an index scan only over a column of properties itself
-- (a score in another table would mean sorting every matching row). Reads stay one statement with no join.
--
-- A BEFORE trigger fills the hazard columns from the reference tables of 0003 and 0007 in the writing statement itself:
-- the county is the row's county_fips, else the county of its ZIP (ref_zip_locations); the hazards are that
-- county's ref_county_hazards row, or nothing when there is no county or the NRI has no row for it. The trigger
-- function is SECURITY INVOKER (the writer's own privileges: every writing role may read the reference tables)
-- with a pinned search_path, and it reads no tenant data. It fires on inserts and on updates that touch the
-- location or a hazard column, so no writer can store hazards that disagree with the reference data; a soft
-- delete or a status change leaves them as they are. A reload of the reference data with a new NRI release
-- reaches a property when it is next written (hazards.nriVersion says which release a property shows).

alter table properties
  -- The county the hazards were looked up for; null when the row has neither county_fips nor a known ZIP.
  add column hazards_county_fips char(5) check (hazards_county_fips ~ '^[0-9]{5}$'),
  -- Integer sort keys, as 0002's: numeric comparisons are not LEAKPROOF, so they could not bound an index scan
  -- under RLS. Properties without hazards come last in both orders.
  add column hazard_risk_sort_asc integer
    generated always as (coalesce((hazard_risk_score * 100)::integer, 2147483647)) stored,
  add column hazard_risk_sort_desc integer generated always as (coalesce((hazard_risk_score * 100)::integer, -1)) stored;

-- Sort "riskScore": lowest overall risk first; "-riskScore": highest first.
create index properties_tenant_risk_asc_idx on properties (tenant_id, hazard_risk_sort_asc, id) where deleted_at is null;
create index properties_tenant_risk_desc_idx on properties (tenant_id, hazard_risk_sort_desc, id)
  where deleted_at is null;

create function attach_county_hazards() returns trigger
language plpgsql
security invoker
set search_path = pg_catalog, public
as $$
declare
  county_row ref_county_hazards%rowtype;
begin
  new.hazards_county_fips := coalesce(
    new.county_fips,
    -- char(5) on both sides, so the lookup is a primary-key probe (text = char would cast the column).
    (select z.county_fips from ref_zip_locations z where z.zip = left(new.zip, 5)::char(5))
  );
  select * into county_row from ref_county_hazards h where h.county_fips = new.hazards_county_fips;
  if found then
    new.hazard_risk_score := county_row.risk_score;
    new.hazard_risk_rating := county_row.risk_rating;
    new.hazards_version := county_row.data_version;
    new.hazards := jsonb_build_object(
      'county', county_row.county,
      'state', county_row.state,
      'scores', county_row.hazard_scores,
      'ratings', county_row.hazard_ratings
    );
  else
    new.hazard_risk_score := null;
    new.hazard_risk_rating := null;
    new.hazards_version := null;
    new.hazards := null;
  end if;
  return new;
end
$$;

create trigger properties_county_hazards
  before insert or update of zip, county_fips, hazards_county_fips, hazards, hazards_version, hazard_risk_score,
    hazard_risk_rating
  on properties
  for each row execute function attach_county_hazards();

-- Existing rows. The owner is subject to the forced RLS like everyone else and would update nothing, so FORCE is
-- lifted for this one statement, inside this migration's transaction, and put back before it commits.
alter table properties no force row level security;
update properties set zip = zip;
alter table properties force row level security;
