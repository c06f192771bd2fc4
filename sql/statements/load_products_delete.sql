-- Remove the stored SKUs the registered file `incoming` updates (re-inserted at once).
delete from products
where sku_key in (select sku_key from incoming)
