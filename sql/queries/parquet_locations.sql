-- One row per location: the locations file with its integer key.
with final as (
    select
        location_key,
        location_id,
        name,
        kind,
        distributor_id,
        region,
        province,
        city,
        rep,
        min_styles,
        status
    from locations
    order by location_key
)

select * from final
