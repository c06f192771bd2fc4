-- One row per style of the catalogue and area ($by: 'region', or 'city' for a scope within one
-- region): how the style sells there in the window ending $month, over the counted locations
-- in scope; ordered by style (the Styles page slices one out).
with counted as (
    select c.location_id, case when $by = 'city' then l.city else l.region end as area
    from compliance as c
    join scoped_locations($role, $scope) as l using (location_id)
    where c.month = $month::date
        and c.status <> 'no_count'
),

styles as (
    select distinct style
    from products
),

health as (
    select style, location_id, on_hand, units_sold
    from style_health
    where month = $month::date
),

final as (
    select
        s.style,
        coalesce(c.area, '–') as area,
        count(*) as n_locations,
        count(*) filter (where h.on_hand > 0) as n_in_stock,
        coalesce(sum(h.units_sold), 0)::bigint as units_sold,
        coalesce(sum(h.on_hand), 0)::bigint as on_hand
    from counted as c
    cross join styles as s
    left join health as h on h.location_id = c.location_id and h.style = s.style
    group by s.style, c.area
)

select * from final
order by style, units_sold desc, area
