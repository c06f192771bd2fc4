-- One row per location (integer keys; distributor_id is the distributor's key; location_order
-- is the place of its code in code order: keys are numbered in file order, and ties between
-- locations are broken on codes, domain.md 6.3).
with final as (
    select
        l.location_key as location_id,
        l.kind,
        d.location_key as distributor_id,
        l.region,
        l.rep,
        l.min_styles,
        l.status,
        row_number() over (order by l.location_id) as location_order
    from locations as l
    left join locations as d on d.location_id = l.distributor_id
)

select * from final
