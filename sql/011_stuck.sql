-- Every product gets its chance (domain.md 9).

-- the styles stuck at a distributor in month M: one row per (distributor, style) with its
-- distribute (铺货) figures; lacking_location_ids ascending
create table stuck (
    month                   date not null,
    distributor_id          varchar not null,
    style                   varchar not null,
    held_units              bigint not null,
    stores                  bigint not null,
    stores_with_style       bigint not null,
    reach                   double not null,
    elsewhere_sell_through  double not null,
    lacking_location_ids    varchar[] not null,
    units                   bigint not null,
    value_at_stake_cny      double not null,
    rules_fingerprint       varchar not null
);

-- a distribute (铺货) action names the stores of the group that lack the style (';'-separated)
alter table actions add column lacking_location_ids varchar;

-- where each style was given a chance: one row per counted active store and style that the
-- store had in stock at the end of some month of the window W ending M
create table style_chances (
    month           date not null,
    location_id     varchar not null,
    style           varchar not null,
    on_hand_units   bigint not null,  -- in M
    units_sold      bigint not null,  -- over W
    is_selling      boolean not null  -- sell-through over W at least slow_sell_through
);
