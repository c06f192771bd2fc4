-- One row per action line of the month before $month at each location in scope, with what the
-- count of $month showed (domain.md 8), and the style's name; ordered by location (the
-- location page slices one out).
with loc as (
    select l.location_id
    from scoped_locations($role, $scope) as l
),

style_names as (
    select style, min(style_name) as style_name, min(category) as category
    from products
    group by style
),

final as (
    select
        f.location_id,
        f.action,
        f.style,
        sn.style_name,
        sn.category,
        f.colour,
        f.size,
        f.units,
        f.received_units,
        f.source_location_id,
        f.value_at_stake_cny,
        f.follow_status
    from follow_through as f
    join loc using (location_id)
    left join style_names as sn on sn.style = f.style
    where f.month = ($month::date - interval 1 month)
)

select * from final
order by
    location_id,
    case follow_status when 'not_done' then 0 when 'partly' then 1 when 'unknown' then 2 else 3 end,
    value_at_stake_cny desc nulls last, style, colour, size
