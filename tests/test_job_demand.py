"""Demand-sized actions, the order plan's carry-forward and follow-through, through files, the
store, the job and the exports, on a network small enough to check every figure by hand.

The network (bras; A and O have core sizes 75B and 80B / 75B; prices A 100, O 50):

* North, rep 张伟: distributor D01 and its stores S001, S002 (min_styles 1 everywhere).
* South, rep 李娜: distributor D02 (counted 08 and 09 only: carried in 10), its store S201
  (counted in 10 only), distributor D03 (never counted: left out).

Counts (on hand at month end) and sales:

====  ==========================  ==========================  =====================
      2026-08                     2026-09                     2026-10
====  ==========================  ==========================  =====================
D01   A-75B 30, A-80B 30          same                        same
S001  A-75B 2, A-80B 3, O 4       A-75B 1, A-80B 0, O 4       same as 09
      sold A-75B 1                sold A-75B 1, A-80B 3       -
S002  O 5                         O 5                         O 5
D02   A-75B 5                     A-75B 5                     (no count)
S201  -                           -                           A-75B 1, A-80B 1, O 3
====  ==========================  ==========================  =====================

Month 2026-10 (W = 08..10). A is the only style that sold: the bestseller. O sold nothing:
slow-moving wherever it is held.

* Rate of sale: S001 sold 2 of A-75B in 3 available months (0.667/month); A-80B was on the
  shelf only in 09 (the count of 08) and sold 3: 3/month. S002 never had A: its North store
  peer S001's rates. D01 had A in 09 and 10 and sold none: 0.
* S001 lacks A-80B (broken size): demand 3, target ceil(3 x 2) = 6. S002 lacks A (bestseller
  not in stock): 75B demand 0.667, target ceil(1.33) = 2; 80B demand 3, target 6.
* D01 keeps, of 75B, ceil((0 + 0.667 + 0.667) x 3) = 4 and spares 26; of 80B
  ceil((0 + 3 + 3) x 3) = 18 and spares 12. S001 (location_id first) takes 6 of 80B, S002
  the other 6; S002 takes 2 of 75B. S001 holds one 75B but keeps it (its target is 2).
* Value at stake = demand x price: 300, 66.67, 300.
* Clearance: O at S001 (4), S002 (5), S201 (3); nothing sold: no months of cover.

Order plan (A, cover 3 months): North: D01 + S001 + S002 want (4/3 + 6) x 3 = 22 and hold
61: nothing. South: D02 (carried: its 09 count, A-75B 5) and S201; D03 left out. D02 has no
own rate for 80B and no South distributor peer: the network's distributors (D01, 0). S201
has none: the network's stores (S001): 0.667 + 3. Demand (0.667 + 3) x 3 = 11, on hand 5 + 2
= 7, order 4 split by the bra curve over 12 months (75B 2 units, 80B 3: 0.4 / 0.6): 1.6 -> 2,
2.4 -> 2.

Month 2026-11 judges 10: S001 counts A-75B 1, A-80B 4, O 1 and sold A-80B 1; S002 counts
A-75B 2, O 4; D01 counts A-75B 22 (no 80B: broken, pass -> warn: worse); S201 has no count.
"""

from __future__ import annotations

import csv
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from assortment import months, store
from assortment.config import Settings
from assortment.export import export
from assortment.ingest import load_file
from assortment.job import FOLLOW_TABLES, classify, judge
from tests.conftest import TODAY, write

PRODUCTS = """sku,style,colour,size,category,launch_month,price,is_core_size
A-BK-75B,A,BK,75B,bra,2024-01,100,true
A-BK-80B,A,BK,80B,bra,2024-01,100,true
O-BK-75B,O,BK,75B,bra,2024-01,50,true
"""

LOCATIONS = """location_id,name,kind,distributor_id,region,province,city,rep,min_styles
D01,North D,distributor,,North,HB,SJZ,张伟,1
S001,North 1,store,D01,North,HB,SJZ,张伟,1
S002,North 2,store,D01,North,HB,SJZ,张伟,1
D02,South D,distributor,,South,GD,GZ,李娜,
S201,South 1,store,D02,South,GD,GZ,李娜,
D03,South D3,distributor,,South,GD,SZ,李娜,
"""

STOCK = {
    "2026-08": {
        "D01": {"A-BK-75B": 30, "A-BK-80B": 30},
        "S001": {"A-BK-75B": 2, "A-BK-80B": 3, "O-BK-75B": 4},
        "S002": {"O-BK-75B": 5},
        "D02": {"A-BK-75B": 5},
    },
    "2026-09": {
        "D01": {"A-BK-75B": 30, "A-BK-80B": 30},
        "S001": {"A-BK-75B": 1, "A-BK-80B": 0, "O-BK-75B": 4},
        "S002": {"O-BK-75B": 5},
        "D02": {"A-BK-75B": 5},
    },
    "2026-10": {
        "D01": {"A-BK-75B": 30, "A-BK-80B": 30},
        "S001": {"A-BK-75B": 1, "A-BK-80B": 0, "O-BK-75B": 4},
        "S002": {"O-BK-75B": 5},
        "S201": {"A-BK-75B": 1, "A-BK-80B": 1, "O-BK-75B": 3},
    },
    "2026-11": {
        "D01": {"A-BK-75B": 22, "A-BK-80B": 0},
        "S001": {"A-BK-75B": 1, "A-BK-80B": 4, "O-BK-75B": 1},
        "S002": {"A-BK-75B": 2, "O-BK-75B": 4},
    },
}
SALES = {
    "2026-08": {"S001": {"A-BK-75B": 1}},
    "2026-09": {"S001": {"A-BK-75B": 1, "A-BK-80B": 3}},
    "2026-11": {"S001": {"A-BK-80B": 1}},
}


@pytest.fixture(scope="module")
def hand_store(tmp_path_factory) -> Settings:
    tmp = tmp_path_factory.mktemp("hand")
    settings = Settings(db_path=tmp / "data" / "assortment.duckdb")
    store.init(settings)
    with store.writer(settings) as con:
        load_file(con, settings, "products", write(tmp / "p.csv", PRODUCTS), today=TODAY)
        load_file(con, settings, "locations", write(tmp / "l.csv", LOCATIONS), today=TODAY)
        for kind, table, value in (("stock", STOCK, "on_hand"), ("sales", SALES, "units_sold")):
            for month, per_loc in table.items():
                lines = [f"month,location_id,sku,{value}"] + [
                    f"{month},{loc},{sku},{n}"
                    for loc, per_sku in per_loc.items()
                    for sku, n in per_sku.items()
                ]
                path = write(tmp / f"{kind}-{month}.csv", "\n".join(lines) + "\n")
                load_file(con, settings, kind, path, today=TODAY)
    classify(settings, month="2026-10")
    classify(settings, month="2026-11")
    return settings


def exported(settings: Settings, kind: str, tmp_path: Path) -> list[dict[str, str]]:
    out = tmp_path / f"{kind}.csv"
    with store.reader(settings) as con:
        export(con, kind, "2026-10", out)
    with out.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_actions_export_is_sized_by_corrected_demand(hand_store, tmp_path) -> None:
    rows = exported(hand_store, "actions", tmp_path)
    assert list(rows[0]) == [
        "month",
        "location_id",
        "action",
        "style",
        "colour",
        "size",
        "sku",
        "units",
        "source_location_id",
        "value_cny",
        "reason",
        "reason_code",
        "bestseller_rank",
        "launch_month",
        "source_on_hand",
        "units_sold",
        "sell_through",
        "demand_units_per_month",
        "target_units",
        "source_kind",
        "value_at_stake_cny",
        "lacking_location_ids",
        "months_of_cover",
    ]
    got = [
        (
            r["location_id"],
            r["action"],
            r["style"],
            r["sku"],
            int(r["units"]),
            r["source_location_id"],
            r["source_kind"],
            r["target_units"],
            round(float(r["demand_units_per_month"]), 3) if r["demand_units_per_month"] else None,
            round(float(r["value_at_stake_cny"]), 2) if r["value_at_stake_cny"] else None,
            float(r["value_cny"]),
        )
        for r in rows
    ]
    assert got == [
        ("S001", "transfer", "A", "A-BK-80B", 6, "D01", "distributor", "6", 3.0, 300.0, 600.0),
        ("S001", "clearance", "O", "", 4, "", "", "", None, None, 200.0),
        ("S002", "transfer", "A", "A-BK-75B", 2, "D01", "distributor", "2", 0.667, 66.67, 200.0),
        ("S002", "transfer", "A", "A-BK-80B", 6, "D01", "distributor", "6", 3.0, 300.0, 600.0),
        ("S002", "clearance", "O", "", 5, "", "", "", None, None, 250.0),
        ("S201", "clearance", "O", "", 3, "", "", "", None, None, 150.0),
    ]
    assert rows[0]["reason"] == (
        "broken size run: colour BK lacks core size 80B; transfer from D01 (holds 30)"
    )
    assert rows[2]["reason"] == "bestseller #1 not in stock; transfer from D01 (holds 30)"


def test_order_plan_export_names_carried_and_left_out_locations(hand_store, tmp_path) -> None:
    rows = exported(hand_store, "order-plan", tmp_path)
    assert list(rows[0]) == [
        "month",
        "region",
        "style",
        "size",
        "units",
        "demand_units",
        "on_hand_units",
        "carried_location_ids",
        "left_out_location_ids",
    ]
    got = [
        (r["region"], r["style"], r["size"], r["units"], round(float(r["demand_units"]), 6))
        + (r["on_hand_units"], r["carried_location_ids"], r["left_out_location_ids"])
        for r in rows
    ]
    assert got == [
        ("South", "A", "75B", "2", 11.0, "7", "D02", "D03"),
        ("South", "A", "80B", "2", 11.0, "7", "D02", "D03"),
    ]


def test_follow_through_export_judges_each_line_by_the_next_count(hand_store, tmp_path) -> None:
    rows = exported(hand_store, "follow-through", tmp_path)
    assert list(rows[0]) == [
        "month",
        "location_id",
        "rep",
        "action",
        "style",
        "colour",
        "size",
        "sku",
        "units",
        "received_units",
        "follow_status",
    ]
    got = [
        (r["location_id"], r["rep"], r["action"], r["sku"], r["units"])
        + (r["received_units"], r["follow_status"])
        for r in rows
    ]
    assert got == [
        ("S001", "张伟", "transfer", "A-BK-80B", "6", "5", "partly"),  # 4 on hand + 1 sold
        ("S001", "张伟", "clearance", "", "4", "", "done"),  # 4 -> 1
        ("S002", "张伟", "transfer", "A-BK-75B", "2", "2", "done"),
        ("S002", "张伟", "transfer", "A-BK-80B", "6", "0", "not_done"),
        ("S002", "张伟", "clearance", "", "5", "", "partly"),  # 5 -> 4
        ("S201", "李娜", "clearance", "", "3", "", "unknown"),  # no count in 11
    ]


def test_rep_scorecard_export(hand_store, tmp_path) -> None:
    rows = exported(hand_store, "rep-scorecard", tmp_path)
    by_rep = {r["rep"]: r for r in rows}
    assert set(by_rep) == {"张伟", "李娜"}
    wang, li = by_rep["张伟"], by_rep["李娜"]
    counts = ("lines", "done", "partly", "not_done", "unknown", "fixed", "worse")
    # S001 went warn -> pass (fixed), D01 pass -> warn (worse)
    assert tuple(wang[c] for c in counts) == ("5", "2", "2", "1", "0", "1", "1")
    # done: S002's 75B line, 66.67 of 666.67 at stake
    assert float(wang["done_value_share"]) == pytest.approx(0.1)
    assert tuple(li[c] for c in counts) == ("1", "0", "0", "0", "1", "0", "0")
    assert li["done_value_share"] == ""


def test_reclassifying_the_month_keeps_its_follow_through(hand_store, tmp_path) -> None:
    before = exported(hand_store, "follow-through", tmp_path)
    classify(hand_store, month="2026-10")  # judged again against the stored 11
    assert exported(hand_store, "follow-through", tmp_path) == before


def test_a_month_without_a_next_count_stores_what_the_polars_judgement_gives(hand_store) -> None:
    # 2026-12 has no count: the job stores 11's lines as unknown straight from DuckDB
    # (job.write_follow_through); the rows, their order and the scorecard are judge()'s
    month = months.parse("2026-11")
    with store.reader(hand_store) as con:
        expected = judge(con, month, hand_store.rules())
        for table in FOLLOW_TABLES:
            stored = pl.DataFrame(
                con.sql(f"select * from {table} where month = $m", params={"m": month})
            )
            want = expected[table].with_columns(pl.lit(month).alias("month"))
            assert stored.height > 0
            assert_frame_equal(stored.select(want.columns), want, check_dtypes=False)
    assert set(expected["follow_through"]["follow_status"]) == {"unknown"}


def test_order_plan_names_carried_and_left_out_locations_in_the_report(hand_store) -> None:
    """6.6: "The plan names the locations carried or left out": the report's order plan says
    which count stood in for D02 (its 09 count) and that D03 (never counted) is left out; a
    region where every location was counted says so."""
    from assortment.report.data import Scope, load_month, scoped
    from assortment.report.sections import order_plan

    with store.reader(hand_store) as con:
        data = load_month(con, months.parse("2026-10"))
    listed = data.plan_locations.select("region", "location_id", "coverage", "count_month")
    assert listed.rows() == [
        ("South", "D02", "carried", "2026-09"),
        ("South", "D03", "left_out", None),
    ]
    south = Scope("region", "South")
    en = order_plan(scoped(data, south), south, "en")
    assert "Carried forward (latest count at most 2 months old used" in en
    assert "D02 " in en and "(2026-09)" in en
    assert "Left out (no count in the last 2 months" in en and "(never)" in en
    zh = order_plan(data, Scope("network"), "zh")
    assert "沿用最近盘点" in zh and "未计入" in zh and "（从未盘点）" in zh
    north = Scope("region", "North")
    assert "no count carried forward, none left out" in order_plan(scoped(data, north), north, "en")
