-- Record month $month's classification: rules, the code (engine fingerprint), timing, sizes
-- and the data version it saw (the newest load that changed data).
insert into classify_runs by name
select
    $month as month,
    $rules_fingerprint as rules_fingerprint,
    $rules_json as rules_json,
    $engine_fingerprint as engine_fingerprint,
    $run_at as run_at,
    $n_locations as n_locations,
    $n_pairs as n_pairs,
    $seconds as seconds,
    (select coalesce(max(load_id), 0) from load_log where result = 'loaded') as data_version
