-- One row per network bestseller of month $month.
select strftime(month, '%Y-%m') as month, rank, style, net_units, cumulative_share
from bestsellers
where month = $month::date
order by rank
