-- One row per location (integer keys; distributor_id is the distributor's key).
with final as (
    select
        l.location_key as location_id,
        l.kind,
        d.location_key as distributor_id,
        l.region,
        l.rep,
        l.min_styles,
        l.status
    from locations as l
    left join locations as d on d.location_id = l.distributor_id
)

select * from final
