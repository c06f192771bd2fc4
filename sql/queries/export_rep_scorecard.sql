-- One row per rep for month $month: the follow-through of their locations' action lines.
select
    strftime(month, '%Y-%m') as month,
    rep,
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
from rep_scorecard
where month = $month::date
order by rep nulls last
