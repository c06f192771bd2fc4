-- One row per SKU: its style (codes).
select sku, style from products
