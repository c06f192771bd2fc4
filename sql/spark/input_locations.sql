-- One row per location: locations.parquet as the store's `locations` table.
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
        coalesce(status, 'active') as status
    from locations_file
)

select * from final
