-- One row per location and SKU in stock at the latest count of each location that has no
-- count in $month but one in [$start, $month) (carried forward in the order plan, 6.6).
with latest as (
    select location_key, max(month) as month
    from stock_summary
    where month <= $month::date
    group by location_key
),

carried as (
    select location_key, month
    from latest
    where month >= $start::date and month < $month::date
),

final as (
    select s.location_key as location_id, s.sku_key as sku, s.on_hand::bigint as on_hand
    from stock as s
    join carried as c on c.location_key = s.location_key and c.month = s.month
    where s.on_hand > 0
)

select * from final
