-- One row: the distributor with the most stores (ties: the first id), for the demo login.
with distributors as (
    select location_id, name
    from locations
    where kind = 'distributor'
),

final as (
    select d.location_id, d.name, count(s.location_id) as n_stores
    from distributors as d
    left join locations as s on s.distributor_id = d.location_id
    group by d.location_id, d.name
)

select location_id, name from final
order by n_stores desc, location_id
limit 1
