-- One row per SKU: the catalogue as the classification rules see it (sku = integer key).
select
    sku_key as sku,
    style,
    colour,
    size,
    category,
    launch_month,
    price_cny as price,
    is_core_size
from products
