-- One row per SKU: network units sold over [$start, $month] (every location, closed ones too).
select sku_key as sku, sum(units_sold)::bigint as units_sold
from sales
where month between $start::date and $month::date
group by sku_key
