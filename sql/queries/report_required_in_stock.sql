-- One row per counted location and required style (bestseller or new) in stock there in month
-- $month: the numerators of bestseller and new-style coverage for any region or rep.
with health as (
    select location_id, style, is_bestseller, is_new
    from style_health
    where month = $month::date and (is_bestseller or is_new) and on_hand > 0
),

counted as (
    select location_id, kind, region, rep
    from compliance
    where month = $month::date and status <> 'no_count'
),

final as (
    select c.location_id, c.kind, c.region, c.rep, h.style, h.is_bestseller, h.is_new
    from health as h
    join counted as c using (location_id)
)

select * from final order by style, location_id
