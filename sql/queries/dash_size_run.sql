-- One row per SKU of style $style: on hand at $location_id in month $month (0 when not
-- counted) and whether it is a core size that month. Empty when out of scope.
with loc as (
    select l.location_key
    from scoped_locations($role, $scope) as l
    where l.location_id = $location_id
),

skus as (
    select sku_key, sku, colour, size, category
    from products
    where style = $style
),

counted as (
    select st.sku_key, st.on_hand
    from stock as st
    join loc using (location_key)
    where st.month = $month::date
),

core as (
    select sku
    from core_skus
    where month = $month::date and style = $style
),

final as (
    select
        s.sku,
        s.colour,
        s.size,
        s.category,
        coalesce(c.on_hand, 0) as on_hand,
        k.sku is not null as is_core
    from skus as s
    left join counted as c using (sku_key)
    left join core as k using (sku)
    where exists (select 1 from loc)
)

select * from final
order by colour, size
