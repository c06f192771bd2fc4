-- The (month, location) slices the registered file `incoming` replaces (one row each).
create or replace temp table incoming_slices as
select distinct month, location_key
from incoming
