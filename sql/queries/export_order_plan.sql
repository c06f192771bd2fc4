-- One row per region, style and size of month $month's factory order plan, naming the
-- region's locations whose count was carried forward or left out (domain.md 6.6).
with plan as (
    select month, region, style, size, units, demand_units, on_hand_units
    from order_plan
    where month = $month::date
),

named as (
    select
        region,
        string_agg(location_id, ';' order by location_id)
            filter (where coverage = 'carried') as carried_location_ids,
        string_agg(location_id, ';' order by location_id)
            filter (where coverage = 'left_out') as left_out_location_ids
    from order_plan_locations
    where month = $month::date
    group by region
),

final as (
    select
        strftime(p.month, '%Y-%m') as month,
        p.region,
        p.style,
        p.size,
        p.units,
        p.demand_units,
        p.on_hand_units,
        coalesce(n.carried_location_ids, '') as carried_location_ids,
        coalesce(n.left_out_location_ids, '') as left_out_location_ids
    from plan as p
    left join named as n on n.region = p.region
)

select * from final
order by region, style, size
