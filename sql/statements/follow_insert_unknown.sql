-- Store month $month's follow-through when no location is counted in the month after: every
-- action line is unknown, received_units null (domain.md 8), one row per line in
-- follow_lines' order, with the rep of its location that month.
insert into follow_through by name
with lines as (
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
        a.value_at_stake_cny
    from actions as a
    left join compliance as c on c.month = a.month and c.location_id = a.location_id
    where a.month = $month::date
),

final as (
    select
        $month::date as month,
        *,
        null::bigint as received_units,
        'unknown' as follow_status
    from lines
)

select * from final
order by
    location_id,
    case action when 'replenish' then 1 when 'transfer' then 2 else 3 end,
    style, colour, size, source_location_id
