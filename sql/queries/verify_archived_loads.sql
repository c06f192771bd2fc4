-- One row per load that stored a file (loaded or unchanged): what the archive must hold.
select load_id, kind, file_name, sha256, result, loaded_at
from load_log
where result in ('loaded', 'unchanged')
order by load_id
