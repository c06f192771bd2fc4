-- One row per action line of month $month, judged by the count of the month after (domain.md 8).
select
    strftime(month, '%Y-%m') as month,
    location_id,
    rep,
    action,
    style,
    colour,
    size,
    sku,
    units,
    received_units,
    follow_status
from follow_through
where month = $month::date
order by
    location_id,
    case action when 'replenish' then 1 when 'transfer' then 2 else 3 end,
    style, colour, size, source_location_id
