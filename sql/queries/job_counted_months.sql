-- One row per month with at least one stock count, oldest first.
select distinct month
from stock_summary
order by month
