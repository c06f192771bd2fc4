-- One row per action for the visit to $location_id in month $month (scope-checked),
-- with the source location's name for transfers.
with loc as (
    select l.location_id
    from scoped_locations($role, $scope) as l
    where l.location_id = $location_id
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
        a.reason_code,
        a.bestseller_rank,
        a.launch_month,
        a.source_on_hand,
        a.units_sold,
        a.sell_through,
        a.lacking_location_ids
    from actions as a
    join loc using (location_id)
    left join locations as src on src.location_id = a.source_location_id
    where a.month = $month::date
)

select * from final
order by
    case action when 'replenish' then 0 when 'transfer' then 1 when 'distribute' then 2 else 3 end,
    style, colour, size
