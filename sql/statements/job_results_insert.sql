-- Store the registered frame `result_frame` in one result table, columns by name
-- ({table} is formatted from job.RESULT_TABLES).
insert into {table} by name
select * from result_frame
