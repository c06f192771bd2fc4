-- One row per distributor group with active locations: how many of them counted stock in
-- month $month, and the last month (up to $month) any location of the group counted.
with groups as (
    select
        location_key,
        coalesce(distributor_id, location_id) as group_id,
        status
    from locations
),

counts as (
    select location_key, month from stock_summary where month <= $month::date
),

active as (
    select group_id, count(*) as n_active_locations
    from groups
    where status = 'active'
    group by group_id
),

counted as (
    select
        g.group_id,
        count(*) filter (where c.month = $month::date and g.status = 'active') as n_counted_locations,
        max(c.month) as last_counted_month
    from counts as c
    join groups as g using (location_key)
    group by g.group_id
),

final as (
    select
        d.location_id as distributor_id,
        d.name,
        d.region,
        d.rep,
        a.n_active_locations,
        coalesce(c.n_counted_locations, 0) as n_counted_locations,
        strftime(c.last_counted_month, '%Y-%m') as last_counted_month
    from locations as d
    join active as a on a.group_id = d.location_id
    left join counted as c on c.group_id = d.location_id
    where d.kind = 'distributor'
)

select * from final order by distributor_id
