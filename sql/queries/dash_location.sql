-- Each location in the user's scope with one row per classified month (a single row with null
-- month when it was never classified), with whether it got fixed or worse since the month
-- before (domain.md 8; null when that month was not judged); ordered by location (the
-- location page slices one out).
with loc as (
    select l.*, g.name as group_name
    from scoped_locations($role, $scope) as l
    left join locations as g on g.location_id = coalesce(l.distributor_id, l.location_id)
),

final as (
    select
        loc.location_id,
        loc.name,
        loc.kind,
        loc.distributor_id,
        loc.group_name,
        loc.region,
        loc.province,
        loc.city,
        loc.rep,
        loc.status as location_status,
        strftime(c.month, '%Y-%m') as month,
        c.status,
        c.active_styles,
        c.min_styles,
        c.bestseller_coverage,
        c.new_coverage,
        c.broken_size_share,
        c.slow_stock_share,
        c.shrinking,
        c.reasons,
        lc.change
    from loc
    left join compliance as c on c.location_id = loc.location_id
    left join location_changes as lc
        on lc.location_id = loc.location_id
        and lc.month = (c.month - interval 1 month)
)

select * from final
order by location_id, month nulls first
