-- One row per month, location and SKU sold: sales/month=YYYY-MM/ as the store's `sales`
-- table (integer keys; rows naming an unknown location or SKU are left out).
with final as (
    select
        to_date(concat(f.month, '-01')) as month,
        l.location_key,
        p.sku_key,
        f.units_sold,
        f.amount as amount_cny
    from sales_file as f
    join locations as l on l.location_id = f.location_id
    join products as p on p.sku = f.sku
)

select * from final
