-- One row per location: the names and places a report shows beside the codes.
with locations_src as (
    select location_id, name, kind, distributor_id, region, province, city, rep, status
    from locations
),

final as (
    select
        location_id,
        name,
        kind,
        coalesce(distributor_id, location_id) as group_id,
        region,
        province,
        city,
        rep,
        status
    from locations_src
)

select * from final order by location_id
