-- The stored stock counts of some locations, for the completeness guard:
-- one row per counted (month, location), with the styles it had in stock.
select
    month,
    location_key,
    active_styles
from stock_summary
where list_contains($location_keys::integer[], location_key)
