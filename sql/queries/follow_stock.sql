-- One row per location and SKU in stock at the end of $month that the action lines of
-- $action_month are judged by (domain.md 8; codes, not keys): the SKU of each transfer or
-- replenish line at its location, and every SKU of the style of a clearance line at its
-- location or of a distribute line at the stores it names. Nothing else of the acting
-- locations is read.
with lines as (
    select a.location_id, a.action, a.style, a.sku, a.lacking_location_ids
    from actions as a
    where a.month = $action_month::date
),

line_skus as (
    select l.location_key, p.sku_key
    from lines as a
    join locations as l on l.location_id = a.location_id
    join products as p on p.sku = a.sku
),

named_styles as (
    select a.location_id, a.style
    from lines as a
    where a.action = 'clearance'
    union
    select unnest(string_split(a.lacking_location_ids, ';')) as location_id, a.style
    from lines as a
    where a.action = 'distribute'
),

style_skus as (
    select l.location_key, p.sku_key
    from named_styles as n
    join locations as l on l.location_id = n.location_id
    join products as p on p.style = n.style
),

wanted as (
    select location_key, sku_key from line_skus
    union
    select location_key, sku_key from style_skus
),

final as (
    select l.location_id, p.sku, s.on_hand::bigint as on_hand
    from stock as s
    join wanted as w on w.location_key = s.location_key and w.sku_key = s.sku_key
    join locations as l on l.location_key = s.location_key
    join products as p on p.sku_key = s.sku_key
    where s.month = $month::date and s.on_hand > 0
)

select * from final
