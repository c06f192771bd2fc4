-- Store the registered file `incoming` as stock rows (one row per month, location and SKU).
insert into stock
select month, location_key, sku_key, qty::integer
from incoming
order by month, location_key, sku_key
