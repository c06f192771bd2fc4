-- Remove the stored locations the registered file `incoming` updates (re-inserted at once).
delete from locations
where location_key in (select location_key from incoming)
