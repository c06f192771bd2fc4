-- One row per location in scope and SKU of style $style: on hand in month $month (0 when not
-- counted) and whether it is a core size that month; ordered by location (the location page
-- slices one out).
with loc as (
    select l.location_id, l.location_key
    from scoped_locations($role, $scope) as l
),

skus as (
    select sku_key, sku, colour, size, category
    from products
    where style = $style
),

counted as (
    select st.location_key, st.sku_key, st.on_hand
    from stock as st
    join loc using (location_key)
    join skus using (sku_key)
    where st.month = $month::date
),

core as (
    select sku
    from core_skus
    where month = $month::date and style = $style
),

final as (
    select
        loc.location_id,
        s.sku,
        s.colour,
        s.size,
        s.category,
        coalesce(c.on_hand, 0) as on_hand,
        k.sku is not null as is_core
    from loc
    cross join skus as s
    left join counted as c on c.location_key = loc.location_key and c.sku_key = s.sku_key
    left join core as k on k.sku = s.sku
)

select * from final
order by location_id, colour, size
