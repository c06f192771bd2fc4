-- One row for one table: its row count and the sum of its rows' hashes, to compare the
-- master with a snapshot ({table} is formatted, quoted, from the store_tables catalogue).
select
    count(*) as n_rows,
    coalesce(sum(hash(t)::hugeint), 0) as rows_hash
from {table} as t
