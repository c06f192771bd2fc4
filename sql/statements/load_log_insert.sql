-- Record one file in the load log (loaded, unchanged, rejected or held, with the count drops
-- the person confirmed); returns its load_id.
insert into load_log (loaded_by, file_name, sha256, kind, n_rows, slices, result, message, confirmed_drops)
values ($loaded_by, $file_name, $sha256, $kind, $n_rows, $slices, $result, $message, $confirmed_drops)
returning load_id
