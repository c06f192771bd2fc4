-- One row: the number of (kind, month, location) slices slice_source records.
select count(*) as n_slices
from slice_source
