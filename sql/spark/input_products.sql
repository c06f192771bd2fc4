-- One row per SKU: products.parquet as the store's `products` table (the classify queries
-- read these names).
with final as (
    select
        sku_key,
        sku,
        style,
        colour,
        size,
        category,
        launch_month,
        price as price_cny,
        style_name,
        season,
        is_core_size
    from products_file
)

select * from final
