-- One row per action line of month $month: replenish, transfer (one per SKU and source),
-- distribute, clearance, with the reason as a code and its parameters (the exporter adds the reason in
-- words: assortment/actions.py), then what the line is worth (domain.md 6.3) and, on a
-- clearance line, its months of cover (6.4, empty when nothing sold over W).
select
    strftime(month, '%Y-%m') as month,
    location_id,
    action,
    style,
    colour,
    size,
    sku,
    units,
    source_location_id,
    value_cny,
    reason_code,
    bestseller_rank,
    strftime(launch_month, '%Y-%m') as launch_month,
    source_on_hand,
    units_sold,
    sell_through,
    demand_units_per_month,
    target_units,
    source_kind,
    value_at_stake_cny,
    lacking_location_ids,
    months_of_cover
from actions
where month = $month::date
order by
    location_id,
    case action when 'replenish' then 1 when 'transfer' then 2 when 'distribute' then 3 else 4 end,
    style, colour, size, source_location_id
