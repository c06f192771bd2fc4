-- The store: master data, monthly facts and the load log.
-- Facts use integer surrogate keys (location_key, sku_key): the tables are large
-- (a network of 2,000 stores x 4,000 SKUs counts 8 million rows a month).

create table products (
    sku_key       integer primary key,
    sku           varchar not null unique,
    style         varchar not null,
    colour        varchar not null,
    size          varchar not null,
    category      varchar not null,
    launch_month  date not null,
    price_cny     double not null,
    style_name    varchar,
    season        varchar,
    is_core_size  boolean
);

create table locations (
    location_key    integer primary key,
    location_id     varchar not null unique,
    name            varchar not null,
    kind            varchar not null,
    distributor_id  varchar,
    region          varchar not null,
    province        varchar,
    city            varchar,
    rep             varchar,
    min_styles      integer,
    status          varchar not null default 'active'
);

-- one row per month, location and SKU counted at month end
create table stock (
    month         date not null,
    location_key  integer not null,
    sku_key       integer not null,
    on_hand       integer not null
);

-- one row per month, location and SKU sold
create table sales (
    month         date not null,
    location_key  integer not null,
    sku_key       integer not null,
    units_sold    integer not null,
    amount_cny    double
);

-- one row per counted (month, location): kept in step with stock by every load
create table stock_summary (
    month          date not null,
    location_key   integer not null,
    active_styles  integer not null,
    on_hand_units  bigint not null,
    n_skus         integer not null,
    primary key (month, location_key)
);

create sequence load_id_seq start 1;

-- who loaded what, when, and what it did
create table load_log (
    load_id     integer primary key default nextval('load_id_seq'),
    loaded_at   timestamp not null default current_timestamp,
    loaded_by   varchar,
    file_name   varchar not null,
    sha256      varchar not null,
    kind        varchar not null,
    n_rows      integer not null,
    slices      varchar not null,  -- JSON list of [month, location_id] replaced
    result      varchar not null,  -- loaded | unchanged | rejected
    message     varchar
);

-- which load last wrote each (kind, month, location) slice: makes re-loading a file a no-op
create table slice_source (
    kind          varchar not null,
    month         date not null,
    location_key  integer not null,
    load_id       integer not null,
    sha256        varchar not null,
    primary key (kind, month, location_key)
);
