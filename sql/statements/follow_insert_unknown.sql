-- Store month $month's follow-through when no location is counted in the month after: every
-- action line (the follow_lines macro, sql/012_follow_lines.sql) is unknown, received_units
-- null (domain.md 8), one row per line in queries/follow_lines.sql's order.
insert into follow_through by name
select
    $month::date as month,
    * exclude (lacking_location_ids),
    null::bigint as received_units,
    'unknown' as follow_status
from follow_lines($month::date)
order by
    location_id,
    case action when 'replenish' then 1 when 'transfer' then 2 else 3 end,
    style, colour, size, source_location_id
