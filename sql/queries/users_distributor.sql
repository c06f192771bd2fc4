-- One row: how many distributors have location_id $location_id (0 or 1).
select count(*) as n_locations
from locations
where location_id = $location_id
    and kind = 'distributor'
