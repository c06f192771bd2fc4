-- One row per location and SKU: units sold over the window [$start, $month].
select location_key as location_id, sku_key as sku, sum(units_sold)::bigint as units_sold
from sales
where month between $start::date and $month::date
group by location_key, sku_key
