-- One row per SKU: the catalogue with its integer key (fixes the engines' tie-break order).
with final as (
    select
        sku_key,
        sku,
        style,
        colour,
        size,
        category,
        launch_month,
        price_cny as price,
        style_name,
        season,
        is_core_size
    from products
    order by sku_key
)

select * from final
