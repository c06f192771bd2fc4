-- One row per table of the main schema, by name: the catalogue that table checks iterate over.
select table_name
from duckdb_tables()
where database_name = current_database() and schema_name = 'main' and not temporary
order by table_name
