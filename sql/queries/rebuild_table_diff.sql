-- One row for one table: how many of its rows are only in the store (src) and how many only
-- in the rebuilt copy (main), duplicates counted ({table} is formatted, quoted, from the
-- store_tables catalogue).
with only_in_store as (
    select * from src.{table}
    except all
    select * from main.{table}
),

only_in_rebuilt as (
    select * from main.{table}
    except all
    select * from src.{table}
),

final as (
    select
        (select count(*) from only_in_store) as n_only_in_store,
        (select count(*) from only_in_rebuilt) as n_only_in_rebuilt
)

select * from final
