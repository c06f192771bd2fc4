-- One row per region, style and size of month $month's factory order plan.
select
    strftime(month, '%Y-%m') as month,
    region,
    style,
    size,
    units,
    demand_units,
    on_hand_units
from order_plan
where month = $month::date
order by region, style, size
