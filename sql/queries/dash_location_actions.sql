-- One row per action line (SKU and source) for the visit to each location in scope in month
-- $month, with the source location's name for transfers and what the line is worth; ordered
-- by location (the location page slices one out).
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
        a.action,
        a.style,
        a.colour,
        a.size,
        a.sku,
        a.units,
        a.source_location_id,
        src.name as source_name,
        a.value_cny,
        a.source_kind,
        a.demand_units_per_month,
        a.target_units,
        a.value_at_stake_cny,
        a.months_of_cover,
        a.reason_code,
        a.bestseller_rank,
        a.launch_month,
        a.source_on_hand,
        a.units_sold,
        a.sell_through,
        a.lacking_location_ids,
        a.location_id,
        sn.style_name,
        sn.category
    from actions as a
    join loc using (location_id)
    left join style_names as sn on sn.style = a.style
    left join locations as src on src.location_id = a.source_location_id
    where a.month = $month::date
)

select * from final
order by
    location_id,
    case action when 'replenish' then 0 when 'transfer' then 1 when 'distribute' then 2 else 3 end,
    style, colour, size, units desc, source_location_id nulls first
