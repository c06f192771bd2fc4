-- One row per month, location and SKU counted: stock/month=YYYY-MM/ as the store's `stock`
-- table (integer keys; rows naming an unknown location or SKU are left out).
with final as (
    select
        to_date(concat(f.month, '-01')) as month,
        l.location_key,
        p.sku_key,
        f.on_hand
    from stock_file as f
    join locations as l on l.location_id = f.location_id
    join products as p on p.sku = f.sku
)

select * from final
