"""Actions of domain.md section 6 through the job: replenish, transfer and clearance lines.

The rules themselves (rate of sale, targets, sources, value at stake, the order plan) are
tested one by one in tests/test_demand.py; these tests check how the job turns them into
action rows.
"""

from __future__ import annotations

from datetime import date

import polars as pl
from polars.testing import assert_frame_equal

from assortment import vocab
from assortment.actions import COLUMNS as ACTION_COLUMNS
from assortment.config import Rules
from assortment.export import with_reason_words
from tests.reference_rules import Network, location, run_job, style_skus

M = date(2026, 10, 1)
RULES = Rules()
OLD = date(2024, 1, 1)

ACTION_SCHEMA = {
    "location_id": pl.String,
    "action": pl.String,
    "style": pl.String,
    "colour": pl.String,
    "size": pl.String,
    "sku": pl.String,
    "units": pl.Int64,
    "source_location_id": pl.String,
    "value_cny": pl.Float64,
    "reason": pl.String,
    "demand_units_per_month": pl.Float64,
    "target_units": pl.Int64,
    "source_kind": pl.String,
    "value_at_stake_cny": pl.Float64,
    "months_of_cover": pl.Float64,
}


def actions_frame(rows: list[tuple]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=ACTION_SCHEMA, orient="row")


def per_sku(
    loc: str,
    action: str,
    sku: str,
    reason: str,
    *,
    source: str | None = None,
    source_kind: str = "brand",
    units: int = 1,
    demand: float = 0.0,
    target: int = 1,
) -> tuple:
    """A replenish or transfer row of a SKU priced 100.0 (code ``style-colour-size``); its
    value at stake is demand x 100 x units / target (the need: nothing is on hand)."""
    style, colour, size = sku.split("-")
    at_stake = demand * 100.0 * units / target
    return (
        loc, action, style, colour, size, sku, units, source, 100.0 * units, reason,
        demand, target, source_kind, at_stake, None,
    )  # fmt: skip


def cleared(
    loc: str, style: str, units: int, value: float, reason: str, cover: float | None
) -> tuple:
    return (
        loc, "clearance", style, None, None, None, units, None, value, reason,
        None, None, None, None, cover,
    )  # fmt: skip


def worded(actions: pl.DataFrame) -> pl.DataFrame:
    """Action rows with their reason in English words, made from the reason code and its
    parameters as the export makes them."""
    return with_reason_words(actions).select(list(ACTION_SCHEMA))


def actions_at(net: Network, location_id: str, rules: Rules = RULES) -> pl.DataFrame:
    return worded(run_job(net, rules).actions.filter(pl.col("location_id") == location_id))


# --- replenish ----------------------------------------------------------------------------------


def test_absent_bestseller_asks_for_core_sizes_of_core_colours() -> None:
    # A sells only in BK (the core colour); WH is not asked for. X is steady at T1.
    products = style_skus("A", "BK WH", "70A 75B") + style_skus("X", sizes="70A", price=80.0)
    net = Network(
        month=M,
        products=products,
        locations=[location("D1", "distributor"), location("T1")],
        stock={"T1": {"X-BK-70A": 1}},  # D1 has no count: no actions there
        sales_w={"D1": {"A-BK-70A": 4}, "T1": {"X-BK-70A": 1}},
    )
    got = worded(run_job(net, RULES).actions)
    want = actions_frame(
        [
            per_sku("T1", "replenish", "A-BK-70A", "bestseller #1 not in stock"),
            per_sku("T1", "replenish", "A-BK-75B", "bestseller #1 not in stock"),
        ]
    )
    assert_frame_equal(got, want)


def test_absent_new_style_without_sales_asks_for_every_colour() -> None:
    products = style_skus("N", "BK WH", "S", category="set", launch=date(2026, 9, 1)) + style_skus(
        "X", sizes="70A"
    )
    net = Network(
        month=M,
        products=products,
        locations=[location("T1")],
        stock={"T1": {"X-BK-70A": 1}},
        sales_w={"T1": {"X-BK-70A": 1}},
    )
    got = actions_at(net, "T1").filter(pl.col("style") == "N")
    reason = "new style (launched 2026-09) not in stock"
    want = actions_frame(
        [
            per_sku("T1", "replenish", "N-BK-S", reason),
            per_sku("T1", "replenish", "N-WH-S", reason),
        ]
    )
    assert_frame_equal(got, want)


def test_broken_size_asks_for_each_missing_core_size() -> None:
    core = {"70A": True, "75B": True, "80B": True, "85C": False}
    products = style_skus("A", "BK", "70A 75B 80B 85C", core=core)
    net = Network(
        month=M,
        products=products,
        locations=[location("D1", "distributor")],
        stock={"D1": {"A-BK-75B": 1, "A-BK-85C": 4}},
        sales_w={"D1": {"A-BK-85C": 4}},  # A is a bestseller, and in stock
    )
    got = actions_at(net, "D1")
    # nobody ever had 70A or 80B: demand 0, so a distributor's target is its display_min, 2
    broken = "broken size run: colour BK lacks core size"
    want = actions_frame(
        [
            per_sku("D1", "replenish", "A-BK-70A", f"{broken} 70A", units=2, target=2),
            per_sku("D1", "replenish", "A-BK-80B", f"{broken} 80B", units=2, target=2),
        ]
    )
    assert_frame_equal(got, want)


# --- transfer ------------------------------------------------------------------------------------

CORE2 = {"70A": True, "75B": True}
CORE3 = {"70A": True, "75B": True, "80B": True}


def group_network(
    stock: dict[str, dict[str, int]], sales: dict[str, dict[str, int]], sizes: str = "70A 75B"
) -> Network:
    """Group D1 (distributor, stores T1-T3) and group D2 (store U1); D1 and D2 have no count."""
    core = CORE3 if len(sizes.split()) == 3 else CORE2
    return Network(
        month=M,
        products=style_skus("A", "BK", sizes, core=core),
        locations=[
            location("D1", "distributor"),
            location("T1"),
            location("T2"),
            location("T3"),
            location("D2", "distributor"),
            location("U1", distributor_id="D2"),
        ],
        stock=stock,
        sales_w=sales,
    )


def test_transfer_comes_from_a_sibling_that_keeps_its_size_run() -> None:
    # T1 lacks 75B. U1 (other group) holds 5; T2 holds only 1 (A steady there); T3 holds 2.
    net = group_network(
        stock={
            "T1": {"A-BK-70A": 1},
            "T2": {"A-BK-70A": 1, "A-BK-75B": 1},
            "T3": {"A-BK-70A": 1, "A-BK-75B": 2},
            "U1": {"A-BK-70A": 5, "A-BK-75B": 5},
        },
        sales={
            "T1": {"A-BK-70A": 1},
            "T2": {"A-BK-70A": 1},
            "T3": {"A-BK-70A": 1},
            "U1": {"A-BK-70A": 1},
        },
    )
    got = worded(run_job(net, RULES).actions)
    want = actions_frame(
        [
            per_sku(
                "T1",
                "transfer",
                "A-BK-75B",
                "broken size run: colour BK lacks core size 75B; transfer from T3 (holds 2)",
                source="T3",
                source_kind="store",
            ),
        ]
    )
    assert_frame_equal(got, want)


def test_slow_moving_source_can_give_its_last_unit() -> None:
    # T3 holds a single 75B, but A is slow-moving at T3 (nothing sold): it can spare it.
    net = group_network(
        stock={"T1": {"A-BK-70A": 1}, "T3": {"A-BK-70A": 5, "A-BK-75B": 1}},
        sales={"T1": {"A-BK-70A": 1}},
    )
    net.products += style_skus("HIT", sizes="70A")
    net.sales_w["U1"] = {"HIT-BK-70A": 5}  # HIT, not A, is the bestseller
    got = actions_at(net, "T1").filter(pl.col("style") == "A")
    assert got.select("action", "sku", "source_location_id").rows() == [
        ("transfer", "A-BK-75B", "T3")
    ]


def test_without_a_source_the_store_is_replenished() -> None:
    net = group_network(
        stock={"T1": {"A-BK-70A": 1}, "T2": {"A-BK-70A": 1, "A-BK-75B": 1}},
        sales={"T1": {"A-BK-70A": 1}, "T2": {"A-BK-70A": 1}},
    )
    got = actions_at(net, "T1")
    assert got.select("action", "sku", "source_location_id").rows() == [
        ("replenish", "A-BK-75B", None)
    ]


def test_each_missing_sku_comes_from_the_source_with_most_to_spare() -> None:
    # T1 lacks 75B and 80B. T2 can spare 4 of 75B and no 80B; T3 can spare 1 of each.
    net = group_network(
        stock={
            "T1": {"A-BK-70A": 1},
            "T2": {"A-BK-70A": 1, "A-BK-75B": 5, "A-BK-80B": 1},
            "T3": {"A-BK-70A": 1, "A-BK-75B": 2, "A-BK-80B": 2},
        },
        sales={loc: {"A-BK-70A": 1} for loc in ("T1", "T2", "T3")},
        sizes="70A 75B 80B",
    )
    got = actions_at(net, "T1")
    assert got.select("action", "sku", "source_location_id").rows() == [
        ("transfer", "A-BK-75B", "T2"),
        ("transfer", "A-BK-80B", "T3"),
    ]


def test_stock_out_corrected_demand_sizes_the_transfer_and_its_value() -> None:
    # T1 had 2 of 75B at the end of July and sold both in August, then had none: 75B was
    # available in August only, so T1 sells 2 a month and its target is ceil(2 x 2) = 4.
    # T2 holds 10 of 75B and never sold it: its rate is its peers' (T1's 2), so it keeps
    # 4 and spares 6. T1 gets 4 from T2, worth 2 x 100 a month.
    jul, aug, sep = date(2026, 7, 1), date(2026, 8, 1), date(2026, 9, 1)
    net = group_network(
        stock={"T1": {"A-BK-70A": 1}, "T2": {"A-BK-75B": 10}},
        sales={"T1": {"A-BK-75B": 2, "A-BK-70A": 1}},
    )
    net.stock_prev = {
        jul: {"T1": {"A-BK-70A": 1, "A-BK-75B": 2}},
        aug: {"T1": {"A-BK-70A": 1}},
        sep: {"T1": {"A-BK-70A": 1}},
    }
    net.sales_by_month = {aug: {"T1": {"A-BK-75B": 2}}, M: {"T1": {"A-BK-70A": 1}}}
    got = actions_at(net, "T1")
    want = actions_frame(
        [
            per_sku(
                "T1",
                "transfer",
                "A-BK-75B",
                "broken size run: colour BK lacks core size 75B; transfer from T2 (holds 10)",
                source="T2",
                source_kind="store",
                units=4,
                demand=2.0,
                target=4,
            )
        ]
    )
    assert_frame_equal(got, want)


def test_what_the_group_cannot_spare_is_replenished_on_a_second_line() -> None:
    # as above, but T2 holds 6: it keeps 4 and spares 2; the other 2 come from the brand
    jul, aug, sep = date(2026, 7, 1), date(2026, 8, 1), date(2026, 9, 1)
    net = group_network(
        stock={"T1": {"A-BK-70A": 1}, "T2": {"A-BK-75B": 6}},
        sales={"T1": {"A-BK-75B": 2, "A-BK-70A": 1}},
    )
    net.stock_prev = {
        jul: {"T1": {"A-BK-70A": 1, "A-BK-75B": 2}},
        aug: {"T1": {"A-BK-70A": 1}},
        sep: {"T1": {"A-BK-70A": 1}},
    }
    net.sales_by_month = {aug: {"T1": {"A-BK-75B": 2}}, M: {"T1": {"A-BK-70A": 1}}}
    got = actions_at(net, "T1").select(
        "action", "units", "source_location_id", "source_kind", "value_at_stake_cny"
    )
    assert got.rows() == [
        ("replenish", 2, None, "brand", 100.0),
        ("transfer", 2, "T2", "store", 100.0),
    ]


def test_transfer_then_prefers_most_units_then_location_id() -> None:
    held_more = group_network(
        stock={
            "T1": {"A-BK-70A": 1},
            "T2": {"A-BK-70A": 1, "A-BK-75B": 2},
            "T3": {"A-BK-70A": 1, "A-BK-75B": 3},
        },
        sales={loc: {"A-BK-70A": 1} for loc in ("T1", "T2", "T3")},
    )
    assert actions_at(held_more, "T1")["source_location_id"].to_list() == ["T3"]
    tied = group_network(
        stock={
            "T1": {"A-BK-70A": 1},
            "T2": {"A-BK-70A": 1, "A-BK-75B": 3},
            "T3": {"A-BK-70A": 1, "A-BK-75B": 3},
        },
        sales={loc: {"A-BK-70A": 1} for loc in ("T1", "T2", "T3")},
    )
    assert actions_at(tied, "T1")["source_location_id"].to_list() == ["T2"]


def test_a_source_never_gives_more_than_it_can_spare() -> None:
    # T1 and T2 both lack 75B; T3 holds 2 and can spare one: T1 gets it, T2 is replenished.
    net = group_network(
        stock={
            "T1": {"A-BK-70A": 1},
            "T2": {"A-BK-70A": 1},
            "T3": {"A-BK-70A": 1, "A-BK-75B": 2},
        },
        sales={loc: {"A-BK-70A": 1} for loc in ("T1", "T2", "T3")},
    )
    got = run_job(net, RULES).actions
    assert got.select("location_id", "action", "source_location_id").rows() == [
        ("T1", "transfer", "T3"),
        ("T2", "replenish", None),
    ]


def test_the_distributor_is_replenished_not_supplied_by_its_stores() -> None:
    net = group_network(
        stock={"D1": {"A-BK-70A": 1}, "T1": {"A-BK-70A": 1, "A-BK-75B": 5}},
        sales={"D1": {"A-BK-70A": 1}, "T1": {"A-BK-70A": 1}},
    )
    got = run_job(net, RULES).actions
    # nobody ever had 75B: demand 0, so the distributor's target is its display_min, 2
    assert got.select("location_id", "action", "sku", "units", "target_units").rows() == [
        ("D1", "replenish", "A-BK-75B", 2, 2)
    ]


# --- clearance -----------------------------------------------------------------------------------


def test_clearance_lists_slow_old_styles_largest_on_hand_first() -> None:
    products = (
        style_skus("P", sizes="70A", price=100.0)
        + style_skus("Q", sizes="70A", price=50.0)
        + style_skus("NEWSLOW", sizes="70A", launch=date(2026, 9, 1))
        + style_skus("HOT", sizes="70A")
    )
    net = Network(
        month=M,
        products=products,
        locations=[location("T1")],
        stock={"T1": {"P-BK-70A": 5, "Q-BK-70A": 8, "NEWSLOW-BK-70A": 9, "HOT-BK-70A": 1}},
        sales_w={"T1": {"Q-BK-70A": 1, "HOT-BK-70A": 30}},
    )
    got = actions_at(net, "T1").filter(pl.col("action") == "clearance")
    want = actions_frame(
        [
            cleared(
                "T1",
                "Q",
                8,
                400.0,
                "slow-moving: 1 sold over the window, 8 on hand (sell-through 11%)",
                8 / (1 / 3),  # months of cover: on hand over the monthly rate
            ),
            cleared(
                "T1",
                "P",
                5,
                500.0,
                "slow-moving: 0 sold over the window, 5 on hand (sell-through 0%)",
                None,  # nothing sold: no cover
            ),
        ]
    )
    assert_frame_equal(got, want)


def test_actions_are_ordered_replenish_transfer_clearance_per_location() -> None:
    products = (
        style_skus("A", "BK", "70A 75B", core=CORE2)
        + style_skus("B", sizes="70A")
        + style_skus("OLD", sizes="70A")
    )
    net = Network(
        month=M,
        products=products,
        locations=[location("D1", "distributor"), location("T1"), location("T2")],
        stock={
            "T1": {"A-BK-70A": 1, "OLD-BK-70A": 4},
            "T2": {"A-BK-70A": 1, "A-BK-75B": 3},
        },
        # B is the bestseller (10 of 12 units), missing at T1 and T2; T1 lacks A-75B, which
        # T2 can spare; OLD is slow at T1.
        sales_w={"D1": {"B-BK-70A": 10}, "T1": {"A-BK-70A": 1}, "T2": {"A-BK-70A": 1}},
    )
    got = run_job(net, RULES).actions.select("location_id", "action", "style", "sku")
    assert got.rows() == [
        ("T1", "replenish", "B", "B-BK-70A"),
        ("T1", "transfer", "A", "A-BK-75B"),
        ("T1", "clearance", "OLD", None),
        ("T2", "replenish", "B", "B-BK-70A"),
    ]


# --- reasons are codes with typed parameters ------------------------------------------------


def test_each_reason_is_a_code_with_its_parameters_in_typed_columns() -> None:
    # T1 lacks the bestseller B and the new style N, lacks A-75B (broken, T2 can spare 3),
    # and sits on the slow old style OLD.
    products = (
        style_skus("A", "BK", "70A 75B", core=CORE2)
        + style_skus("B", sizes="70A")
        + style_skus("N", sizes="70A", launch=date(2026, 9, 1))
        + style_skus("OLD", sizes="70A")
    )
    net = Network(
        month=M,
        products=products,
        locations=[location("D1", "distributor"), location("T1"), location("T2")],
        stock={
            "T1": {"A-BK-70A": 1, "OLD-BK-70A": 4},
            "T2": {"A-BK-70A": 1, "A-BK-75B": 3, "N-BK-70A": 1},
        },
        sales_w={"D1": {"B-BK-70A": 10}, "T1": {"A-BK-70A": 1}, "T2": {"A-BK-70A": 1}},
    )
    got = run_job(net, RULES).actions.filter(pl.col("location_id") == "T1")
    cols = (
        "action",
        "style",
        "reason_code",
        "bestseller_rank",
        "launch_month",
        "source_location_id",
        "source_on_hand",
        "units_sold",
        "sell_through",
    )
    rows = got.select(cols).rows()
    assert rows == [
        ("replenish", "B", "bestseller_not_in_stock", 1, None, None, None, None, None),
        (
            "replenish",
            "N",
            "new_style_not_in_stock",
            None,
            date(2026, 9, 1),
            None,
            None,
            None,
            None,
        ),
        ("transfer", "A", "broken_size_run", None, None, "T2", 3, None, None),
        ("clearance", "OLD", "slow_moving", None, None, None, None, 0, 0.0),
    ]
    assert got.schema["bestseller_rank"] == pl.Int64
    assert got.schema["launch_month"] == pl.Date
    assert got.schema["source_on_hand"] == pl.Int64
    assert got.schema["sell_through"] == pl.Float64
    assert set(got["reason_code"]) <= set(vocab.ACTION_REASONS)
    assert got.columns == list(ACTION_COLUMNS)
