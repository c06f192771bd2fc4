-- One row per stored SKU with its surrogate key (new SKUs are numbered after the largest).
select sku, sku_key
from products
