"""Compliance of domain.md section 5: figures, status and reasons, on networks checkable by hand."""

from __future__ import annotations

from datetime import date

import polars as pl
from polars.testing import assert_frame_equal

from assortment.compliance import grade
from assortment.config import Rules
from tests.reference_rules import Network, location, run_job, style_skus

M = date(2026, 10, 1)
RULES = Rules()
BOTH_CORE = {"70A": True, "75B": True}


def graded(**figures: object) -> tuple[str, list[str]]:
    """Status and reasons of one location whose figures default to a clean store."""
    row: dict[str, object] = {
        "kind": "store",
        "counted": True,
        "min_styles": 20,
        "active_styles": 20,
        "bestseller_coverage": 1.0,
        "new_coverage": 1.0,
        "broken_size_share": 0.0,
        "slow_stock_share": 0.0,
        "shrinking": False,
    }
    row.update(figures)
    out = grade(pl.LazyFrame([row]), rules=RULES).collect()
    return out["status"][0], out["reasons"][0].to_list()


# --- status from figures ------------------------------------------------------------------------


def test_clean_store_passes() -> None:
    assert graded() == ("pass", [])


def test_below_min_styles_fails() -> None:
    assert graded(active_styles=19) == ("fail", ["below_min_styles"])


def test_store_coverage_thresholds() -> None:
    assert graded(bestseller_coverage=0.8, new_coverage=0.8) == ("pass", [])
    assert graded(bestseller_coverage=0.6) == ("fail", ["bestsellers_missing"])
    assert graded(new_coverage=0.79) == ("fail", ["new_styles_missing"])


def test_distributor_needs_every_bestseller_and_new_style() -> None:
    assert graded(kind="distributor", min_styles=40, active_styles=40) == ("pass", [])
    assert graded(kind="distributor", min_styles=40, active_styles=40, new_coverage=0.8) == (
        "fail",
        ["new_styles_missing"],
    )


def test_warn_thresholds_are_strictly_greater() -> None:
    assert graded(broken_size_share=0.25, slow_stock_share=0.4) == ("pass", [])
    assert graded(broken_size_share=0.26) == ("warn", ["many_broken_sizes"])
    assert graded(slow_stock_share=0.41) == ("warn", ["slow_stock_heavy"])
    assert graded(shrinking=True) == ("warn", ["assortment_shrinking"])


def test_every_tripped_check_is_named_in_domain_order() -> None:
    status, reasons = graded(
        active_styles=3,
        bestseller_coverage=0.0,
        new_coverage=0.0,
        broken_size_share=1.0,
        slow_stock_share=1.0,
        shrinking=True,
    )
    assert status == "fail"
    assert reasons == [
        "below_min_styles",
        "bestsellers_missing",
        "new_styles_missing",
        "many_broken_sizes",
        "slow_stock_heavy",
        "assortment_shrinking",
    ]


def test_not_counted_is_no_count_without_reasons() -> None:
    assert graded(
        counted=False,
        active_styles=None,
        bestseller_coverage=None,
        new_coverage=None,
        broken_size_share=None,
        slow_stock_share=None,
    ) == ("no_count", [])


# --- figures from a network -------------------------------------------------------------------


def figures_network(b_on_hand_70a: int = 2) -> Network:
    """D1 holds A (broken: 70A only), B (slow), C (steady), D (the bestseller).

    On hand: A 1, B b_on_hand_70a + 1, C 2, D 4. Sales over W: C 1 (sell-through 1/3),
    D 10 (the only bestseller: 10 of 11 units).
    """
    products = [row for s in "ABCD" for row in style_skus(s, sizes="70A 75B", core=BOTH_CORE)]
    stock = {
        "A-BK-70A": 1,
        "B-BK-70A": b_on_hand_70a,
        "B-BK-75B": 1,
        "C-BK-70A": 1,
        "C-BK-75B": 1,
        "D-BK-70A": 2,
        "D-BK-75B": 2,
    }
    return Network(
        month=M,
        products=products,
        locations=[location("D1", "distributor", min_styles=4)],
        stock={"D1": stock},
        sales_w={"D1": {"C-BK-70A": 1, "D-BK-70A": 10}},
    )


def test_figures_exactly_at_the_warn_thresholds_pass() -> None:
    got = run_job(figures_network(), RULES).compliance
    want = pl.DataFrame(
        {
            "location_id": ["D1"],
            "kind": ["distributor"],
            "distributor_id": [None],
            "region": ["north"],
            "rep": ["wang"],
            "status": ["pass"],
            "active_styles": [4],
            "min_styles": [4],
            "bestseller_coverage": [1.0],
            "new_coverage": [1.0],
            "broken_size_share": [0.25],  # A of 4 styles
            "slow_stock_share": [0.4],  # A 1 + B 3 of 10 units
            "shrinking": [False],
            "reasons": [[]],
        },
        schema={
            "location_id": pl.String,
            "kind": pl.String,
            "distributor_id": pl.String,
            "region": pl.String,
            "rep": pl.String,
            "status": pl.String,
            "active_styles": pl.Int64,
            "min_styles": pl.Int64,
            "bestseller_coverage": pl.Float64,
            "new_coverage": pl.Float64,
            "broken_size_share": pl.Float64,
            "slow_stock_share": pl.Float64,
            "shrinking": pl.Boolean,
            "reasons": pl.List(pl.String),
        },
    )
    assert_frame_equal(got, want)


def test_slow_stock_share_above_threshold_warns() -> None:
    got = run_job(figures_network(b_on_hand_70a=3), RULES).compliance
    assert got.select("status", "slow_stock_share", "reasons").row(0) == (
        "warn",
        5 / 11,
        ["slow_stock_heavy"],
    )


def coverage_network(store_holds: dict[str, int], kind: str = "store") -> Network:
    """Five bestsellers (every style sold, bestseller_share 1.0); T1 holds some of them."""
    products = [row for s in "ABCDE" for row in style_skus(s, sizes="70A")]
    return Network(
        month=M,
        products=products,
        locations=[location("D1", "distributor"), location("T1", kind, min_styles=1)],
        stock={
            "D1": {f"{s}-BK-70A": 1 for s in "ABCDE"},
            "T1": {f"{s}-BK-70A": 5 for s in store_holds},
        },
        sales_w={"D1": {f"{s}-BK-70A": 5 for s in "ABCDE"}},
    )


def test_four_of_five_bestsellers_meets_store_coverage() -> None:
    rules = Rules(bestseller_share=1.0)
    got = run_job(coverage_network({"A": 1, "B": 1, "C": 1, "D": 1}), rules).compliance
    assert got.filter(pl.col("location_id") == "T1").select(
        "status", "bestseller_coverage", "reasons"
    ).row(0) == ("pass", 0.8, [])


def test_three_of_five_bestsellers_fails_store_coverage() -> None:
    rules = Rules(bestseller_share=1.0)
    got = run_job(coverage_network({"A": 1, "B": 1, "C": 1}), rules).compliance
    assert got.filter(pl.col("location_id") == "T1").select(
        "status", "bestseller_coverage", "reasons"
    ).row(0) == ("fail", 0.6, ["bestsellers_missing"])


def test_coverage_is_one_and_shares_zero_when_there_is_nothing() -> None:
    # No sales anywhere (no bestsellers), nothing new, and only a count row of 0.
    net = Network(
        month=M,
        products=style_skus("A"),
        locations=[location("T1", min_styles=0)],
        stock={"T1": {"A-BK-70A": 0}},
    )
    got = run_job(net, RULES).compliance
    assert got.select(
        "status",
        "active_styles",
        "bestseller_coverage",
        "new_coverage",
        "broken_size_share",
        "slow_stock_share",
    ).row(0) == ("pass", 0, 1.0, 1.0, 0.0, 0.0)


def test_no_count_location_has_null_figures_and_closed_is_absent() -> None:
    net = Network(
        month=M,
        products=style_skus("A"),
        locations=[
            location("D1", "distributor", min_styles=1),
            location("T1"),
            location("T2", status="closed"),
        ],
        stock={"D1": {"A-BK-70A": 1, "A-BK-75B": 1}, "T2": {"A-BK-70A": 1}},
    )
    got = run_job(net, RULES).compliance
    assert got["location_id"].to_list() == ["D1", "T1"]
    t1 = got.row(1, named=True)
    assert t1 == {
        "location_id": "T1",
        "kind": "store",
        "distributor_id": "D1",
        "region": "north",
        "rep": "wang",
        "status": "no_count",
        "active_styles": None,
        "min_styles": 20,
        "bestseller_coverage": None,
        "new_coverage": None,
        "broken_size_share": None,
        "slow_stock_share": None,
        "shrinking": False,
        "reasons": [],
    }


def test_min_styles_override_per_location() -> None:
    products = [row for s in "ABC" for row in style_skus(s, sizes="70A")]
    stock = {f"{s}-BK-70A": 1 for s in "ABC"}
    net = Network(
        month=M,
        products=products,
        locations=[location("T1", min_styles=3), location("T2")],
        stock={"T1": stock, "T2": stock},
        sales_w={"T1": {f"{s}-BK-70A": 1 for s in "ABC"}, "T2": {f"{s}-BK-70A": 1 for s in "ABC"}},
    )
    got = run_job(net, Rules(bestseller_share=1.0)).compliance
    assert got.select("location_id", "min_styles", "status", "reasons").rows() == [
        ("T1", 3, "pass", []),
        ("T2", 20, "fail", ["below_min_styles"]),
    ]


def shrinking_of(history: dict[int, int]) -> tuple[bool, str]:
    products = style_skus("A", sizes="70A") + style_skus("B", sizes="70A")
    net = Network(
        month=M,
        products=products,
        locations=[location("T1", min_styles=1)],
        stock={"T1": {"A-BK-70A": 3, "B-BK-70A": 3}},  # 2 active styles in M
        sales_w={"T1": {"A-BK-70A": 3, "B-BK-70A": 3}},
        history={"T1": history},
    )
    row = run_job(net, Rules(bestseller_share=1.0)).compliance.row(0, named=True)
    return row["shrinking"], row["status"]


def test_shrinking_needs_four_strictly_falling_counts() -> None:
    assert shrinking_of({3: 5, 2: 4, 1: 3}) == (True, "warn")


def test_not_shrinking_without_a_count_three_months_ago() -> None:
    assert shrinking_of({2: 4, 1: 3}) == (False, "pass")


def test_not_shrinking_when_counts_stay_equal() -> None:
    assert shrinking_of({3: 5, 2: 4, 1: 2}) == (False, "pass")
    assert shrinking_of({3: 5, 2: 5, 1: 3}) == (False, "pass")
