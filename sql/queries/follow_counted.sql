-- One row per location counted in $month (its code).
select l.location_id
from stock_summary as s
join locations as l on l.location_key = s.location_key
where s.month = $month::date
