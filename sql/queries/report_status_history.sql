-- One row per active location and classified month in [$start, $month]: its status then,
-- for the trend of any region or rep.
with compliance_src as (
    select month, location_id, kind, distributor_id, region, rep, status
    from compliance
    where month between $start::date and $month::date
),

final as (
    select
        strftime(month, '%Y-%m') as month,
        location_id,
        kind,
        coalesce(distributor_id, location_id) as distributor_group,
        region,
        rep,
        status
    from compliance_src
)

select * from final order by month, location_id
