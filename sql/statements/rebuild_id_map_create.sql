-- A temporary map from the load ids the replay gave (new_id) to the original ones (load_id),
-- one row per replayed load.
create temp table id_map (new_id integer, load_id integer)
