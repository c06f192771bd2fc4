-- One row per rep and month of the 12 months up to $month: the follow-through of that month's
-- actions (domain.md 8). Admins see every rep, a rep only their own, distributors nothing.
with cards as (
    select *
    from rep_scorecard
    where month between ($month::date - interval 11 month) and $month::date
        and $role in ('admin', 'rep')  -- distributors see no rep's scorecard
        and ($role = 'admin' or rep in (select l.rep from scoped_locations($role, $scope) as l))
),

final as (
    select
        strftime(month, '%Y-%m') as month,
        coalesce(rep, '') as rep,
        lines,
        done,
        partly,
        not_done,
        unknown,
        value_at_stake_cny,
        done_value_cny,
        done_value_share,
        fixed,
        worse
    from cards
)

select * from final order by rep, month
