-- One row per counted (month, location): its active styles (on hand >= 1), units and SKU
-- rows, as the store's `stock_summary` (which every load keeps, see
-- sql/statements/stock_summary_insert.sql).
with final as (
    select
        s.month,
        s.location_key,
        count(distinct case when s.on_hand > 0 then p.style end) as active_styles,
        sum(s.on_hand) as on_hand_units,
        count(*) as n_skus
    from stock as s
    join products as p using (sku_key)
    group by s.month, s.location_key
)

select * from final
