-- One row per location in scope with its compliance in month $month, after the overview
-- filters ($regions, $groups, $reps, $statuses: empty lists mean all), with its status and
-- active styles in the month before (month over month). Worst status first.
with scoped as (
    select
        l.location_id,
        l.name,
        l.kind,
        l.region,
        l.city,
        l.rep,
        coalesce(l.distributor_id, l.location_id) as group_id
    from scoped_locations($role, $scope) as l
    where (len($regions::varchar[]) = 0 or list_contains($regions::varchar[], l.region))
        and (len($groups::varchar[]) = 0 or list_contains($groups::varchar[], coalesce(l.distributor_id, l.location_id)))
        and (len($reps::varchar[]) = 0 or list_contains($reps::varchar[], l.rep))
),

month_compliance as (
    select *
    from compliance
    where month = $month::date
        and (len($statuses::varchar[]) = 0 or list_contains($statuses::varchar[], status))
),

prev_compliance as (
    select location_id, status as prev_status, active_styles as prev_active_styles
    from compliance
    where month = ($month::date - interval 1 month)
),

final as (
    select
        s.location_id,
        s.name,
        s.kind,
        s.region,
        s.city,
        s.rep,
        s.group_id,
        g.name as group_name,
        c.status,
        c.active_styles,
        c.min_styles,
        c.bestseller_coverage,
        c.new_coverage,
        c.broken_size_share,
        c.slow_stock_share,
        c.shrinking,
        c.reasons,
        p.prev_status,
        p.prev_active_styles
    from month_compliance as c
    join scoped as s using (location_id)
    left join prev_compliance as p using (location_id)
    left join locations as g on g.location_id = s.group_id
)

select * from final
order by
    case status when 'fail' then 0 when 'warn' then 1 when 'no_count' then 2 else 3 end,
    location_id
