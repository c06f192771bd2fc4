"""Boundaries of 6.2 and 6.6 on tiny networks a reader can check by hand, through files,
the job and the exports.

* Rates of sale add up exactly before a target or an order is rounded: rates like 2/3 are not
  exact in 9 decimals; rounding each one (or each sum) on the way and then adding three of
  them gives 2.000000001, and ``ceil(2.000000001 x 3 - 1e-9)`` is 7, not 6.
* A style launched after M is "neither new nor required" (4.3), even when it sold early
  enough to rank as a bestseller.
"""

from __future__ import annotations

import csv
from pathlib import Path

from assortment import store
from assortment.config import Settings
from assortment.export import export
from assortment.ingest import load_file
from assortment.job import classify
from tests.conftest import TODAY, write

LOCATIONS = """location_id,name,kind,distributor_id,region,province,city,rep,status
D01,D01,distributor,,North,P,C,r,active
D01-S1,S1,store,D01,North,P,C,r,active
D01-S2,S2,store,D01,North,P,C,r,active
D01-S3,S3,store,D01,North,P,C,r,active
"""


def _run(tmp: Path, products: str, stock: str, sales: str, kind: str) -> list[dict[str, str]]:
    settings = Settings(db_path=tmp / "data" / "assortment.duckdb")
    store.init(settings)
    with store.writer(settings) as con:
        for name, text in (
            ("products", products),
            ("locations", LOCATIONS),
            ("stock", stock),
            ("sales", sales),
        ):
            load_file(con, settings, name, write(tmp / f"{name}.csv", text), today=TODAY)
    classify(settings, month="2026-09")
    out = tmp / f"{kind}.csv"
    with store.reader(settings) as con:
        export(con, kind, "2026-09", out)
    with out.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_a_distributors_demand_of_three_stores_at_two_thirds_is_two(tmp_path) -> None:
    """S1 sold 2 of A-BLK-M in the 3 months it was available (07, 08, 09): 2/3 a month. S2
    and S3 were never counted: the region's stores' mean, 2/3 each. D01 never had M: its own
    rate is the distributors' mean, of none: 0. D01's demand = 0 + 3 x 2/3 = 2, target
    max(2, ceil(2 x 3)) = 6, and it holds none: replenish 6, value at stake 2 x 10 = 20."""
    products = """sku,style,colour,size,category,launch_month,price,is_core_size
A-BLK-S,A,BLK,S,brief,2025-01,10,true
A-BLK-M,A,BLK,M,brief,2025-01,10,true
"""
    stock = "month,location_id,sku,on_hand\n" + "".join(
        f"2026-{m},{loc},{sku},{n}\n"
        for m, loc, sku, n in [
            *((m, "D01", "A-BLK-S", 5) for m in ("06", "07", "08", "09")),
            ("06", "D01-S1", "A-BLK-M", 5),
            ("07", "D01-S1", "A-BLK-M", 5),
            ("08", "D01-S1", "A-BLK-M", 1),
            ("09", "D01-S1", "A-BLK-M", 1),
            ("09", "D01-S1", "A-BLK-S", 1),
        ]
    )
    sales = "month,location_id,sku,units_sold\n2026-07,D01-S1,A-BLK-M,1\n2026-08,D01-S1,A-BLK-M,1\n"
    rows = _run(tmp_path, products, stock, sales, "actions")
    d01 = [
        (r["action"], r["sku"], r["units"], r["target_units"], r["source_kind"])
        + (float(r["demand_units_per_month"]), float(r["value_at_stake_cny"]))
        for r in rows
        if r["location_id"] == "D01" and r["sku"] == "A-BLK-M"
    ]
    assert d01 == [("replenish", "A-BLK-M", "6", "6", "brand", 2.0, 20.0)]


def test_a_regions_order_of_three_and_a_half_units_rounds_up_to_four(tmp_path) -> None:
    """A-BLK-M (the only style, so the bestseller) sold 1 at D01 and at S1 in the 3 months each
    had it (1/3 a month each) and 1 at S2 in its 2 (1/2). North's demand is 7/6 a month, over
    3 months 3.5; nothing on hand in 09: 3.5 units, half up: 4 (not 3.499999998 -> 3)."""
    products = """sku,style,colour,size,category,launch_month,price,is_core_size
A-BLK-M,A,BLK,M,brief,2025-01,10,true
"""
    counts = {"D01": (5, 5, 5, 0), "D01-S1": (5, 5, 5, 0), "D01-S2": (5, 5, 0, 0)}
    stock = "month,location_id,sku,on_hand\n" + "".join(
        f"2026-{m},{loc},A-BLK-M,{n}\n"
        for loc, ns in counts.items()
        for m, n in zip(("06", "07", "08", "09"), ns, strict=True)
    )
    sales = (
        "month,location_id,sku,units_sold\n"
        "2026-07,D01,A-BLK-M,1\n2026-08,D01-S1,A-BLK-M,1\n2026-07,D01-S2,A-BLK-M,1\n"
    )
    rows = _run(tmp_path, products, stock, sales, "order-plan")
    got = [
        (r["region"], r["style"], r["size"], r["units"], float(r["demand_units"]))
        + (r["on_hand_units"], r["left_out_location_ids"])
        for r in rows
    ]
    # S3 was never counted: left out of the plan
    assert got == [("North", "A", "M", "4", 3.5, "0", "D01-S3")]


def test_a_bestseller_launched_after_m_is_not_required(tmp_path) -> None:
    """A (launched 2026-10, after M = 2026-09) sold 2 in 08: the only style that sold, so the
    bestseller (4.2). It is not required (4.3): D01 is not asked to stock it. B (launched
    2025-01, 5 on hand, nothing sold) is cleared. The factory order plan covers the
    bestsellers (6.6), A included: D01 (no count before 09: available in 08 by its sales
    alone) sells 2 a month, 3 months of it is 6, none on hand; S1-S3 were never counted."""
    products = """sku,style,colour,size,category,launch_month,price,is_core_size
A-BLK-M,A,BLK,M,brief,2026-10,10,true
B-BLK-M,B,BLK,M,brief,2025-01,10,true
"""
    stock = "month,location_id,sku,on_hand\n2026-09,D01,B-BLK-M,5\n"
    sales = "month,location_id,sku,units_sold\n2026-08,D01,A-BLK-M,2\n"
    rows = _run(tmp_path, products, stock, sales, "actions")
    assert [(r["location_id"], r["action"], r["style"], r["units"]) for r in rows] == [
        ("D01", "clearance", "B", "5")
    ]
    settings = Settings(db_path=tmp_path / "data" / "assortment.duckdb")
    with store.reader(settings) as con:
        export(con, "order-plan", "2026-09", tmp_path / "plan.csv")
        export(con, "bestsellers", "2026-09", tmp_path / "best.csv")
    with (tmp_path / "plan.csv").open(encoding="utf-8") as fh:
        plan = [
            (r["region"], r["style"], r["size"], r["units"], float(r["demand_units"]))
            + (r["on_hand_units"], r["left_out_location_ids"])
            for r in csv.DictReader(fh)
        ]
    assert plan == [("North", "A", "M", "6", 6.0, "0", "D01-S1;D01-S2;D01-S3")]
    with (tmp_path / "best.csv").open(encoding="utf-8") as fh:
        assert [r["style"] for r in csv.DictReader(fh)] == ["A"]  # still the bestseller (4.2)
