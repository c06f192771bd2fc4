-- One row per slice_source entry that the load log does not back: the load it names is
-- missing, was not a successful load of that kind, has other bytes, or did not list the slice.
with sources as (
    select ss.kind, ss.month, ss.location_key, ss.load_id, ss.sha256, l.location_id
    from slice_source as ss
    left join locations as l using (location_key)
),

logged as (
    select load_id, kind, sha256, result, slices
    from load_log
),

final as (
    select
        s.kind,
        strftime(s.month, '%Y-%m') as month,
        coalesce(s.location_id, '#' || s.location_key::varchar) as location_id,
        s.load_id,
        case
            when g.load_id is null then 'load_missing'
            when g.result <> 'loaded' or g.kind <> s.kind then 'load_not_loaded'
            when g.sha256 <> s.sha256 then 'sha_differs'
            when not list_contains(
                from_json(g.slices, '["VARCHAR[]"]'),
                [strftime(s.month, '%Y-%m'), s.location_id]
            ) then 'slice_not_in_load'
        end as problem
    from sources as s
    left join logged as g using (load_id)
)

select * from final where problem is not null order by kind, month, location_id
