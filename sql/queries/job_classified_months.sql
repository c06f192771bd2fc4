-- One row per classified month (a date), oldest first.
select month
from classify_runs
order by month
