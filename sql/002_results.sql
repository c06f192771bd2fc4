-- Classification results, one set per month (domain.md sections 4-6).
-- Re-running a month deletes and rewrites all its rows in one transaction.
-- Every row carries the fingerprint of the rules that produced it.

create table classify_runs (
    month              date primary key,
    rules_fingerprint  varchar not null,
    rules_json         varchar not null,
    run_at             timestamp not null,
    n_locations        integer not null,
    n_pairs            integer not null,
    seconds            double not null
);

-- one row per classified (location, style) of a month
create table style_health (
    month              date not null,
    location_id        varchar not null,
    style              varchar not null,
    segment            varchar not null,
    is_bestseller      boolean not null,
    is_new             boolean not null,
    on_hand            bigint not null,
    units_sold         bigint not null,
    sell_through       double,
    broken_size        boolean not null,
    broken_colour      boolean not null,
    missing_core_skus  varchar[] not null,
    rules_fingerprint  varchar not null
);

-- one row per active location of a month (no_count included)
create table compliance (
    month                date not null,
    location_id          varchar not null,
    kind                 varchar not null,
    distributor_id       varchar,
    region               varchar,
    rep                  varchar,
    status               varchar not null,
    active_styles        bigint,
    min_styles           bigint not null,
    bestseller_coverage  double,
    new_coverage         double,
    broken_size_share    double,
    slow_stock_share     double,
    shrinking            boolean not null,
    reasons              varchar[] not null,
    rules_fingerprint    varchar not null
);

-- one row per action for a visit
create table actions (
    month               date not null,
    location_id         varchar not null,
    action              varchar not null,
    style               varchar not null,
    colour              varchar,
    size                varchar,
    sku                 varchar,
    units               bigint not null,
    source_location_id  varchar,
    value_cny           double,
    reason              varchar not null,
    rules_fingerprint   varchar not null
);

-- the network bestseller list of a month
create table bestsellers (
    month             date not null,
    rank              integer not null,
    style             varchar not null,
    net_units         bigint not null,
    cumulative_share  double not null
);

-- the current-season new styles of a month
create table new_styles (
    month         date not null,
    style         varchar not null,
    launch_month  date not null
);

-- the core sizes used for each style-colour in a month
create table core_skus (
    month   date not null,
    sku     varchar not null,
    style   varchar not null,
    colour  varchar not null,
    size    varchar not null,
    source  varchar not null
);

-- the category size curves of a month
create table size_curve (
    month     date not null,
    category  varchar not null,
    size      varchar not null,
    units     bigint not null,
    share     double not null,
    is_core   boolean not null
);

-- the factory order plan: one row per region, style and size
create table order_plan (
    month          date not null,
    region         varchar not null,
    style          varchar not null,
    size           varchar not null,
    units          bigint not null,
    demand_units   double,
    on_hand_units  bigint
);
