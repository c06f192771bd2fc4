-- One row per area ($by: 'region', or 'city' for a scope within one region): how style
-- $style sells there in the window ending $month, over the counted locations in scope.
with counted as (
    select c.location_id, case when $by = 'city' then l.city else l.region end as area
    from compliance as c
    join scoped_locations($role, $scope) as l using (location_id)
    where c.month = $month::date
        and c.status <> 'no_count'
),

health as (
    select location_id, on_hand, units_sold
    from style_health
    where month = $month::date and style = $style
),

final as (
    select
        coalesce(c.area, '–') as area,
        count(*) as n_locations,
        count(*) filter (where h.on_hand > 0) as n_in_stock,
        coalesce(sum(h.units_sold), 0)::bigint as units_sold,
        coalesce(sum(h.on_hand), 0)::bigint as on_hand
    from counted as c
    left join health as h using (location_id)
    group by c.area
)

select * from final
order by units_sold desc, area
