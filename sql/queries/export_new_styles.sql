-- One row per current-season new style of month $month.
select strftime(month, '%Y-%m') as month, style, strftime(launch_month, '%Y-%m') as launch_month
from new_styles
where month = $month::date
order by launch_month desc, style
