-- One row per style of the catalogue and (area, state) in month $month: the counted active
-- stores by region and distributor group, each shown-and-selling ('selling'), shown-and-not-selling
-- ('not_selling') or never shown in the window ('never'), with units sold and on hand at the
-- stores that had it. Stores outside the user's scope are folded into one anonymous area
-- (in_scope false, region and group null): a distributor never sees another one's name.
-- Ordered by style (the Styles page slices one out).
with scoped as (
    select location_id
    from scoped_locations($role, $scope)
),

stores as (
    select
        c.location_id,
        l.region,
        l.distributor_id as group_id,
        g.name as group_name,
        s.location_id is not null as in_scope
    from compliance as c
    join locations as l using (location_id)
    left join locations as g on g.location_id = l.distributor_id
    left join scoped as s on s.location_id = c.location_id
    where c.month = $month::date and c.kind = 'store' and c.status <> 'no_count'
),

styles as (
    select distinct style
    from products
),

chances as (
    select style, location_id, on_hand_units, units_sold, is_selling
    from style_chances
    where month = $month::date
),

stuck_groups as (
    select distinct style, distributor_id as group_id
    from stuck
    where month = $month::date
),

final as (
    select
        sy.style,
        st.in_scope,
        case when st.in_scope then st.region end as region,
        case when st.in_scope then st.group_id end as group_id,
        case when st.in_scope then st.group_name end as group_name,
        case
            when ch.location_id is null then 'never'
            when ch.is_selling then 'selling'
            else 'not_selling'
        end as state,
        count(*) as n_stores,
        coalesce(sum(ch.units_sold), 0)::bigint as units_sold,
        coalesce(sum(ch.on_hand_units), 0)::bigint as on_hand_units,
        bool_or(st.in_scope and sg.group_id is not null) as is_stuck
    from stores as st
    cross join styles as sy
    left join chances as ch on ch.location_id = st.location_id and ch.style = sy.style
    left join stuck_groups as sg on sg.group_id = st.group_id and sg.style = sy.style
    group by all
)

select * from final
order by style, in_scope desc, region, group_id, state
