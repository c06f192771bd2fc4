-- One row per classified style at each location in scope in month $month, with the style's
-- name, category and price; ordered by location (the location page slices one out).
with loc as (
    select l.location_id
    from scoped_locations($role, $scope) as l
),

styles as (
    select
        style,
        any_value(style_name) as style_name,
        any_value(category) as category,
        any_value(price_cny) as price_cny
    from products
    group by style
),

final as (
    select
        h.location_id,
        h.style,
        s.style_name,
        s.category,
        h.segment,
        h.is_bestseller,
        h.is_new,
        h.on_hand,
        h.units_sold,
        h.sell_through,
        h.broken_size,
        h.broken_colour,
        array_to_string(h.missing_core_skus, ', ') as missing_core_skus,
        h.on_hand * s.price_cny as value_cny
    from style_health as h
    join loc using (location_id)
    left join styles as s using (style)
    where h.month = $month::date
)

select * from final
order by
    location_id,
    case segment when 'bestseller' then 0 when 'new' then 1 when 'slow_moving' then 3 else 2 end,
    style
