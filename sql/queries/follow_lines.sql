-- One row per action line of month $month, with the rep of its location that month (a
-- distribute line carries the stores it sends to, lacking_location_ids, `;`-separated).
with final as (
    select
        a.location_id,
        c.rep,
        a.action,
        a.style,
        a.colour,
        a.size,
        a.sku,
        a.units,
        a.source_location_id,
        a.value_at_stake_cny,
        a.lacking_location_ids
    from actions as a
    left join compliance as c on c.month = a.month and c.location_id = a.location_id
    where a.month = $month::date
)

select * from final
order by
    location_id,
    case action when 'replenish' then 1 when 'transfer' then 2 else 3 end,
    style, colour, size, source_location_id
