-- A few SKUs of the catalogue (bras first) to fill the upload template's example rows.
select sku, style, colour, size
from products
order by case category when 'bra' then 0 else 1 end, sku
limit 3
