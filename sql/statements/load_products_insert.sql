-- Store the registered products file `incoming` (one row per SKU).
insert into products
select sku_key, sku, style, colour, size, category, launch_month, price_cny, style_name,
    season, is_core_size
from incoming
