-- Remove month $month's rows of one result table ({table} is formatted from job.RESULT_TABLES
-- or job.FOLLOW_TABLES).
delete from {table}
where month = $month
