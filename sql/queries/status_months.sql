-- One row per month with stock or sales: counted and missing active locations.
with counted as (
    select month, count(*) as n_counted
    from stock_summary
    group by month
),

sold as (
    select month, count(distinct location_key) as n_with_sales, sum(units_sold) as units_sold
    from sales
    group by month
),

months as (
    select month from counted
    union
    select month from sold
),

active as (
    select count(*) as n_active from locations where status = 'active'
),

final as (
    select
        strftime(m.month, '%Y-%m') as month,
        coalesce(c.n_counted, 0) as n_counted,
        a.n_active - coalesce(c_active.n_counted_active, 0) as n_missing,
        coalesce(s.n_with_sales, 0) as n_with_sales,
        coalesce(s.units_sold, 0) as units_sold
    from months as m
    cross join active as a
    left join counted as c using (month)
    left join sold as s using (month)
    left join (
        select ss.month, count(*) as n_counted_active
        from stock_summary as ss
        join locations as l using (location_key)
        where l.status = 'active'
        group by ss.month
    ) as c_active using (month)
)

select * from final order by month
