-- The (month, location) slices of one kind last written by a file with these very bytes:
-- one row per slice. A file all of whose slices are here is already loaded (unchanged).
select
    month,
    location_key
from slice_source
where kind = $kind
  and sha256 = $sha256
