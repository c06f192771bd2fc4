-- One row per stored location with its surrogate key (new ones are numbered after the largest).
select location_id, location_key
from locations
