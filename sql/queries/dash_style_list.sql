-- One row per style of the catalogue, for the style picker.
select style, any_value(style_name) as style_name, any_value(category) as category
from products
group by style
order by style
