-- One row per network bestseller and per new style of month $month ('list' says which),
-- with how many counted locations in the user's scope have it in stock.
with counted as (
    select c.location_id
    from compliance as c
    join scoped_locations($role, $scope) as l using (location_id)
    where c.month = $month::date
        and c.status <> 'no_count'
),

required as (
    select 'bestseller' as list, style, rank, net_units, null::date as launch_month
    from bestsellers
    where month = $month::date
    union all
    select 'new' as list, style, null as rank, null as net_units, launch_month
    from new_styles
    where month = $month::date
),

in_stock as (
    select h.style, count(*) as n_in_stock, sum(h.units_sold)::bigint as units_sold
    from style_health as h
    join counted using (location_id)
    where h.month = $month::date and h.on_hand > 0
    group by h.style
),

styles as (
    select style, any_value(style_name) as style_name, any_value(category) as category
    from products
    group by style
),

final as (
    select
        r.list,
        r.style,
        s.style_name,
        s.category,
        r.rank,
        r.net_units,
        strftime(r.launch_month, '%Y-%m') as launch_month,
        coalesce(i.n_in_stock, 0) as n_in_stock,
        (select count(*) from counted) as n_locations
    from required as r
    left join in_stock as i using (style)
    left join styles as s using (style)
)

select * from final
order by list, rank nulls last, launch_month desc, style
