-- One row per location and SKU in stock at the end of $month, for the locations that have
-- action lines in $action_month (codes, not keys).
with acting as (
    select distinct l.location_key
    from actions as a
    join locations as l on l.location_id = a.location_id
    where a.month = $action_month::date
),

final as (
    select l.location_id, p.sku, s.on_hand::bigint as on_hand
    from stock as s
    join acting as x on x.location_key = s.location_key
    join locations as l on l.location_key = s.location_key
    join products as p on p.sku_key = s.sku_key
    where s.month = $month::date and s.on_hand > 0
)

select * from final
