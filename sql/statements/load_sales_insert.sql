-- Store the registered file `incoming` as sales rows (one row per month, location and SKU).
insert into sales
select month, location_key, sku_key, qty::integer, amount
from incoming
order by month, location_key, sku_key
