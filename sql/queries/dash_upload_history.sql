-- The 200 newest stock and sales loads the user may see: all for admins; otherwise the
-- user's own uploads and loads that touched a location in their scope.
with scoped as (
    select list(l.location_id) as ids
    from scoped_locations($role, $scope) as l
),

logs as (
    select
        load_id,
        loaded_at,
        loaded_by,
        file_name,
        kind,
        n_rows,
        result,
        message,
        coalesce(json_extract_string(slices, '$[*][0]'), []) as slice_months,
        coalesce(json_extract_string(slices, '$[*][1]'), []) as slice_locations
    from load_log
    where kind in ('stock', 'sales')
),

final as (
    select
        g.load_id,
        strftime(g.loaded_at, '%Y-%m-%d %H:%M') as loaded_at,
        g.loaded_by,
        g.file_name,
        g.kind,
        g.n_rows,
        g.result,
        g.message,
        array_to_string(list_sort(list_distinct(g.slice_months)), ', ') as months,
        len(list_distinct(g.slice_locations)) as n_locations
    from logs as g, scoped as s
    where $role = 'admin'
        or g.loaded_by = $username
        or list_has_any(g.slice_locations, coalesce(s.ids, []))
)

select * from final
order by load_id desc
limit 200
