-- Action reasons become a code plus typed parameters (issue 8: reasons are data, not words).
-- The English `reason` sentence is replaced by `reason_code` and the parameter columns that
-- code is worded from (see assortment/actions.py); words are made at the edges. Rows written
-- before this migration are converted from their English sentence, so no month needs to be
-- classified again.

-- 'unknown' stays only on a row whose sentence has none of the known forms
alter table actions add column reason_code varchar not null default 'unknown';
alter table actions add column bestseller_rank integer;
alter table actions add column launch_month date;
alter table actions add column source_on_hand bigint;
alter table actions add column units_sold bigint;
alter table actions add column sell_through double;

update actions
set
    reason_code = case
        when reason like 'bestseller #%' then 'bestseller_not_in_stock'
        when reason like 'new style (launched %' then 'new_style_not_in_stock'
        when reason like 'broken size run: %' then 'broken_size_run'
        when reason like 'slow-moving: %' then 'slow_moving'
        else 'unknown'
    end,
    bestseller_rank = try_cast(nullif(regexp_extract(reason, '^bestseller #(\d+) ', 1), '') as integer),
    launch_month = try_cast(
        nullif(regexp_extract(reason, '^new style \(launched (\d{4}-\d{2})\)', 1), '') || '-01' as date
    ),
    source_on_hand = try_cast(nullif(regexp_extract(reason, '\(holds (\d+)\)$', 1), '') as bigint),
    units_sold = try_cast(
        nullif(regexp_extract(reason, '^slow-moving: (\d+) sold over the window', 1), '') as bigint
    );

update actions
set sell_through = units_sold / (units_sold + units)
where reason_code = 'slow_moving' and units_sold + units > 0;

alter table actions drop column reason;

alter table actions alter column reason_code drop default;
