-- Count the slices of the registered file `incoming`, just stored in `stock` (their only
-- rows now): one row per month and location with its active styles (on hand >= 1), units on
-- hand and SKU rows. The same figures as stock_summary_insert, without reading stock back.
with final as (
    select
        i.month,
        i.location_key,
        count(distinct p.style) filter (where i.qty > 0) as active_styles,
        sum(i.qty) as on_hand_units,
        count(*) as n_skus
    from incoming as i
    join products as p using (sku_key)
    group by i.month, i.location_key
)

insert into stock_summary
select * from final
