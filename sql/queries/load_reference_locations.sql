-- One row per stored location: what a file's rows are checked against (and its surrogate key).
select location_id, location_key, kind, distributor_id
from locations
