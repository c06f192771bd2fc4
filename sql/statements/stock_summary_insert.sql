-- Recount the slices in `incoming_slices` from the stored stock: one row per month and
-- location with its active styles (on hand >= 1), units on hand and SKU rows.
with slice_stock as (
    select s.month, s.location_key, s.sku_key, s.on_hand
    from stock as s
    join incoming_slices as i using (month, location_key)
),

final as (
    select
        ss.month,
        ss.location_key,
        count(distinct p.style) filter (where ss.on_hand > 0) as active_styles,
        sum(ss.on_hand) as on_hand_units,
        count(*) as n_skus
    from slice_stock as ss
    join products as p using (sku_key)
    group by ss.month, ss.location_key
)

insert into stock_summary
select * from final
