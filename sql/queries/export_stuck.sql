-- One row per (distributor, style) stuck at the distributor in month $month (domain.md 9),
-- largest value at stake first; lacking_location_ids ';'-separated, ascending.
with final as (
    select
        strftime(month, '%Y-%m') as month,
        distributor_id,
        style,
        held_units,
        stores,
        stores_with_style,
        reach,
        elsewhere_sell_through,
        array_to_string(list_sort(lacking_location_ids), ';') as lacking_location_ids,
        units,
        value_at_stake_cny
    from stuck
    where month = $month::date
)

select * from final
order by value_at_stake_cny desc, distributor_id, style
