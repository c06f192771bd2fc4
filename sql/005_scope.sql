-- Who may see which location: the one scope rule of the dashboard, its downloads and uploads.
-- scoped_locations(role, scope) returns one row per location the user may see (every column
-- of locations): an admin sees every location, a rep the locations whose rep is the user's
-- scope, a distributor its own location and its stores. Every dashboard query reads
-- locations through it (tests/test_scope.py checks that none filters by role itself).
create or replace macro scoped_locations(role, scope) as table
    select l.*
    from locations as l
    where role = 'admin'
        or (role = 'rep' and l.rep = scope)
        or (role = 'distributor' and (l.location_id = scope or l.distributor_id = scope));
