-- One row: the rep with the most active locations (ties: the first name), for the demo login.
with active as (
    select rep
    from locations
    where rep is not null and status = 'active'
),

final as (
    select rep, count(*) as n_locations
    from active
    group by rep
)

select rep from final
order by n_locations desc, rep
limit 1
