-- One row per classified location and style of month $month.
select
    strftime(month, '%Y-%m') as month,
    location_id,
    style,
    segment,
    is_bestseller,
    is_new,
    on_hand,
    units_sold,
    sell_through,
    broken_size,
    broken_colour,
    array_to_string(missing_core_skus, ';') as missing_core_skus
from style_health
where month = $month::date
order by location_id, style
