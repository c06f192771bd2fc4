-- Add one replayed load to id_map: its new id, then its original id (positional, for
-- executemany).
insert into id_map values (?, ?)
