-- One row per classified month (YYYY-MM), oldest first.
select strftime(month, '%Y-%m') as month
from classify_runs
order by classify_runs.month
