-- One row per location and SKU that the action lines of $action_month are judged by
-- (domain.md 8; codes, not keys), with its stock at the end of $month and its units sold in
-- $month (0 for none), when either is positive: the SKU of each transfer or replenish line at
-- its location, and every SKU of the style of a clearance line at its location or of a
-- distribute line at the stores it names. Nothing else of the acting locations is read.
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

in_stock as (
    select s.location_key, s.sku_key, s.on_hand
    from stock as s
    join wanted as w on w.location_key = s.location_key and w.sku_key = s.sku_key
    where s.month = $month::date and s.on_hand > 0
),

sold as (
    select s.location_key, s.sku_key, s.units_sold
    from sales as s
    join wanted as w on w.location_key = s.location_key and w.sku_key = s.sku_key
    where s.month = $month::date and s.units_sold > 0
),

final as (
    select
        l.location_id,
        p.sku,
        coalesce(i.on_hand, 0)::bigint as on_hand,
        coalesce(x.units_sold, 0)::bigint as units_sold
    from in_stock as i
    full join sold as x on x.location_key = i.location_key and x.sku_key = i.sku_key
    join locations as l on l.location_key = coalesce(i.location_key, x.location_key)
    join products as p on p.sku_key = coalesce(i.sku_key, x.sku_key)
)

select * from final
