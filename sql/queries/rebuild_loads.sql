-- One row per load that changed data (result 'loaded'), in load-log order: the files a
-- rebuild replays.
select load_id, kind, file_name, sha256, loaded_by
from load_log
where result = 'loaded'
order by load_id
