-- The action lines whose follow-through is judged (domain.md 8), one definition for the query
-- that reads them to judge (queries/follow_lines.sql) and the statement that stores them as
-- unknown when the month after is not counted (statements/follow_insert_unknown.sql).
-- follow_lines(m): one row per action line of month m, with the rep of its location that month
-- (a distribute line carries the stores it sends to, lacking_location_ids, ';'-separated).
create or replace macro follow_lines(m) as table
    select
        a.location_id,
        c.rep,
        a.action,
        a.style,
        a.colour,
        a.size,
        a.sku,
        a.units,
        a.source_location_id,
        a.value_at_stake_cny,
        a.lacking_location_ids
    from actions as a
    left join compliance as c on c.month = a.month and c.location_id = a.location_id
    where a.month = m;
