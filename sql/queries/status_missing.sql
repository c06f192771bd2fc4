-- One row per active location without a stock count in month $month.
with active as (
    select location_key, location_id, kind, coalesce(distributor_id, location_id) as distributor_id
    from locations
    where status = 'active'
),

counted as (
    select location_key from stock_summary where month = $month::date
),

final as (
    select a.distributor_id, a.location_id, a.kind
    from active as a
    anti join counted as c using (location_key)
)

select * from final order by distributor_id, kind, location_id
