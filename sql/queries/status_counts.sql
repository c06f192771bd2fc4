-- One row: how many SKUs, styles, distributors, stores and closed locations are stored.
select
    (select count(*) from products) as n_skus,
    (select count(distinct style) from products) as n_styles,
    (select count(*) filter (where kind = 'distributor') from locations) as n_distributors,
    (select count(*) filter (where kind = 'store') from locations) as n_stores,
    (select count(*) filter (where status = 'closed') from locations) as n_closed
