-- Remove the stock rows of the slices in `incoming_slices` (they are replaced).
delete from stock as s
using incoming_slices as i
where s.month = i.month and s.location_key = i.location_key
