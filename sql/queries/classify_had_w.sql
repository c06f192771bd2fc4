-- One row per store and style in stock (on hand summed over the style's SKUs >= 1) at the
-- end of some month from $start to $end: the months of the window W before M (domain.md 9;
-- M's own count is read by classify_stock_m). Aggregated here: the window's counts are the
-- largest input of the stuck rule, and only whether a store had the style matters.
with store_keys as (
    select location_key from locations where kind = 'store'
),

in_stock as (
    select s.month, s.location_key, p.style
    from stock as s
    join store_keys using (location_key)
    join products as p using (sku_key)
    where s.month between $start::date and $end::date and s.on_hand > 0
),

final as (
    select distinct location_key as location_id, style
    from in_stock
)

select * from final
