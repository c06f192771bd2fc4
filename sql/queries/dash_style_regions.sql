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

areas as (
    select area, count(*) as n_locations
    from counted
    group by area
),

styles as (
    select distinct style
    from products
),

sold as (
    select
        h.style,
        c.area,
        count(*) filter (where h.on_hand > 0) as n_in_stock,
        sum(h.units_sold) as units_sold,
        sum(h.on_hand) as on_hand
    from style_health as h
    join counted as c using (location_id)
    where h.month = $month::date
    group by h.style, c.area
),

final as (
    select
        s.style,
        coalesce(a.area, '–') as area,
        a.n_locations,
        coalesce(d.n_in_stock, 0) as n_in_stock,
        coalesce(d.units_sold, 0)::bigint as units_sold,
        coalesce(d.on_hand, 0)::bigint as on_hand
    from areas as a
    cross join styles as s
    left join sold as d on d.style = s.style and d.area is not distinct from a.area
)

select * from final
order by style, units_sold desc, area
