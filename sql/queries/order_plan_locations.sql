-- The locations month $month's factory order plan could not count in the month (domain.md
-- 6.6): carried (its latest count, at most carry_forward_months old, stands in) or left out
-- (none recent enough), with the count used or the latest one (empty: never counted).
-- Admins only ($role must be 'admin', as the plan itself), filtered by $regions (empty: all).
with named as (
    select
        o.region,
        o.location_id,
        l.name,
        o.coverage,
        strftime(o.count_month, '%Y-%m') as count_month
    from order_plan_locations as o
    left join locations as l using (location_id)
    where o.month = $month::date
        and $role = 'admin'
        and (len($regions::varchar[]) = 0 or list_contains($regions::varchar[], o.region))
)

select * from named
order by coverage, region, location_id
