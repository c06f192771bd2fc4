-- One row (or none) for $location_id (scope-checked): its status and active styles in the month
-- before $month and in $month, and whether it got fixed or worse (domain.md 8).
with loc as (
    select l.location_id
    from scoped_locations($role, $scope) as l
    where l.location_id = $location_id
),

prev as (
    select c.location_id, c.status as prev_status, c.active_styles as prev_active_styles
    from compliance as c
    join loc using (location_id)
    where c.month = ($month::date - interval 1 month)
),

now as (
    select c.location_id, c.status, c.active_styles
    from compliance as c
    join loc using (location_id)
    where c.month = $month::date
),

final as (
    select
        prev.prev_status,
        now.status,
        prev.prev_active_styles,
        now.active_styles,
        lc.change
    from prev
    full join now using (location_id)
    left join location_changes as lc
        on lc.location_id = coalesce(prev.location_id, now.location_id)
        and lc.month = ($month::date - interval 1 month)
)

select * from final
