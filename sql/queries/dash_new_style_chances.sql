-- One row per new style of month $month and state: the counted active stores in the user's
-- scope that never had it in the window ('starving'), had it and sell it below
-- slow_sell_through ('not_selling'), or sell it ('selling').
with scoped as (
    select location_id
    from scoped_locations($role, $scope)
),

stores as (
    select c.location_id
    from compliance as c
    join scoped using (location_id)
    where c.month = $month::date and c.kind = 'store' and c.status <> 'no_count'
),

new as (
    select style, launch_month from new_styles where month = $month::date
),

chances as (
    select location_id, style, is_selling
    from style_chances
    where month = $month::date and style in (select style from new)
),

final as (
    select
        n.style,
        n.launch_month,
        case
            when ch.location_id is null then 'starving'
            when ch.is_selling then 'selling'
            else 'not_selling'
        end as state,
        count(*) as n_stores
    from new as n
    cross join stores as st
    left join chances as ch on ch.location_id = st.location_id and ch.style = n.style
    group by all
)

select * from final
order by launch_month desc, style, state
