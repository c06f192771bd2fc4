-- One row per location the user may see ($role, $scope), with its distributor group.
with locs as (
    select * from locations
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
    from locs as l
    left join locs as g on g.location_id = coalesce(l.distributor_id, l.location_id)
    where $role = 'admin'
        or ($role = 'rep' and l.rep = $scope)
        or ($role = 'distributor' and (l.location_id = $scope or l.distributor_id = $scope))
)

select * from final
order by location_id
