-- One row per location and SKU in stock at the end of $month, for the locations that have
-- action lines in $action_month and for the stores named by its distribute lines (codes, not
-- keys).
with named as (
    select a.location_id
    from actions as a
    where a.month = $action_month::date
    union
    select unnest(string_split(a.lacking_location_ids, ';')) as location_id
    from actions as a
    where a.month = $action_month::date and a.action = 'distribute'
),

acting as (
    select distinct l.location_key
    from named as n
    join locations as l on l.location_id = n.location_id
),

final as (
    select l.location_id, p.sku, s.on_hand::bigint as on_hand
    from stock as s
    join acting as x on x.location_key = s.location_key
    join locations as l on l.location_key = s.location_key
    join products as p on p.sku_key = s.sku_key
    where s.month = $month::date and s.on_hand > 0
)

select * from final
