-- One row per stored SKU: what a file's rows are checked against (and its surrogate key).
select sku, sku_key, style, colour, size, category, launch_month, price_cny
from products
