-- Forget the counts of the slices in `incoming_slices` (recounted by stock_summary_insert).
delete from stock_summary as s
using incoming_slices as i
where s.month = i.month and s.location_key = i.location_key
