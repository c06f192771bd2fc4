-- Empty one table of the rebuilt database ({table} is formatted from rebuild.HISTORY_TABLES).
delete from {table}
