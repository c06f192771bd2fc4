-- One row per location, SKU and month of the window [$start, $month] with at least one unit sold.
select location_key as location_id, sku_key as sku, month, units_sold::bigint as units_sold
from sales
where month between $start::date and $month::date and units_sold > 0
