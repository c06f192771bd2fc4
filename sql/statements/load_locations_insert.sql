-- Store the registered locations file `incoming` (one row per location).
insert into locations
select location_key, location_id, name, kind, distributor_id, region, province, city, rep,
    min_styles, status
from incoming
