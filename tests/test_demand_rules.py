"""Clauses of domain.md 6, 8 and 9 checked end to end (files -> store -> job -> export) on
networks small enough to compute by hand, where the unit tests' frames cannot show a
deviation: tie-breaks on location codes (the job runs on integer keys numbered in file
order), the exports' columns and empty results.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from assortment import store
from assortment.config import Settings
from assortment.export import export
from tests.files import Table, build, exported

# --- 6.3 ties are broken on location codes, whatever order the locations file lists them in --

TIES_PRODUCTS = """sku,style,colour,size,category,launch_month,price,is_core_size
A-BK-75B,A,BK,75B,bra,2024-01,100,true
O-BK-75B,O,BK,75B,bra,2024-01,10,true
"""

# the stores are listed against their codes' order: their integer keys are too
TIES_LOCATIONS = """location_id,name,kind,distributor_id,region,province,city,rep,min_styles
D01,North D,distributor,,North,HB,SJZ,Wang,1
S003,North 3,store,D01,North,HB,SJZ,Wang,1
S002,North 2,store,D01,North,HB,SJZ,Wang,1
S001,North 1,store,D01,North,HB,SJZ,Wang,1
D02,South D,distributor,,South,GD,GZ,Li,1
U3,South 3,store,D02,South,GD,GZ,Li,1
U2,South 2,store,D02,South,GD,GZ,Li,1
U1,South 1,store,D02,South,GD,GZ,Li,1
"""

TIES_STOCK: Table = {
    "2026-08": {"D01": {"A-BK-75B": 33}},
    "2026-09": {
        "D01": {"A-BK-75B": 33},
        "S003": {"A-BK-75B": 1},
        "U2": {"A-BK-75B": 3},
        "U3": {"A-BK-75B": 3},
    },
    "2026-10": {
        "D01": {"A-BK-75B": 33},
        "S001": {"O-BK-75B": 1},
        "S002": {"O-BK-75B": 1},
        "S003": {"A-BK-75B": 1},
        "D02": {"O-BK-75B": 1},
        "U1": {"O-BK-75B": 1},
        "U2": {"A-BK-75B": 3},
        "U3": {"A-BK-75B": 3},
    },
}
TIES_SALES: Table = {"2026-10": {"S003": {"A-BK-75B": 3}}}


@pytest.fixture(scope="module")
def ties_store(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    tmp = tmp_path_factory.mktemp("ties")
    return build(tmp, TIES_PRODUCTS, TIES_LOCATIONS, TIES_STOCK, TIES_SALES)


def test_transfer_ties_follow_location_codes_not_file_order(
    ties_store: Settings, tmp_path: Path
) -> None:
    """6.3 by hand (M = 2026-10, W = 08..10). A sold 3 at S003 only: the bestseller.

    North: S003 had A on the shelf in October only (count of 09) and sold 3: ros 3. S001 and
    S002 never had A: their North store peer's 3; target ceil(3 x 2) = 6 each. D01 had A in
    09 and 10 and sold none: its demand is 0 + 3 + 3 + 3 = 9, it keeps ceil(9 x 3) = 27 of 33
    and spares 6. S003 holds 1 and keeps 6: nothing to spare. The two receivers compete for
    D01's 6: S001 (first by code) takes them, S002 is replenished from the brand.

    South: U2 and U3 hold 3 each, sold none (ros 0): each keeps display_min 1 and spares 2.
    U1 never had A: the South stores' mean 0, target display_min 1. U2 and U3 tie on 2
    spare: the lower code, U2, gives. D02 (counted, no A) is replenished: its demand is
    0 (no distributor had A available anywhere but D01, whose ros is 0) + 0 + 0 + 0; target
    display_min 2.
    """
    rows = exported(ties_store, "actions", "2026-10", tmp_path)
    got = [
        (r["location_id"], r["action"], r["sku"], r["units"], r["source_location_id"])
        for r in rows
        if r["action"] != "clearance"
    ]
    assert got == [
        ("D02", "replenish", "A-BK-75B", "2", ""),
        ("S001", "transfer", "A-BK-75B", "6", "D01"),
        ("S002", "replenish", "A-BK-75B", "6", ""),
        ("U1", "transfer", "A-BK-75B", "1", "U2"),
    ]


# --- 6.2 required SKUs: core colours, or every colour only when the style sold nothing ----------

COLOURS_PRODUCTS = (
    "sku,style,colour,size,category,launch_month,price,is_core_size\n"
    + "".join(f"F-C{i}-75B,F,C{i},75B,bra,2024-01,100,true\n" for i in range(1, 6))
    + (
        "Q-BK-75B,Q,BK,75B,bra,2026-09,80,true\n"
        "Q-WH-75B,Q,WH,75B,bra,2026-09,80,true\n"
        "O-BK-75B,O,BK,75B,bra,2024-01,10,true\n"
    )
)
COLOURS_LOCATIONS = """location_id,name,kind,distributor_id,region,province,city,rep,min_styles
D01,North D,distributor,,North,HB,SJZ,Wang,1
S001,North 1,store,D01,North,HB,SJZ,Wang,1
S002,North 2,store,D01,North,HB,SJZ,Wang,1
"""
COLOURS_STOCK: Table = {
    "2026-10": {
        "D01": {"O-BK-75B": 1},
        "S001": {"O-BK-75B": 1},
        "S002": {**{f"F-C{i}-75B": 1 for i in range(1, 6)}, "O-BK-75B": 20},
    }
}
COLOURS_SALES: Table = {
    "2026-10": {"S002": {**{f"F-C{i}-75B": 1 for i in range(1, 6)}, "O-BK-75B": 3}}
}


@pytest.fixture(scope="module")
def colours_store(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    tmp = tmp_path_factory.mktemp("colours")
    return build(tmp, COLOURS_PRODUCTS, COLOURS_LOCATIONS, COLOURS_STOCK, COLOURS_SALES)


def test_required_skus_are_the_core_colours_or_every_colour_of_a_style_that_sold_nothing(
    colours_store: Settings, tmp_path: Path
) -> None:
    """6.2 by hand. F, the bestseller (5 of the 8 units sold in W; O sold 3), sold 1 in each
    of its 5 colours: each colour has 20% of
    its units, below core_colour_share (0.25), so F has no core colour, and as F sold in W
    the rule asks for "the core sizes of its core colours": nothing, at S001 or D01 where F is
    not in stock. Q (new, launched 2026-09) sold nothing in W: the core sizes of all its
    colours, BK and WH, everywhere; nobody ever had Q, so its rate is 0 and the targets are
    display_min: 2 at D01, 1 at a store, all from the brand (no one holds Q).
    """
    rows = exported(colours_store, "actions", "2026-10", tmp_path)
    got = [
        (r["location_id"], r["action"], r["sku"], r["units"], r["reason_code"])
        for r in rows
        if r["action"] != "clearance"
    ]
    assert got == [
        ("D01", "replenish", "Q-BK-75B", "2", "new_style_not_in_stock"),
        ("D01", "replenish", "Q-WH-75B", "2", "new_style_not_in_stock"),
        ("S001", "replenish", "Q-BK-75B", "1", "new_style_not_in_stock"),
        ("S001", "replenish", "Q-WH-75B", "1", "new_style_not_in_stock"),
        ("S002", "replenish", "Q-BK-75B", "1", "new_style_not_in_stock"),
        ("S002", "replenish", "Q-WH-75B", "1", "new_style_not_in_stock"),
    ]


def test_clearance_carries_value_and_months_of_cover_in_the_export(
    colours_store: Settings, tmp_path: Path
) -> None:
    """6.4 by hand (L = 3). O is old and slow-moving wherever it is held. S002 holds 20 and
    sold 3 over W (sell-through 3 / 23 = 0.13 < 0.15): value 20 x 10 = 200, months of cover
    20 / (3 / 3) = 20. D01 and S001 hold 1 each and sold none: value 10, cover empty.
    """
    rows = exported(colours_store, "actions", "2026-10", tmp_path)
    assert list(rows[0])[-1] == "months_of_cover"
    got = [
        (r["location_id"], r["style"], r["units"], float(r["value_cny"]), r["months_of_cover"])
        for r in rows
        if r["action"] == "clearance"
    ]
    assert got == [
        ("D01", "O", "1", 10.0, ""),
        ("S001", "O", "1", 10.0, ""),
        ("S002", "O", "20", 200.0, "20.0"),
    ]


def test_an_empty_result_is_a_header_only_csv(ties_store: Settings, tmp_path: Path) -> None:
    """The ties network's order plan is empty (6.6: North wants (0 + 3 + 3 + 3) x 3 = 27 of A
    and holds 34; South wants 0 and holds 6), and nothing is stuck (9: the only style held
    at a distributor, A, is the bestseller): each export is its header line alone."""
    headers = {
        "order-plan": "month,region,style,size,units,demand_units,on_hand_units,"
        "carried_location_ids,left_out_location_ids",
        "stuck": "month,distributor_id,style,held_units,stores,stores_with_style,reach,"
        "elsewhere_sell_through,lacking_location_ids,units,value_at_stake_cny",
    }
    for kind, header in headers.items():
        out = tmp_path / f"{kind}.csv"
        with store.reader(ties_store) as con:
            assert export(con, kind, "2026-10", out) == 0
        assert out.read_text(encoding="utf-8") == header + "\n"


# --- 7 every threshold's default, as domain.md gives it ----------------------------------------


def test_every_default_of_the_rules_file_is_domain_md_s() -> None:
    from assortment.config import Rules

    rules = Rules.from_toml(None)
    network = {
        "lookback_months": 3,
        "new_months": 6,
        "bestseller_share": 0.5,
        "bestseller_max_styles": 20,
        "slow_sell_through": 0.15,
        "core_size_share": 0.8,
        "broken_size_min_core_share": 1.0,
        "core_colour_share": 0.25,
        "cover_months": 3,
        "carry_forward_months": 2,
        "count_drop_share": 0.5,
        "max_unpacked_mb": 200,
        "clearance_done_share": 0.5,
        "stuck_min_units": 6,
        "min_store_reach": 0.5,
        "proven_sell_through": 0.3,
    }
    assert {name: getattr(rules, name) for name in network} == network
    per_kind = {
        "distributor": (40, 1.0, 1.0, 0.25, 0.4, 2, 3),
        "store": (20, 0.8, 0.8, 0.25, 0.4, 1, 2),
    }
    names = (
        "min_styles",
        "min_bestseller_coverage",
        "min_new_coverage",
        "max_broken_size_share",
        "max_slow_stock_share",
        "display_min",
        "replenish_cover_months",
    )
    for kind, values in per_kind.items():
        assert tuple(getattr(rules.for_kind(kind), n) for n in names) == values


# --- 6.6 carry-forward at the limit and one month beyond it --------------------------------------

CARRY_PRODUCTS = """sku,style,colour,size,category,launch_month,price,is_core_size
A-BK-75B,A,BK,75B,bra,2024-01,100,true
"""
CARRY_LOCATIONS = """location_id,name,kind,distributor_id,region,province,city,rep,min_styles
D01,North D,distributor,,North,HB,SJZ,Wang,1
S1,North 1,store,D01,North,HB,SJZ,Wang,1
S2,North 2,store,D01,North,HB,SJZ,Wang,1
S3,North 3,store,D01,North,HB,SJZ,Wang,1
"""
CARRY_STOCK: Table = {
    "2026-07": {"S3": {"A-BK-75B": 9}},
    "2026-08": {"S2": {"A-BK-75B": 4}},
    "2026-10": {"D01": {"A-BK-75B": 0}, "S1": {"A-BK-75B": 1}},
}
CARRY_SALES: Table = {"2026-10": {"S1": {"A-BK-75B": 2}}}


def test_order_plan_carries_a_count_exactly_carry_forward_months_old_and_leaves_out_older(
    tmp_path: Path,
) -> None:
    """6.6 by hand (M = 2026-10, carry_forward_months 2). A, the only style sold, is the
    bestseller. S2's latest count is 08 (2 months old): carried, with its 4 on hand; S3's is
    07 (3 months old): left out, its 9 on hand and its rate ignored. Rates (6.1): S1 sold 2 in
    October, its one available month: 2; S2 had A at the end of 08 and sold none in 09: 0;
    D01 never had A on the shelf and no distributor did: 0. North wants (0 + 2 + 0) x 3 = 6
    and holds 0 + 1 + 4 = 5: 1 unit of 75B (the only size)."""
    settings = build(tmp_path, CARRY_PRODUCTS, CARRY_LOCATIONS, CARRY_STOCK, CARRY_SALES)
    rows = exported(settings, "order-plan", "2026-10", tmp_path)
    got = [
        (r["region"], r["style"], r["size"], r["units"], float(r["demand_units"]))
        + (r["on_hand_units"], r["carried_location_ids"], r["left_out_location_ids"])
        for r in rows
    ]
    assert got == [("North", "A", "75B", "1", 6.0, "5", "S2", "S3")]
