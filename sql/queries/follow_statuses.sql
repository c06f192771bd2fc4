-- One row per active location with a compliance result in $month: its rep and status.
select location_id, rep, status
from compliance
where month = $month::date
