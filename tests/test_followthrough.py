"""Follow-through of domain.md 8: every status, fixed and worse, the rep scorecard, by hand."""

from __future__ import annotations

import polars as pl
import pytest

from assortment.followthrough import judge_lines, rep_scorecard, status_changes

PRODUCTS = pl.LazyFrame(
    {"sku": ["A-S", "A-M", "B-S", "C-S", "C-M"], "style": ["A", "A", "B", "C", "C"]}
)


def stock(rows: list[tuple[str, str, int]]) -> pl.LazyFrame:
    schema = {"location_id": pl.String, "sku": pl.String, "on_hand": pl.Int64}
    return pl.LazyFrame(rows, schema=schema, orient="row")


def sales(rows: list[tuple[str, str, int]]) -> pl.LazyFrame:
    schema = {"location_id": pl.String, "sku": pl.String, "units_sold": pl.Int64}
    return pl.LazyFrame(rows, schema=schema, orient="row")


LINES = pl.LazyFrame(
    [
        # T1: received = 2 on hand + 1 sold - 0 = 3 of A-S
        ("T1", "replenish", "A", "A-S", 3),  # done (3 >= 3)
        ("T1", "transfer", "A", "A-M", 2),  # received 1 of A-M: partly
        ("T1", "replenish", "B", "B-S", 1),  # received 0: not_done
        ("T9", "replenish", "A", "A-S", 1),  # T9 not counted in M+1: unknown
        ("T2", "clearance", "C", None, 10),  # C: 10 -> 5: done (fell by half)
        ("T3", "clearance", "C", None, 10),  # C: 10 -> 6: partly
        ("T4", "clearance", "C", None, 4),  # C: 4 -> 4 (sold 2, got 2 more): not_done
        ("T9", "clearance", "C", None, 4),  # unknown
    ],
    schema={
        "location_id": pl.String,
        "action": pl.String,
        "style": pl.String,
        "sku": pl.String,
        "units": pl.Int64,
    },
    orient="row",
)


def judged() -> pl.DataFrame:
    return judge_lines(
        LINES,
        stock_m=stock(
            [
                ("T1", "A-M", 1),
                ("T2", "C-S", 6),
                ("T2", "C-M", 4),
                ("T3", "C-S", 10),
                ("T4", "C-S", 4),
                ("T9", "C-S", 4),
            ]
        ),
        stock_next=stock(
            [
                ("T1", "A-S", 2),
                ("T1", "A-M", 1),
                ("T1", "B-S", 0),
                ("T2", "C-S", 5),
                ("T3", "C-S", 6),
                ("T4", "C-M", 4),
            ]
        ),
        sales_next=sales([("T1", "A-S", 1), ("T1", "A-M", 1), ("T4", "C-S", 2), ("T9", "A-S", 5)]),
        counted_next=pl.LazyFrame({"location_id": ["T1", "T2", "T3", "T4"]}),
        products=PRODUCTS,
        clearance_done_share=0.5,
    ).collect()


def test_every_follow_status_by_hand() -> None:
    got = judged()
    assert got.select("location_id", "sku", "received_units", "follow_status").rows() == [
        ("T1", "A-S", 3, "done"),
        ("T1", "A-M", 1, "partly"),  # 1 on hand + 1 sold - 1 before
        ("T1", "B-S", 0, "not_done"),
        ("T9", "A-S", None, "unknown"),
        ("T2", None, None, "done"),
        ("T3", None, None, "partly"),
        ("T4", None, None, "not_done"),
        ("T9", None, None, "unknown"),
    ]


def test_a_transfer_out_makes_received_negative_and_not_done() -> None:
    lines = LINES.filter(pl.col("sku") == "A-S").head(1)
    got = judge_lines(
        lines,
        stock_m=stock([("T1", "A-S", 5)]),
        stock_next=stock([("T1", "A-S", 1)]),
        sales_next=sales([]),
        counted_next=pl.LazyFrame({"location_id": ["T1"]}),
        products=PRODUCTS,
        clearance_done_share=0.5,
    ).collect()
    assert got.select("received_units", "follow_status").row(0) == (-4, "not_done")


def test_fixed_and_worse() -> None:
    before = pl.LazyFrame(
        {
            "location_id": ["L1", "L2", "L3", "L4", "L5", "L6", "L7"],
            "status": ["fail", "warn", "pass", "warn", "fail", "pass", "no_count"],
        }
    )
    after = pl.LazyFrame(
        {
            "location_id": ["L1", "L2", "L3", "L4", "L5", "L6", "L7"],
            "status": ["pass", "pass", "warn", "fail", "warn", "no_count", "pass"],
        }
    )
    got = status_changes(before, after).collect()
    assert got["change"].to_list() == ["fixed", "fixed", "worse", "worse", None, None, None]


def test_rep_scorecard_counts_lines_value_and_locations() -> None:
    lines = judged().with_columns(
        pl.when(pl.col("location_id") == "T1")
        .then(pl.lit("Wang"))
        .otherwise(pl.lit("Li"))
        .alias("rep"),
        pl.Series("value_at_stake_cny", [300.0, 100.0, 100.0, 50.0, None, None, None, None]),
    )
    changes = pl.LazyFrame(
        {
            "location_id": ["T1", "T2", "T5"],
            "rep": ["Wang", "Li", "Zhao"],
            "change": ["fixed", "worse", None],
        }
    )
    got = rep_scorecard(lines.lazy(), changes).collect()
    assert got.columns == [
        "rep",
        "lines",
        "done",
        "partly",
        "not_done",
        "unknown",
        "value_at_stake_cny",
        "done_value_cny",
        "done_value_share",
        "fixed",
        "worse",
    ]
    rows = {r["rep"]: r for r in got.iter_rows(named=True)}
    wang, li, zhao = rows["Wang"], rows["Li"], rows["Zhao"]
    assert (wang["lines"], wang["done"], wang["partly"], wang["not_done"], wang["unknown"]) == (
        3,
        1,
        1,
        1,
        0,
    )
    assert wang["done_value_share"] == pytest.approx(300 / 500)
    assert (wang["fixed"], wang["worse"]) == (1, 0)
    # Li: T9's replenish (unknown, 50), and four clearance lines without a value at stake
    assert (li["lines"], li["done"], li["partly"], li["not_done"], li["unknown"]) == (5, 1, 1, 1, 2)
    assert li["done_value_share"] == 0.0
    assert (li["fixed"], li["worse"]) == (0, 1)
    assert (zhao["lines"], zhao["done_value_share"], zhao["fixed"]) == (0, None, 0)


def test_distribute_lines_are_judged_at_their_lacking_stores() -> None:
    # Style A has SKUs A-S and A-M. Each distribute line sits at its distributor and names the
    # stores that lacked A in M (on hand there 0); received sums, over those counted in M+1,
    # their on hand of A in M+1 + units of A sold in M+1 (every SKU of A).
    #   D1 -> S1;S2;S3 for 4: S1 holds 2 A-S and sold 1 A-M (3), S2 holds 1 A-M (1; its 5 B-S
    #         are another style), S3 is not counted in M+1 (its 9 sold are left out): 4, done
    #   D2 -> S4 for 5: S4 holds 2 A-S: 2, partly
    #   D3 -> S5 for 2: S5 is counted with no A: 0, not_done
    #   D4 -> S6;S7 for 2: neither is counted in M+1: unknown, although D4 itself is counted
    lines = pl.LazyFrame(
        [
            ("D1", "distribute", "A", None, 4, "S1;S2;S3"),
            ("D2", "distribute", "A", None, 5, "S4"),
            ("D3", "distribute", "A", None, 2, "S5"),
            ("D4", "distribute", "A", None, 2, "S6;S7"),
        ],
        schema={
            "location_id": pl.String,
            "action": pl.String,
            "style": pl.String,
            "sku": pl.String,
            "units": pl.Int64,
            "lacking_location_ids": pl.String,
        },
        orient="row",
    )
    got = judge_lines(
        lines,
        stock_m=stock([("D1", "A-S", 10), ("D4", "A-S", 10), ("S2", "B-S", 5)]),
        stock_next=stock(
            [
                ("D1", "A-S", 6),
                ("D4", "A-S", 0),
                ("S1", "A-S", 2),
                ("S2", "A-M", 1),
                ("S2", "B-S", 5),
                ("S4", "A-S", 2),
                ("S5", "B-S", 1),
            ]
        ),
        sales_next=sales([("S1", "A-M", 1), ("S3", "A-S", 9), ("S6", "A-S", 3)]),
        counted_next=pl.LazyFrame({"location_id": ["D1", "D4", "S1", "S2", "S4", "S5"]}),
        products=PRODUCTS,
        clearance_done_share=0.5,
    ).collect()
    assert got.select("location_id", "sku", "received_units", "follow_status").rows() == [
        ("D1", None, 4, "done"),
        ("D2", None, 2, "partly"),
        ("D3", None, 0, "not_done"),
        ("D4", None, None, "unknown"),
    ]
    assert got["lacking_location_ids"].to_list() == ["S1;S2;S3", "S4", "S5", "S6;S7"]
    # the scorecard counts them like any other line
    card = rep_scorecard(
        got.with_columns(
            pl.lit("Wang").alias("rep"),
            pl.Series("value_at_stake_cny", [400.0, 100.0, 50.0, 50.0]),
        ).lazy(),
        pl.LazyFrame({"location_id": ["D1"], "rep": ["Wang"], "change": [None]}),
    ).collect()
    wang = card.row(0, named=True)
    assert (wang["lines"], wang["done"], wang["partly"], wang["not_done"], wang["unknown"]) == (
        4,
        1,
        1,
        1,
        1,
    )
    assert wang["done_value_share"] == pytest.approx(400 / 600)


def test_a_distribute_line_subtracts_what_a_lacking_store_held_in_m() -> None:
    # The rule's on_hand(l,s,M) term: a store named lacking that held 1 unit of A in M (say
    # the line was stored before that count was corrected) and holds 3 in M+1 received 2.
    lines = pl.LazyFrame(
        {
            "location_id": ["D1"],
            "action": ["distribute"],
            "style": ["A"],
            "sku": [None],
            "units": [2],
            "lacking_location_ids": ["S1"],
        },
        schema_overrides={"sku": pl.String, "units": pl.Int64},
    )
    got = judge_lines(
        lines,
        stock_m=stock([("S1", "A-M", 1)]),
        stock_next=stock([("S1", "A-S", 2), ("S1", "A-M", 1)]),
        sales_next=sales([]),
        counted_next=pl.LazyFrame({"location_id": ["S1"]}),
        products=PRODUCTS,
        clearance_done_share=0.5,
    ).collect()
    assert got.select("received_units", "follow_status").row(0) == (2, "done")
