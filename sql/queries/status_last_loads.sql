-- One row per distributor group: its latest counted month and last successful load.
with groups as (
    select location_key, coalesce(distributor_id, location_id) as distributor_id
    from locations
),

last_count as (
    select g.distributor_id, max(ss.month) as last_counted_month
    from stock_summary as ss
    join groups as g using (location_key)
    group by g.distributor_id
),

loads as (
    select
        ss.load_id, ss.kind, g.distributor_id
    from slice_source as ss
    join groups as g using (location_key)
),

last_load as (
    select ld.distributor_id, max(ll.loaded_at) as last_loaded_at, arg_max(ll.file_name, ll.loaded_at) as last_file
    from loads as ld
    join load_log as ll using (load_id)
    group by ld.distributor_id
),

final as (
    select
        d.location_id as distributor_id,
        d.name,
        strftime(lc.last_counted_month, '%Y-%m') as last_counted_month,
        ll.last_loaded_at,
        ll.last_file
    from locations as d
    left join last_count as lc on lc.distributor_id = d.location_id
    left join last_load as ll on ll.distributor_id = d.location_id
    where d.kind = 'distributor'
)

select * from final order by distributor_id
