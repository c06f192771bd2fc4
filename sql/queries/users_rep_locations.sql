-- One row: how many locations have rep $rep (a rep user's scope must name at least one).
select count(*) as n_locations
from locations
where rep = $rep
