-- One row per action line of month $month, judged by the count of the month after (domain.md 8),
-- with the region of its location: what a region's report adds up into its reps' scorecards.
with follow_src as (
    select month, location_id, rep, follow_status, value_at_stake_cny
    from follow_through
    where month = $month::date
),

locations_src as (
    select location_id, region from locations
),

final as (
    select
        follow_src.location_id,
        locations_src.region,
        follow_src.rep,
        follow_src.follow_status,
        follow_src.value_at_stake_cny
    from follow_src
    left join locations_src using (location_id)
)

select * from final order by location_id
