-- One row per location the user may see (the scoped_locations rule), with its distributor group.
with scoped as (
    select * from scoped_locations($role, $scope)
),

groups as (
    select location_id, name
    from locations
),

final as (
    select
        l.location_id,
        l.name,
        l.kind,
        l.distributor_id,
        coalesce(l.distributor_id, l.location_id) as group_id,
        g.name as group_name,
        l.region,
        l.province,
        l.city,
        l.rep,
        l.status
    from scoped as l
    left join groups as g on g.location_id = coalesce(l.distributor_id, l.location_id)
)

select * from final
order by location_id
