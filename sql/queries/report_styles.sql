-- One row per style: its name, category, launch month and price, as reports show them.
with products_src as (
    select style, style_name, category, launch_month, price_cny
    from products
),

final as (
    select
        style,
        min(style_name) as style_name,
        min(category) as category,
        strftime(min(launch_month), '%Y-%m') as launch_month,
        max(price_cny) as price_cny
    from products_src
    group by style
)

select * from final order by style
