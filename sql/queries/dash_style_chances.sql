-- One row per style of the catalogue and (area, state) in month $month: the counted active
-- stores by region and distributor group, each shown-and-selling ('selling'), shown-and-not-selling
-- ('not_selling') or never shown in the window ('never'), with units sold and on hand at the
-- stores that had it. Stores outside the user's scope are folded into one anonymous area
-- (in_scope false, region and group null): a distributor never sees another one's name.
-- Ordered by style (the Styles page slices one out). The stores that never had a style are
-- counted per area (all counted stores less those that had it), not store by store.
with scoped as (
    select location_id
    from scoped_locations($role, $scope)
),

stores as (
    select
        c.location_id,
        s.location_id is not null as in_scope,
        case when s.location_id is not null then l.region end as region,
        case when s.location_id is not null then l.distributor_id end as group_id,
        case when s.location_id is not null then g.name end as group_name
    from compliance as c
    join locations as l using (location_id)
    left join locations as g on g.location_id = l.distributor_id
    left join scoped as s on s.location_id = c.location_id
    where c.month = $month::date and c.kind = 'store' and c.status <> 'no_count'
),

areas as (
    select in_scope, region, group_id, group_name, count(*) as n_counted
    from stores
    group by all
),

styles as (
    select distinct style
    from products
),

stuck_groups as (
    select distinct style, distributor_id as group_id
    from stuck
    where month = $month::date
),

shown as (
    select
        ch.style,
        st.in_scope,
        st.region,
        st.group_id,
        st.group_name,
        case when ch.is_selling then 'selling' else 'not_selling' end as state,
        count(*) as n_stores,
        coalesce(sum(ch.units_sold), 0)::bigint as units_sold,
        coalesce(sum(ch.on_hand_units), 0)::bigint as on_hand_units
    from style_chances as ch
    join stores as st using (location_id)
    where ch.month = $month::date
    group by all
),

never as (
    select
        sy.style,
        a.in_scope,
        a.region,
        a.group_id,
        a.group_name,
        'never' as state,
        (a.n_counted - coalesce(sum(sh.n_stores), 0))::bigint as n_stores,
        0::bigint as units_sold,
        0::bigint as on_hand_units
    from areas as a
    cross join styles as sy
    left join shown as sh
        on sh.style = sy.style
        and sh.in_scope = a.in_scope
        and sh.group_id is not distinct from a.group_id
        and sh.region is not distinct from a.region
        and sh.group_name is not distinct from a.group_name
    group by sy.style, a.in_scope, a.region, a.group_id, a.group_name, a.n_counted
    having a.n_counted - coalesce(sum(sh.n_stores), 0) > 0
),

final as (
    select
        r.style,
        r.in_scope,
        r.region,
        r.group_id,
        r.group_name,
        r.state,
        r.n_stores,
        r.units_sold,
        r.on_hand_units,
        coalesce(r.in_scope and sg.group_id is not null, false) as is_stuck
    from (select * from shown union all select * from never) as r
    left join stuck_groups as sg on sg.style = r.style and sg.group_id = r.group_id
)

select * from final
order by style, in_scope desc, region, group_id, state
