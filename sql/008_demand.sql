-- Demand-sized actions and follow-through (domain.md 6 and 8).

-- every transfer / replenish line says how much the location sells, its target and who gives
alter table actions add column demand_units_per_month double;
alter table actions add column target_units bigint;
alter table actions add column source_kind varchar;
alter table actions add column value_at_stake_cny double;
alter table actions add column months_of_cover double;

-- the locations the order plan could not count in month M: carried (latest count at most
-- carry_forward_months old) or left out
create table order_plan_locations (
    month        date not null,
    location_id  varchar not null,
    region       varchar,
    coverage     varchar not null,  -- carried | left_out
    count_month  date              -- the count used (carried) or the latest one (left out)
);

-- month M's action lines judged by the count of M+1 (rewritten when M or M+1 is classified)
create table follow_through (
    month               date not null,
    location_id         varchar not null,
    rep                 varchar,
    action              varchar not null,
    style               varchar not null,
    colour              varchar,
    size                varchar,
    sku                 varchar,
    units               bigint not null,
    source_location_id  varchar,
    value_at_stake_cny  double,
    received_units      bigint,
    follow_status       varchar not null  -- done | partly | not_done | unknown
);

-- each location's status in M and M+1: fixed or worse
create table location_changes (
    month        date not null,
    location_id  varchar not null,
    rep          varchar,
    status       varchar not null,
    next_status  varchar,
    change       varchar  -- fixed | worse | null
);

-- each rep's follow-through of month M
create table rep_scorecard (
    month               date not null,
    rep                 varchar,
    lines               bigint not null,
    done                bigint not null,
    partly              bigint not null,
    not_done            bigint not null,
    unknown             bigint not null,
    value_at_stake_cny  double not null,
    done_value_cny      double not null,
    done_value_share    double,
    fixed               bigint not null,
    worse               bigint not null
);
