-- One row per classified month, oldest first, with the rules recorded for it: what a
-- rebuild classifies again.
select month, rules_json
from classify_runs
order by month
