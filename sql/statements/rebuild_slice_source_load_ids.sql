-- Point every slice_source row at the original load id of the load that wrote it (id_map).
update slice_source set load_id = m.load_id
from id_map as m
where slice_source.load_id = m.new_id
