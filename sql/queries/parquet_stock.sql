-- One row per location and SKU counted at the end of $month (zero rows included: a location
-- with any row is counted), with the codes users know.
with final as (
    select l.location_id, p.sku, s.on_hand::bigint as on_hand
    from stock as s
    join locations as l using (location_key)
    join products as p using (sku_key)
    where s.month = $month::date
    order by s.location_key, s.sku_key
)

select * from final
