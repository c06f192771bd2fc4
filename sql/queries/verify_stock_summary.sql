-- One row per counted (month, location) whose stored summary differs from a recount of stock.
with recount as (
    select
        s.month,
        s.location_key,
        count(distinct p.style) filter (where s.on_hand > 0) as active_styles,
        sum(s.on_hand) as on_hand_units,
        count(*) as n_skus
    from stock as s
    join products as p using (sku_key)
    group by s.month, s.location_key
),

final as (
    select
        strftime(coalesce(r.month, ss.month), '%Y-%m') as month,
        coalesce(l.location_id, '#' || coalesce(r.location_key, ss.location_key)::varchar) as location_id,
        ss.active_styles as stored_active_styles,
        r.active_styles as counted_active_styles,
        ss.on_hand_units as stored_on_hand_units,
        r.on_hand_units as counted_on_hand_units
    from recount as r
    full outer join stock_summary as ss using (month, location_key)
    left join locations as l on l.location_key = coalesce(r.location_key, ss.location_key)
    where ss.month is null or r.month is null
        or ss.active_styles <> r.active_styles
        or ss.on_hand_units <> r.on_hand_units
        or ss.n_skus <> r.n_skus
)

select * from final order by month, location_id
