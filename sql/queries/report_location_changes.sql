-- One row per location judged in month $month: fixed, worse or neither by the month after
-- (domain.md 8), with its region and its rep in $month.
with changes_src as (
    select month, location_id, rep, status, next_status, change
    from location_changes
    where month = $month::date
),

locations_src as (
    select location_id, region from locations
),

final as (
    select
        changes_src.location_id,
        locations_src.region,
        changes_src.rep,
        changes_src.change
    from changes_src
    left join locations_src using (location_id)
)

select * from final order by location_id
