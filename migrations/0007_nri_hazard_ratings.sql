-- Reference data (0003): FEMA's per-hazard ratings next to the per-hazard scores.
--
-- Per-hazard ratings ({"AVLN": "Very High", ...}) where the loaded NRI table has them (*_RISKR columns); the
-- county risk table shipped in data/fema_nri has scores only, so this stays empty for it: no rating is derived
-- from a score, because FEMA assigns ratings by clustering, not by fixed score thresholds.
alter table ref_county_hazards
  add column hazard_ratings jsonb not null default '{}' check (jsonb_typeof(hazard_ratings) = 'object');
