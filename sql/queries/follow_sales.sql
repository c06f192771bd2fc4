-- One row per location and SKU sold in $month, for the locations that have action lines in
-- $action_month (codes, not keys).
with acting as (
    select distinct l.location_key
    from actions as a
    join locations as l on l.location_id = a.location_id
    where a.month = $action_month::date
),

final as (
    select l.location_id, p.sku, s.units_sold::bigint as units_sold
    from sales as s
    join acting as x on x.location_key = s.location_key
    join locations as l on l.location_key = s.location_key
    join products as p on p.sku_key = s.sku_key
    where s.month = $month::date and s.units_sold > 0
)

select * from final
