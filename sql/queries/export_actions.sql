-- One row per action of month $month: replenish, transfer, clearance.
select
    strftime(month, '%Y-%m') as month,
    location_id,
    action,
    style,
    colour,
    size,
    sku,
    units,
    source_location_id,
    value_cny,
    reason
from actions
where month = $month::date
order by
    location_id,
    case action when 'replenish' then 1 when 'transfer' then 2 else 3 end,
    style, colour, size
