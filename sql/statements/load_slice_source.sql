-- Remember which load last wrote each (month, location) slice of the file just stored (the
-- temp table `incoming_slices`; one row per kind, month and location).
insert or replace into slice_source
select $kind, month, location_key, $load_id, $sha256
from incoming_slices
