-- Small lookups from integer keys back to codes.
select 'location' as kind, location_key as key, location_id as code from locations
union all
select 'sku' as kind, sku_key as key, sku as code from products
