-- One row per action line of month $month, with the rep of its location that month (the
-- follow_lines macro, sql/012_follow_lines.sql), in the order follow-through is stored.
select *
from follow_lines($month::date)
order by
    location_id,
    case action when 'replenish' then 1 when 'transfer' then 2 else 3 end,
    style, colour, size, source_location_id
