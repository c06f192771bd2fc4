-- One row per active location of month $month (no_count included).
select
    strftime(month, '%Y-%m') as month,
    location_id,
    kind,
    distributor_id,
    region,
    rep,
    status,
    active_styles,
    min_styles,
    bestseller_coverage,
    new_coverage,
    broken_size_share,
    slow_stock_share,
    shrinking,
    array_to_string(reasons, ';') as reasons
from compliance
where month = $month::date
order by location_id
