-- Every stored (month, location) slice of stock, to recount them all (after a products load
-- moved SKUs between styles).
create or replace temp table incoming_slices as
select distinct month, location_key
from stock
