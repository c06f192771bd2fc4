"""Demand-sized actions of domain.md 6.1-6.4 and 6.6, on networks small enough to check by hand."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from assortment import demand as d
from assortment import rules_engine
from assortment.config import Rules

M = date(2026, 10, 1)  # W = 2026-08, 2026-09, 2026-10; counts that prove availability: 07..09
RULES = Rules()
DISPLAY_MIN = d.per_kind(RULES, "display_min")
COVER = d.per_kind(RULES, "replenish_cover_months")


def mon(text: str) -> date:
    return date(int(text[:4]), int(text[5:]), 1)


def counts(rows: list[tuple[str, str, str, int]]) -> pl.LazyFrame:
    """(location, sku, month, on_hand) rows."""
    return pl.LazyFrame(
        [(loc, sku, mon(m), n) for loc, sku, m, n in rows],
        schema={"location_id": pl.String, "sku": pl.String, "month": pl.Date, "on_hand": pl.Int64},
        orient="row",
    )


def sold(rows: list[tuple[str, str, str, int]]) -> pl.LazyFrame:
    """(location, sku, month, units_sold) rows."""
    return pl.LazyFrame(
        [(loc, sku, mon(m), n) for loc, sku, m, n in rows],
        schema={
            "location_id": pl.String,
            "sku": pl.String,
            "month": pl.Date,
            "units_sold": pl.Int64,
        },
        orient="row",
    )


def places(rows: list[tuple]) -> pl.LazyFrame:
    """(location_id, kind, distributor_id, region[, status]) rows."""
    return pl.LazyFrame(
        [(*r, "active") if len(r) == 4 else r for r in rows],
        schema={
            "location_id": pl.String,
            "kind": pl.String,
            "distributor_id": pl.String,
            "region": pl.String,
            "status": pl.String,
        },
        orient="row",
    )


def own(stock_prev: pl.LazyFrame, sales: pl.LazyFrame) -> pl.LazyFrame:
    return d.own_rate_of_sale(stock_prev, sales, month=M, lookback_months=3)


# --- 6.1 availability and rate of sale --------------------------------------------------------


def test_a_sku_that_sold_4_in_its_one_month_on_the_shelf_sells_4_a_month() -> None:
    # T1: nothing at the end of 07 and 08 (counted 0), 5 at the end of 09, sold 4 in 10.
    # Only October was available, so ros = 4 / 1, not 4 / 3.
    stock_prev = counts(
        [("T1", "k", "2026-07", 0), ("T1", "k", "2026-08", 0), ("T1", "k", "2026-09", 5)]
    )
    got = own(stock_prev, sold([("T1", "k", "2026-10", 4)])).collect()
    want = pl.DataFrame(
        {"location_id": ["T1"], "sku": ["k"], "units": [4], "available_months": [1], "ros": [4.0]},
        schema_overrides={"available_months": pl.UInt32},
    )
    assert_frame_equal(got, want)


def test_availability_is_last_months_count_or_a_sale_this_month() -> None:
    # T2: 2 on hand at the end of 07 -> August available (nothing sold: a month of demand 0);
    #     sold 1 in September (no count at the end of 08: only the sales test) -> available;
    #     no count at the end of 09 and nothing sold in 10 -> October not available.
    # Sales of July are outside W. ros = 1 unit / 2 months.
    stock_prev = counts([("T2", "k", "2026-07", 2)])
    sales = sold([("T2", "k", "2026-09", 1), ("T2", "k", "2026-07", 9)])
    got = own(stock_prev, sales).collect()
    assert got.select("units", "available_months", "ros").row(0) == (1, 2, 0.5)


def test_stock_and_sale_in_the_same_month_count_that_month_once() -> None:
    # on hand at the end of 08 and 09 -> 09 and 10 available; sold in 09 and 10 too; total 6
    stock_prev = counts([("T1", "k", "2026-08", 3), ("T1", "k", "2026-09", 1)])
    sales = sold([("T1", "k", "2026-09", 2), ("T1", "k", "2026-10", 4)])
    got = own(stock_prev, sales).collect()
    assert got.select("units", "available_months", "ros").row(0) == (6, 2, 3.0)


def test_never_available_has_no_own_rate() -> None:
    stock_prev = counts([("T1", "k", "2026-09", 0), ("T1", "k", "2026-06", 4)])  # 06 is before W-1
    assert own(stock_prev, sold([])).collect().height == 0


LOCS = places(
    [
        ("D1", "distributor", None, "North"),
        ("T1", "store", "D1", "North"),
        ("T2", "store", "D1", "North"),
        ("T3", "store", "D1", "North"),  # never had k: falls back
        ("D2", "distributor", None, "South"),
        ("U1", "store", "D2", "South"),
        ("U2", "store", "D2", "South"),
        ("X1", "store", "D2", "South", "closed"),
    ]
)


def rates(wanted: list[tuple[str, str]], own_rows: list[tuple[str, str, float]]) -> dict:
    own_frame = pl.LazyFrame(own_rows, schema=["location_id", "sku", "ros"], orient="row")
    frame = pl.LazyFrame(wanted, schema=["location_id", "sku"], orient="row")
    got = d.rate_of_sale(frame, own_frame, LOCS).collect()
    return {(r["location_id"], r["sku"]): r["ros"] for r in got.iter_rows(named=True)}


def test_peer_fallback_same_kind_and_region_then_network_then_zero() -> None:
    own_rows = [
        ("T1", "k", 4.0),
        ("T2", "k", 2.0),
        ("D1", "k", 10.0),  # a distributor is no peer of a store
        ("U1", "j", 1.0),
        ("X1", "j", 50.0),  # closed: no peer
        ("D1", "j", 8.0),
    ]
    got = rates(
        [("T3", "k"), ("U2", "k"), ("T3", "j"), ("U2", "j"), ("T3", "z"), ("T1", "k")], own_rows
    )
    assert got == {
        ("T3", "k"): 3.0,  # mean of T1 and T2 (North stores)
        ("U2", "k"): 3.0,  # no South store had k: the network's stores (T1, T2)
        ("T3", "j"): 1.0,  # no North store had j: U1 is the only open store that had it
        ("U2", "j"): 1.0,  # U1, same region (X1 is closed)
        ("T3", "z"): 0.0,  # nobody had z
        ("T1", "k"): 4.0,  # its own
    }


def test_distributor_demand_adds_its_active_stores() -> None:
    own_frame = pl.LazyFrame(
        [("D1", "k", 1.0), ("T1", "k", 4.0), ("T2", "k", 2.0)],
        schema=["location_id", "sku", "ros"],
        orient="row",
    )
    locs = places(
        [
            ("D1", "distributor", None, "North"),
            ("T1", "store", "D1", "North"),
            ("T2", "store", "D1", "North"),
            ("T3", "store", "D1", "North"),  # peers T1, T2: 3.0
            ("T4", "store", "D1", "North", "closed"),  # not counted
        ]
    )
    wanted = pl.LazyFrame({"location_id": ["D1", "T1"], "sku": ["k", "k"]})
    got = d.demand(wanted, own_frame, locs).sort("location_id").collect()
    assert got.rows() == [("D1", "k", 1.0, 1.0 + 4.0 + 2.0 + 3.0), ("T1", "k", 4.0, 4.0)]


# --- 6.2 targets and needs ------------------------------------------------------------------------


def test_target_is_display_min_or_demand_over_the_cover_with_tolerance() -> None:
    required = pl.LazyFrame(
        {
            "location_id": ["T1", "T2", "T3", "D1", "D2", "T4"],
            "sku": ["k"] * 6,
            "kind": ["store", "store", "store", "distributor", "distributor", "store"],
            "demand": [0.0, 0.6, 1.25, 4 / 3 * 3 / 3, 0.1, 2.0],
            "on_hand": [0, 0, 0, 0, 0, 9],
        }
    )
    got = d.size_needs(required, display_min=DISPLAY_MIN, replenish_cover_months=COVER).collect()
    # T1: max(1, 0) = 1; T2: ceil(1.2) = 2; T3: ceil(2.5) = 3;
    # D1: 4/3 * 3 = 4.000000000000001 -> 4 (not 5); D2: max(2, ceil(0.3)) = 2;
    # T4: target 4 but 9 on hand: no need.
    assert got.select("location_id", "target_units", "need_units").rows() == [
        ("T1", 1, 1),
        ("T2", 2, 2),
        ("T3", 3, 3),
        ("D1", 4, 4),
        ("D2", 2, 2),
    ]


# --- 6.3 who can fix it -----------------------------------------------------------------------------

GROUP = places(
    [
        ("D1", "distributor", None, "North"),
        ("T1", "store", "D1", "North"),
        ("T2", "store", "D1", "North"),
        ("T3", "store", "D1", "North"),
        ("T4", "store", "D1", "North"),
        ("D2", "distributor", None, "North"),
        ("U1", "store", "D2", "North"),
    ]
)
LINE_COLUMNS = ["location_id", "action", "units", "source_location_id", "source_kind"]


def need(loc: str, kind: str, demand: float, target: int, price: float = 100.0) -> tuple:
    return (loc, "k", kind, demand, target, target, price)


def holding(loc: str, kind: str, on_hand: int, demand: float, slow: bool = False) -> tuple:
    return (loc, "k", kind, on_hand, slow, demand)


def fix(needs: list[tuple], holdings: list[tuple]) -> pl.DataFrame:
    needs_frame = pl.LazyFrame(
        needs,
        schema=["location_id", "sku", "kind", "demand", "target_units", "need_units", "price"],
        orient="row",
    )
    holdings_frame = pl.LazyFrame(
        holdings,
        schema=["location_id", "sku", "kind", "on_hand", "is_slow_moving", "demand"],
        orient="row",
    )
    return d.fix_needs(
        needs_frame, holdings_frame, GROUP, display_min=DISPLAY_MIN, replenish_cover_months=COVER
    ).collect()


def test_the_source_with_most_to_spare_gives_first_and_keeps_its_own_target() -> None:
    # T1 needs 5. D1 holds 6 with demand 1.0: keeps max(2, 3) = 3, spares 3.
    # T2 holds 5 with demand 0.5: keeps max(1, 1) = 1, spares 4 -> first.
    # T3 holds 1 with demand 0: keeps 1, spares 0 (its own size run stays whole).
    # U1 is in another group.
    got = fix(
        [need("T1", "store", 2.5, 5)],
        [
            holding("D1", "distributor", 6, 1.0),
            holding("T2", "store", 5, 0.5),
            holding("T3", "store", 1, 0.0),
            holding("U1", "store", 40, 0.0),
        ],
    )
    assert got.select(LINE_COLUMNS).rows() == [
        ("T1", "transfer", 4, "T2", "store"),
        ("T1", "transfer", 1, "D1", "distributor"),
    ]
    # value at stake: demand x price split over the lines by units: 250 x 4/5, 250 x 1/5
    assert got["value_at_stake_cny"].to_list() == pytest.approx([200.0, 50.0])
    assert got["demand_units_per_month"].to_list() == [2.5, 2.5]
    assert got["target_units"].to_list() == [5, 5]


def test_what_the_group_cannot_spare_is_replenished_from_the_brand() -> None:
    # T1 needs 6; T2 spares 2 (holds 3, keeps 1); the other 4 come from the brand.
    got = fix([need("T1", "store", 3.0, 6, price=50.0)], [holding("T2", "store", 3, 0.0)])
    assert got.select(LINE_COLUMNS).rows() == [
        ("T1", "transfer", 2, "T2", "store"),
        ("T1", "replenish", 4, None, "brand"),
    ]
    assert got["value_at_stake_cny"].to_list() == pytest.approx([50.0, 100.0])  # 150 x 2/6, x 4/6


def test_ties_go_to_the_distributor_then_the_lowest_location_id() -> None:
    # D1, T3 and T2 each spare 2; T4 needs 5: D1 first, then T2, then 1 from T3.
    got = fix(
        [need("T4", "store", 0.5, 5)],
        [
            holding("T3", "store", 3, 0.0),
            holding("D1", "distributor", 4, 0.0),
            holding("T2", "store", 3, 0.0),
        ],
    )
    assert got.select(LINE_COLUMNS).rows() == [
        ("T4", "transfer", 2, "D1", "distributor"),
        ("T4", "transfer", 2, "T2", "store"),
        ("T4", "transfer", 1, "T3", "store"),
    ]


def test_a_slow_moving_style_keeps_nothing_at_the_source() -> None:
    # T2 holds 2 of a style that is slow-moving there: it can give both
    got = fix([need("T1", "store", 1.0, 2)], [holding("T2", "store", 2, 5.0, slow=True)])
    assert got.select(LINE_COLUMNS).rows() == [("T1", "transfer", 2, "T2", "store")]


def test_every_need_of_a_distributor_is_a_replenish_line() -> None:
    got = fix([need("D1", "distributor", 1.0, 3)], [holding("T2", "store", 20, 0.0)])
    assert got.select(LINE_COLUMNS).rows() == [("D1", "replenish", 3, None, "brand")]


def test_competing_receivers_are_served_in_location_id_order_from_one_queue() -> None:
    # Sources ranked once: T4 spares 3, D1 spares 2 (holds 4, keeps 2).
    # T1 needs 2: 2 from T4. T2 needs 2: T4's last 1, then 1 from D1.
    # T3 needs 2: D1's last 1, then 1 from the brand.
    got = fix(
        [need("T3", "store", 1.0, 2), need("T1", "store", 1.0, 2), need("T2", "store", 1.0, 2)],
        [holding("T4", "store", 4, 0.0), holding("D1", "distributor", 4, 0.0)],
    )
    assert got.select(LINE_COLUMNS).rows() == [
        ("T1", "transfer", 2, "T4", "store"),
        ("T2", "transfer", 1, "T4", "store"),
        ("T2", "transfer", 1, "D1", "distributor"),
        ("T3", "transfer", 1, "D1", "distributor"),
        ("T3", "replenish", 1, None, "brand"),
    ]


# --- 6.4 clearance -------------------------------------------------------------------------------------


def test_months_of_cover_is_on_hand_over_the_monthly_rate() -> None:
    frame = pl.DataFrame({"on_hand": [12, 5], "units_sold": [6, 0]})
    got = frame.select(d.months_of_cover(lookback_months=3).alias("cover"))["cover"].to_list()
    assert got == [6.0, None]  # 12 / (6 / 3); nothing sold -> empty


# --- 6.6 order plan with carry-forward ---------------------------------------------------------------


def test_coverage_carries_counts_up_to_the_limit_and_names_the_rest() -> None:
    locs = places(
        [
            ("D1", "distributor", None, "North"),
            ("T1", "store", "D1", "North"),  # counted in 10
            ("T2", "store", "D1", "North"),  # last count 08: 2 months old -> carried
            ("T3", "store", "D1", "North"),  # last count 07: 3 months old -> left out
            ("T4", "store", "D1", "North"),  # never counted -> left out
            ("T5", "store", "D1", "North", "closed"),  # not part of the plan at all
        ]
    )
    last = pl.LazyFrame(
        {
            "location_id": ["D1", "T1", "T2", "T3", "T5"],
            "month": [mon("2026-09"), M, mon("2026-08"), mon("2026-07"), M],
        }
    )
    got = d.plan_coverage(locs, last, month=M, carry_forward_months=2).collect()
    assert got.select("location_id", "coverage").rows() == [
        ("D1", "carried"),
        ("T1", "counted"),
        ("T2", "carried"),
        ("T3", "left_out"),
        ("T4", "left_out"),
    ]
    none = d.plan_coverage(locs, last, month=M, carry_forward_months=0).collect()
    assert none.filter(pl.col("coverage") == "carried").height == 0


def test_order_plan_from_corrected_demand_with_carried_and_left_out_locations() -> None:
    # One bestseller B, sizes S and M (curve 3:1), one region, three active stores.
    # T1 (counted) sells 2/month of B-S. T3 is left out (last count 06): neither its demand
    # nor its on hand counts, but it is an active peer (ros 30 for B-S).
    # T2 (carried from 09) never had B-S: the peers' mean, (2 + 30) / 2 = 16.
    # Nobody ever had B-M: 0.
    locs = places(
        [
            ("T1", "store", None, "North"),
            ("T2", "store", None, "North"),
            ("T3", "store", None, "North"),
        ]
    )
    coverage = d.plan_coverage(
        locs,
        pl.LazyFrame(
            {"location_id": ["T1", "T2", "T3"], "month": [M, mon("2026-09"), mon("2026-06")]}
        ),
        month=M,
        carry_forward_months=2,
    )
    own_frame = pl.LazyFrame(
        {"location_id": ["T1", "T3"], "sku": ["B-S", "B-S"], "ros": [2.0, 30.0]}
    )
    on_hand = pl.LazyFrame(
        {"location_id": ["T1", "T2", "T3"], "sku": ["B-S", "B-M", "B-S"], "on_hand": [1, 3, 50]}
    )
    products = pl.LazyFrame(
        {"sku": ["B-S", "B-M"], "style": ["B", "B"], "category": ["bra", "bra"], "size": ["S", "M"]}
    )
    curve = pl.LazyFrame({"category": ["bra", "bra"], "size": ["S", "M"], "share": [0.75, 0.25]})
    got = d.order_plan(
        pl.LazyFrame({"style": ["B"]}),
        products,
        curve,
        coverage,
        own_frame,
        on_hand,
        locs,
        cover_months=3,
    ).collect()
    # T3's ros (30) is a peer rate of an active location: T2's fallback is mean(2, 30) = 16.
    # Monthly demand = 2 + 16 = 18; x 3 = 54; minus 4 on hand = 50: S 37.5 -> 38, M 12.5 -> 13.
    assert got.rows() == [
        ("North", "B", "M", 13, 54.0, 4),
        ("North", "B", "S", 38, 54.0, 4),
    ]


# --- 7 rules file ----------------------------------------------------------------------------------------

SECTION_7 = [
    "lookback_months",
    "new_months",
    "bestseller_share",
    "bestseller_max_styles",
    "slow_sell_through",
    "core_size_share",
    "broken_size_min_core_share",
    "core_colour_share",
    "cover_months",
    "carry_forward_months",
    "count_drop_share",
    "max_unpacked_mb",
    "clearance_done_share",
    "stuck_min_units",
    "min_store_reach",
    "proven_sell_through",
]
SECTION_7_PER_KIND = [
    "min_styles",
    "min_bestseller_coverage",
    "min_new_coverage",
    "max_broken_size_share",
    "max_slow_stock_share",
    "display_min",
    "replenish_cover_months",
]


def test_the_shipped_rules_file_names_every_threshold_of_section_7() -> None:
    import tomllib
    from importlib import resources

    shipped = tomllib.loads(resources.files("assortment").joinpath("rules.toml").read_text("utf-8"))
    assert sorted(k for k in shipped if k not in ("distributor", "store")) == sorted(SECTION_7)
    for kind in ("distributor", "store"):
        assert sorted(shipped[kind]) == sorted(SECTION_7_PER_KIND)
    rules = Rules.from_toml(None)
    assert rules == Rules()
    assert (rules.distributor.display_min, rules.distributor.replenish_cover_months) == (2, 3.0)
    assert (rules.store.display_min, rules.store.replenish_cover_months) == (1, 2.0)
    assert (rules.carry_forward_months, rules.clearance_done_share) == (2, 0.5)


def test_a_rules_file_may_change_the_new_thresholds(tmp_path) -> None:
    path = tmp_path / "rules.toml"
    path.write_text(
        "carry_forward_months = 0\n[store]\ndisplay_min = 3\nreplenish_cover_months = 1.5\n"
    )
    rules = Rules.from_toml(path)
    assert (rules.carry_forward_months, rules.store.display_min) == (0, 3)
    assert rules.store.replenish_cover_months == 1.5
    assert rules.fingerprint != Rules().fingerprint


def test_order_plan_splits_by_the_curve_renormalised_and_is_never_negative() -> None:
    # Bestseller A (BK, WH x 70A 75B 80B), new style N (set: S, M; its category never sold),
    # Z (neither). One store per region: T1 north, U1 south.
    #   T1 sells A-BK-70A 10 a month and N-BK-S 1; U1 sells A-WH-75B 2.
    # Each store takes the other's rate for a SKU it never had (network fallback, stores):
    #   north A: 10 + 2 = 12 a month, x 3 = 36, minus 12 on hand = 24 over 70A 75B 80B by
    #   0.5 : 0.3 : 0.1 renormalised to 0.9: 13.3 -> 13, 8, 2.7 -> 3.
    #   south A: 2 + 10 = 12, x 3 = 36, minus 10 = 26: 14.4 -> 14, 8.7 -> 9, 2.9 -> 3.
    #   N: 1 a month in each region (own or fallback), x 3 = 3: 1.5 each, rounded half up.
    locs = places([("T1", "store", None, "north"), ("U1", "store", None, "south")])
    coverage = d.plan_coverage(
        locs, pl.LazyFrame({"location_id": ["T1", "U1"], "month": [M, M]}), month=M,
        carry_forward_months=2,
    )  # fmt: skip
    own_frame = pl.LazyFrame(
        {
            "location_id": ["T1", "T1", "T1", "U1"],
            "sku": ["A-BK-70A", "N-BK-S", "Z-BK-70A", "A-WH-75B"],
            "ros": [10.0, 1.0, 33.0, 2.0],
        }
    )
    on_hand = pl.LazyFrame(
        {
            "location_id": ["T1", "T1", "U1"],
            "sku": ["A-BK-75B", "A-WH-80B", "A-BK-70A"],
            "on_hand": [10, 2, 10],
        }
    )
    skus = [(f"A-{c}-{z}", "A", "bra", z) for c in ("BK", "WH") for z in ("70A", "75B", "80B")]
    skus += [
        ("N-BK-S", "N", "set", "S"),
        ("N-BK-M", "N", "set", "M"),
        ("Z-BK-70A", "Z", "bra", "70A"),
    ]
    products = pl.LazyFrame(skus, schema=["sku", "style", "category", "size"], orient="row")
    curve = pl.LazyFrame(
        {
            "category": ["bra"] * 4 + ["set"] * 2,
            "size": ["70A", "75B", "80B", "85C", "M", "S"],
            "share": [0.5, 0.3, 0.1, 0.1, 0.0, 0.0],
        }
    )
    got = d.order_plan(
        pl.LazyFrame({"style": ["A", "N"]}),
        products,
        curve,
        coverage,
        own_frame,
        on_hand,
        locs,
        cover_months=3,
    ).collect()
    assert got.rows() == [
        ("north", "A", "70A", 13, 36.0, 12),
        ("north", "A", "75B", 8, 36.0, 12),
        ("north", "A", "80B", 3, 36.0, 12),
        ("north", "N", "M", 2, 3.0, 0),
        ("north", "N", "S", 2, 3.0, 0),
        ("south", "A", "70A", 14, 36.0, 10),
        ("south", "A", "75B", 9, 36.0, 10),
        ("south", "A", "80B", 3, 36.0, 10),
        ("south", "N", "M", 2, 3.0, 0),
        ("south", "N", "S", 2, 3.0, 0),
    ]


def test_ties_are_broken_on_codes_when_keys_are_numbered_otherwise() -> None:
    # The job passes integer keys numbered in the locations file's order, with location_order
    # (the place of the code in code order). Keys: D1 1, T3 2, T2 3, T1 4 (file order), codes
    # T1 < T2 < T3. T2 and T3 spare 2 each (hold 3, keep 1); T1 needs 2: T2 gives,
    # the lower code, though its key is larger.
    locs = pl.LazyFrame(
        {
            "location_id": [1, 2, 3, 4],
            "kind": ["distributor", "store", "store", "store"],
            "distributor_id": [None, 1, 1, 1],
            "location_order": [1, 4, 3, 2],  # D1, T3, T2, T1 -> code order D1 T1 T2 T3
        }
    )
    needs_frame = pl.LazyFrame(
        [(4, "k", "store", 1.0, 2, 2, 10.0)],
        schema=["location_id", "sku", "kind", "demand", "target_units", "need_units", "price"],
        orient="row",
    )
    holdings_frame = pl.LazyFrame(
        [(2, "k", "store", 3, False, 0.0), (3, "k", "store", 3, False, 0.0)],
        schema=["location_id", "sku", "kind", "on_hand", "is_slow_moving", "demand"],
        orient="row",
    )
    got = d.fix_needs(
        needs_frame, holdings_frame, locs, display_min=DISPLAY_MIN, replenish_cover_months=COVER
    ).collect()
    assert got.select("location_id", "action", "units", "source_location_id").rows() == [
        (4, "transfer", 2, 3)
    ]


# --- the (location, SKU) pair key the rules join on ------------------------------------------


@pytest.mark.parametrize(
    ("loc_dtype", "sku_dtype"),
    [(pl.Int32, pl.Int32), (pl.Int16, pl.UInt32), (pl.UInt16, pl.Int8), (pl.String, pl.String)],
)
def test_the_pair_key_is_one_to_one_and_gives_the_keys_back(loc_dtype, sku_dtype) -> None:
    if loc_dtype == pl.String:
        locs, skus = ["a", "a", "b", "ab"], ["bc", "b", "cb", "c"]
    else:
        lo_l = 0 if loc_dtype == pl.UInt16 else -(2**15)
        hi_l = 2**16 - 1 if loc_dtype == pl.UInt16 else 2**15 - 1
        lo_s = {pl.Int32: -(2**31), pl.UInt32: 0, pl.Int8: -128}[sku_dtype]
        hi_s = {pl.Int32: 2**31 - 1, pl.UInt32: 2**32 - 1, pl.Int8: 127}[sku_dtype]
        locs = [lo_l, lo_l, hi_l, hi_l, 0, 1, 0]
        skus = [lo_s, hi_s, lo_s, hi_s, hi_s, lo_s, 0]
    frame = pl.LazyFrame(
        {"location_id": locs, "sku": skus}, schema={"location_id": loc_dtype, "sku": sku_dtype}
    ).unique()
    keyed = frame.with_columns(rules_engine.pair_key(frame)).collect()
    assert keyed[rules_engine.PAIR].n_unique() == keyed.height  # distinct pairs, distinct keys
    back = rules_engine.unique_pairs(keyed.lazy(), frame).collect()
    assert_frame_equal(back.select("location_id", "sku"), frame.collect(), check_row_order=False)
    if loc_dtype != pl.String:
        assert keyed[rules_engine.PAIR].dtype == pl.Int64
