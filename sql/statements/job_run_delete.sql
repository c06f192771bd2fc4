-- Forget the record of month $month's classification (replaced by job_run_insert).
delete from classify_runs
where month = $month
