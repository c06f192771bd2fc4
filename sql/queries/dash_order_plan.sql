-- One row per region, style and size of the factory order plan of month $month
-- (admins only: $role must be 'admin'), filtered by $regions (empty list: all).
with styles as (
    select style, any_value(style_name) as style_name, any_value(category) as category
    from products
    group by style
),

final as (
    select
        o.region,
        o.style,
        s.style_name,
        s.category,
        o.size,
        o.units,
        o.demand_units,
        o.on_hand_units
    from order_plan as o
    left join styles as s using (style)
    where o.month = $month::date
        and $role = 'admin'
        and (len($regions::varchar[]) = 0 or list_contains($regions::varchar[], o.region))
)

select * from final
order by region, style, size
