-- One row per location, SKU and month of [$start, $end] in stock (on_hand >= 1) at that
-- month's end: the counts that make a SKU available in the following month (domain.md 6.1).
select location_key as location_id, sku_key as sku, month, on_hand::bigint as on_hand
from stock
where month between $start::date and $end::date and on_hand > 0
