-- Advance load_id_seq once per id up to the largest load id in load_log (the original log),
-- so that later loads get ids the copied history does not use; returns one row.
select max(nextval('load_id_seq'))
from range((select coalesce(max(load_id), 0) from load_log))
