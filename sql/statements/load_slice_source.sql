-- Remember which load last wrote each (month, location) slice of the registered file
-- `incoming` (one row per kind, month and location).
insert or replace into slice_source
select distinct $kind, month, location_key, $load_id, $sha256
from incoming
