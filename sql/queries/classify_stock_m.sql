-- One row per location and SKU counted in month $month.
select location_key as location_id, sku_key as sku, on_hand::bigint as on_hand
from stock
where month = $month::date
