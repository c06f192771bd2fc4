-- One row per location counted in some month up to $month: its latest counted month.
select location_key as location_id, max(month) as month
from stock_summary
where month <= $month::date
group by location_key
