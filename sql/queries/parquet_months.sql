-- One row per month with a stock count or sales: the month partitions of the Parquet layout.
with months as (
    select distinct month from stock
    union
    select distinct month from sales
),

final as (
    select month from months order by month
)

select * from final
