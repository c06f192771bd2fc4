-- One row per location and SKU in stock (on_hand >= 1) at the end of month $month,
-- plus one zero row for each location counted in $month with nothing in stock, so that
-- "counted" (at least one stock row) survives: an absent SKU has on hand 0 (domain.md 3).
-- Month-end counts are mostly zeros; dropping them here shrinks the job's input ~10x.
with in_stock as (
    select location_key as location_id, sku_key as sku, on_hand::bigint as on_hand
    from stock
    where month = $month::date and on_hand > 0
),

counted_empty as (
    select ss.location_key as location_id, (select min(sku_key) from products) as sku, 0::bigint as on_hand
    from stock_summary as ss
    where ss.month = $month::date and ss.on_hand_units = 0
),

final as (
    select * from in_stock
    union all
    select * from counted_empty
)

select * from final
