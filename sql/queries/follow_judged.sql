-- One row per stored follow-through line of month $month: its rep, status and value at stake
-- (what the rep scorecard counts).
select rep, follow_status, value_at_stake_cny
from follow_through
where month = $month::date
