-- Which code computed a month's results: results are out of date when the product was
-- upgraded since (runs before this migration have '' and are classified again when asked).
alter table classify_runs add column engine_fingerprint varchar not null default '';
