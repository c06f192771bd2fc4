-- The engine fingerprint (which code) month $month's results were computed by (no row when
-- the month is not classified). A snapshot published before migration 013 has no such column:
-- job.is_current reads that as "not current".
select engine_fingerprint
from classify_runs
where month = $month
