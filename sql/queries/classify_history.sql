-- One row per location counted in a month of [$start, $end]: its active style count.
select location_key as location_id, month, active_styles::bigint as active_styles
from stock_summary
where month between $start::date and $end::date
