-- One row per location and SKU sold in $month, with the codes users know.
with final as (
    select l.location_id, p.sku, s.units_sold::bigint as units_sold, s.amount_cny as amount
    from sales as s
    join locations as l using (location_key)
    join products as p using (sku_key)
    where s.month = $month::date
    order by s.location_key, s.sku_key
)

select * from final
