-- The completeness guard (domain.md 3): a load that a person confirmed although counts
-- dropped records which ones, as JSON [[month, location_id, styles_before, styles_after], ...].
alter table load_log add column confirmed_drops varchar;
