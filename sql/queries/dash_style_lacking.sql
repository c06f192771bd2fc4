-- One row per counted location in the user's scope that lacks style $style in month $month.
with counted as (
    select c.location_id, c.status, l.name, l.kind, l.region, l.city, l.rep,
        coalesce(l.distributor_id, l.location_id) as group_id
    from compliance as c
    join scoped_locations($role, $scope) as l using (location_id)
    where c.month = $month::date
        and c.status <> 'no_count'
),

holding as (
    select location_id
    from style_health
    where month = $month::date and style = $style and on_hand > 0
),

final as (
    select c.*
    from counted as c
    anti join holding as h using (location_id)
)

select * from final
order by region, group_id, location_id
