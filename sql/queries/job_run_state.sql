-- One row (or none) for month $month: the rules (fingerprint and JSON) and data version its
-- results were computed with, and the latest data version (the newest load that changed data).
with latest as (
    select coalesce(max(load_id), 0) as latest_data_version
    from load_log
    where result = 'loaded'
),

final as (
    select r.rules_fingerprint, r.rules_json, r.data_version, latest.latest_data_version
    from classify_runs as r, latest
    where r.month = $month
)

select * from final
