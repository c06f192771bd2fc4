-- One row per classified month: locations in scope by status and their average active
-- styles, after the overview filters (same parameters as dash_overview, without $month).
with scoped as (
    select l.location_id
    from scoped_locations($role, $scope) as l
    where (len($regions::varchar[]) = 0 or list_contains($regions::varchar[], l.region))
        and (len($groups::varchar[]) = 0 or list_contains($groups::varchar[], coalesce(l.distributor_id, l.location_id)))
        and (len($reps::varchar[]) = 0 or list_contains($reps::varchar[], l.rep))
),

final as (
    select
        strftime(c.month, '%Y-%m') as month,
        count(*) filter (where c.status = 'pass') as n_pass,
        count(*) filter (where c.status = 'warn') as n_warn,
        count(*) filter (where c.status = 'fail') as n_fail,
        count(*) filter (where c.status = 'no_count') as n_no_count,
        avg(c.active_styles) filter (where c.status <> 'no_count') as avg_active_styles,
        avg(c.min_styles) filter (where c.status <> 'no_count') as avg_min_styles
    from compliance as c
    join scoped as s using (location_id)
    where len($statuses::varchar[]) = 0 or list_contains($statuses::varchar[], c.status)
    group by c.month
)

select * from final
order by month
