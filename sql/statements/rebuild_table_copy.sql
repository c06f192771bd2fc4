-- Copy every row of one table of the store (src) into the rebuilt database, columns by name
-- ({table} is formatted from rebuild.HISTORY_TABLES or, quoted, from the store_tables catalogue).
insert into main.{table} by name
select * from src.{table}
