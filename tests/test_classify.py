"""Classification rules of domain.md section 4, each on a frame small enough to check by hand."""

from __future__ import annotations

from datetime import date

import polars as pl
from polars.testing import assert_frame_equal

from assortment.classify import (
    category_size_curve,
    find_bestsellers,
    find_core_colours,
    find_core_skus,
    find_new_styles,
    style_net_units,
)
from assortment.config import Rules
from assortment.demand import DemandInputs
from tests.reference_rules import Network, location, run_job, style_skus

M = date(2026, 10, 1)
RULES = Rules()


def net_units(**units: int) -> pl.LazyFrame:
    return pl.LazyFrame(
        {"style": list(units), "net_units": list(units.values())},
        schema={"style": pl.String, "net_units": pl.Int64},
    )


def bestseller_styles(units: pl.LazyFrame, *, share: float = 0.5, max_styles: int = 20) -> list:
    return find_bestsellers(units, share=share, max_styles=max_styles).collect()["style"].to_list()


# --- 4.2 bestsellers -----------------------------------------------------------------------


def test_bestsellers_stop_when_cumulative_share_is_exactly_the_target() -> None:
    # A alone is 5 of 10 units = exactly 0.5: the prefix is complete.
    got = find_bestsellers(net_units(A=5, B=3, C=2), share=0.5, max_styles=20).collect()
    want = pl.DataFrame(
        {"rank": [1], "style": ["A"], "net_units": [5], "cumulative_share": [0.5]},
        schema={
            "rank": pl.Int32,
            "style": pl.String,
            "net_units": pl.Int64,
            "cumulative_share": pl.Float64,
        },
    )
    assert_frame_equal(got, want)


def test_bestsellers_take_the_style_that_crosses_the_target() -> None:
    # A = 0.4 < 0.5, A + B = 0.7 >= 0.5
    assert bestseller_styles(net_units(A=4, B=3, C=3)) == ["A", "B"]


def test_bestsellers_are_cut_to_max_styles() -> None:
    # six styles of 1 unit each: the prefix reaching 0.5 has 3 styles, cut to 2
    units = net_units(A=1, B=1, C=1, D=1, E=1, F=1)
    assert bestseller_styles(units) == ["A", "B", "C"]
    assert bestseller_styles(units, max_styles=2) == ["A", "B"]


def test_bestseller_tie_on_units_is_broken_by_style_code() -> None:
    # C = 0.4; then A and B tie on 3 units: A comes first and reaches 0.7
    assert bestseller_styles(net_units(B=3, C=4, A=3)) == ["C", "A"]


def test_bestsellers_count_all_units_but_rank_only_styles_that_sold() -> None:
    assert bestseller_styles(net_units(A=0, B=0)) == []
    assert bestseller_styles(net_units(A=2, B=0), share=1.0) == ["A"]


def test_net_units_sum_skus_by_style_and_keep_unsold_styles() -> None:
    products = pl.LazyFrame({"sku": ["a1", "a2", "b1"], "style": ["A", "A", "B"]})
    sold = pl.LazyFrame({"sku": ["a1", "a2"], "units_sold": [2, 3]})
    got = style_net_units(sold, products).sort("style").collect()
    assert_frame_equal(got, pl.DataFrame({"style": ["A", "B"], "net_units": [5, 0]}))


def test_closed_location_sales_count_for_bestsellers() -> None:
    # X is closed: it is not checked, but its 10 units of B make B the bestseller.
    net = Network(
        month=M,
        products=style_skus("A") + style_skus("B"),
        locations=[location("D1", "distributor"), location("X", status="closed")],
        stock={"D1": {"A-BK-70A": 1}, "X": {"B-BK-70A": 1}},
        sales_w={"D1": {"A-BK-70A": 2}, "X": {"B-BK-70A": 10}},
    )
    got = run_job(net, RULES)
    assert got.bestsellers["style"].to_list() == ["B"]
    assert got.compliance["location_id"].to_list() == ["D1"]
    assert set(got.style_health["location_id"]) == {"D1"}


# --- 4.3 new styles ------------------------------------------------------------------------


def test_new_styles_are_the_six_months_ending_with_m() -> None:
    launches = {
        "M-6": date(2026, 4, 1),
        "M-5": date(2026, 5, 1),
        "M": date(2026, 10, 1),
        "M+1": date(2026, 11, 1),
    }
    products = pl.LazyFrame({"style": list(launches), "launch_month": list(launches.values())})
    got = find_new_styles(products, month=M, new_months=6).collect()
    want = pl.DataFrame(
        {"style": ["M", "M-5"], "launch_month": [date(2026, 10, 1), date(2026, 5, 1)]}
    )
    assert_frame_equal(got, want)


def test_new_styles_count_months_across_a_year_end() -> None:
    products = pl.LazyFrame(
        {"style": ["A", "B"], "launch_month": [date(2025, 8, 1), date(2025, 9, 1)]}
    )
    got = find_new_styles(products, month=date(2026, 2, 1), new_months=6).collect()
    assert got["style"].to_list() == ["B"]


def test_style_launched_after_m_is_neither_new_nor_required() -> None:
    net = Network(
        month=M,
        products=style_skus("A") + style_skus("FUTURE", launch=date(2026, 11, 1)),
        locations=[location("D1", "distributor")],
        stock={"D1": {"A-BK-70A": 1}},
    )
    got = run_job(net, RULES)
    assert got.new_styles.height == 0
    assert got.style_health["style"].to_list() == ["A"]
    assert got.actions.filter(pl.col("style") == "FUTURE").height == 0


# --- 4.5 size curve and core sizes -----------------------------------------------------------


def curve(units_by_size: dict[str, int], *, share: float = 0.8) -> pl.DataFrame:
    sizes = list(units_by_size)
    products = pl.LazyFrame({"sku": sizes, "category": ["bra"] * len(sizes), "size": sizes})
    sold = pl.LazyFrame({"sku": sizes, "units_sold": list(units_by_size.values())})
    return category_size_curve(products, sold, core_share=share).collect()


def test_size_curve_core_is_shortest_prefix_reaching_the_share() -> None:
    got = curve({"70A": 10, "75B": 50, "80B": 30, "85C": 10})
    want = pl.DataFrame(
        {
            "category": ["bra"] * 4,
            "size": ["75B", "80B", "70A", "85C"],
            "units": [50, 30, 10, 10],
            "share": [0.5, 0.3, 0.1, 0.1],
            "is_core": [True, True, False, False],  # 0.5 + 0.3 reaches exactly 0.8
        }
    )
    assert_frame_equal(got, want)


def test_size_curve_tie_on_units_is_broken_by_size() -> None:
    # 70A = 0.4, then 75B and 80B tie on 3: 75B comes first and reaches exactly 0.7.
    got = curve({"80B": 3, "75B": 3, "70A": 4}, share=0.7)
    assert got["size"].to_list() == ["70A", "75B", "80B"]
    assert got["is_core"].to_list() == [True, True, False]


def test_size_curve_without_sales_makes_every_size_core() -> None:
    got = curve({"70A": 0, "75B": 0})
    assert got["is_core"].to_list() == [True, True]
    assert got["share"].to_list() == [0.0, 0.0]


def test_size_curve_is_per_category_over_all_its_skus() -> None:
    products = pl.LazyFrame(
        {
            "sku": ["a70", "a75", "b70", "b75", "s", "m"],
            "category": ["bra", "bra", "bra", "bra", "brief", "brief"],
            "size": ["70A", "75B", "70A", "75B", "S", "M"],
        }
    )
    sold = pl.LazyFrame({"sku": ["a70", "b70", "b75", "m"], "units_sold": [4, 4, 2, 1]})
    got = category_size_curve(products, sold, core_share=0.8).collect()
    want = pl.DataFrame(
        {
            "category": ["bra", "bra", "brief", "brief"],
            "size": ["70A", "75B", "M", "S"],
            "units": [8, 2, 1, 0],
            "share": [0.8, 0.2, 1.0, 0.0],
            "is_core": [True, False, True, False],
        }
    )
    assert_frame_equal(got, want)


def core_of(products: list[dict], *, with_column: bool = True, units: dict | None = None) -> set:
    frame = pl.DataFrame(products).drop("launch_month", "price")
    if not with_column:
        frame = frame.drop("is_core_size")
    else:
        frame = frame.with_columns(pl.col("is_core_size").cast(pl.Boolean))
    units = units or {}
    sold = pl.LazyFrame(
        {"sku": list(units), "units_sold": list(units.values())},
        schema={"sku": pl.String, "units_sold": pl.Int64},
    )
    size_curve = category_size_curve(frame.lazy(), sold, core_share=0.8)
    got = find_core_skus(frame.lazy(), size_curve).collect()
    return set(zip(got["sku"], got["source"], strict=True))


def test_core_sizes_come_from_the_products_file_where_it_says() -> None:
    skus = style_skus("A", sizes="70A 75B 80B", core={"70A": True, "75B": True, "80B": None})
    assert core_of(skus) == {("A-BK-70A", "products"), ("A-BK-75B", "products")}


def test_core_sizes_fall_back_to_the_curve_when_the_column_is_absent() -> None:
    skus = style_skus("A", sizes="70A 75B 80B")
    units = {"A-BK-70A": 9, "A-BK-75B": 1}  # 70A alone is 0.9 >= 0.8
    assert core_of(skus, with_column=False, units=units) == {("A-BK-70A", "curve")}


def test_core_sizes_fall_back_to_the_curve_for_a_style_with_only_nulls() -> None:
    said = style_skus("A", sizes="70A 75B", core={"70A": False, "75B": True})
    silent = style_skus("B", sizes="70A 75B")  # same category, all null
    units = {"A-BK-70A": 9, "A-BK-75B": 1}
    assert core_of(said + silent, units=units) == {("A-BK-75B", "products"), ("B-BK-70A", "curve")}


def test_core_sizes_are_every_size_when_the_category_never_sold() -> None:
    skus = style_skus("A", sizes="70A 75B")
    assert core_of(skus) == {("A-BK-70A", "curve"), ("A-BK-75B", "curve")}


# --- 4.6 core colours --------------------------------------------------------------------------


def test_core_colours_carry_at_least_the_share_of_the_style_units() -> None:
    products = pl.LazyFrame(
        {
            "sku": ["a-bk", "a-wh", "a-rd", "b-bk"],
            "style": ["A", "A", "A", "B"],
            "colour": ["BK", "WH", "RD", "BK"],
        }
    )
    # A: BK 6, WH 2 (exactly 0.25), RD 0; B never sold: no core colours
    sold = pl.LazyFrame({"sku": ["a-bk", "a-wh"], "units_sold": [6, 2]})
    got = find_core_colours(products, sold, share=0.25).collect()
    assert_frame_equal(got, pl.DataFrame({"style": ["A", "A"], "colour": ["BK", "WH"]}))


# --- 4.1 and 4.4: pairs and segments -------------------------------------------------------------


def one_location(products: list[dict], stock: dict, sales: dict, **kw) -> Network:
    return Network(
        month=M,
        products=products,
        locations=[location("D1", "distributor")],
        stock={"D1": stock},
        sales_w={"D1": sales},
        **kw,
    )


def health(net: Network, rules: Rules = RULES) -> pl.DataFrame:
    return run_job(net, rules).style_health


def test_pairs_are_styles_in_stock_sold_or_required() -> None:
    products = (
        style_skus("BEST")
        + style_skus("NEW", launch=date(2026, 9, 1))
        + style_skus("STOCKED")
        + style_skus("SOLD")
        + style_skus("ZERO")
        + style_skus("NOTHING")
    )
    net = one_location(
        products,
        stock={"STOCKED-BK-70A": 2, "ZERO-BK-70A": 0},
        sales={"BEST-BK-70A": 10, "SOLD-BK-75B": 1},
    )
    got = health(net).select("style", "segment", "on_hand", "units_sold", "sell_through")
    want = pl.DataFrame(
        {
            "style": ["BEST", "NEW", "SOLD", "STOCKED"],
            "segment": ["bestseller", "new", "steady", "slow_moving"],
            "on_hand": [0, 0, 0, 2],
            "units_sold": [10, 0, 1, 0],
            "sell_through": [1.0, None, 1.0, 0.0],
        }
    )
    assert_frame_equal(got, want)


def test_sell_through_exactly_at_threshold_is_not_slow() -> None:
    products = (
        style_skus("EXACT", sizes="70A")
        + style_skus("BELOW", sizes="70A")
        + style_skus("TOP", sizes="70A")
    )
    net = one_location(
        products,
        stock={"EXACT-BK-70A": 17, "BELOW-BK-70A": 18, "TOP-BK-70A": 1},
        sales={"EXACT-BK-70A": 3, "BELOW-BK-70A": 3, "TOP-BK-70A": 50},
    )
    got = health(net).filter(pl.col("style") != "TOP").select("style", "segment", "sell_through")
    want = pl.DataFrame(
        {
            "style": ["BELOW", "EXACT"],
            "segment": ["slow_moving", "steady"],
            "sell_through": [3 / 21, 0.15],
        }
    )
    assert_frame_equal(got, want)


def test_segment_order_bestseller_then_new_then_slow() -> None:
    # NEWBEST is new and a bestseller; NEWSLOW is new with a slow sell-through.
    products = (
        style_skus("NEWBEST", launch=date(2026, 10, 1))
        + style_skus("NEWSLOW", launch=date(2026, 10, 1))
        + style_skus("OLD")
    )
    net = one_location(
        products,
        stock={"NEWBEST-BK-70A": 1, "NEWSLOW-BK-70A": 20, "OLD-BK-70A": 20},
        sales={"NEWBEST-BK-70A": 30},
    )
    got = health(net).select("style", "segment", "is_bestseller", "is_new")
    want = pl.DataFrame(
        {
            "style": ["NEWBEST", "NEWSLOW", "OLD"],
            "segment": ["bestseller", "new", "slow_moving"],
            "is_bestseller": [True, False, False],
            "is_new": [True, True, False],
        }
    )
    assert_frame_equal(got, want)


def test_location_without_count_or_closed_is_not_classified() -> None:
    net = Network(
        month=M,
        products=style_skus("A"),
        locations=[
            location("D1", "distributor"),
            location("T1"),
            location("T2", status="closed"),
            location("T3"),
        ],
        stock={"D1": {"A-BK-70A": 0}, "T2": {"A-BK-70A": 3}, "T3": {}},
        sales_w={"T1": {"A-BK-70A": 1}},
    )
    got = health(net).select("location_id", "style", "segment", "on_hand")
    # Only D1 is counted (a row of 0 counts); T1's sale makes A a bestseller, required at D1.
    assert got.rows() == [("D1", "A", "bestseller", 0)]


# --- 4.5 broken size, 4.6 broken colour -------------------------------------------------------


def test_broken_size_lists_missing_core_skus_by_colour_then_size() -> None:
    products = style_skus("A", "WH BK", "70A 75B 80B", core={"70A": True, "75B": True, "80B": True})
    net = one_location(
        products,
        # WH and BK both in stock; each lacks core sizes. 80B is out everywhere.
        stock={"A-WH-70A": 1, "A-BK-75B": 2, "A-WH-75B": 0},
        sales={},
    )
    got = health(net).select("style", "broken_size", "missing_core_skus")
    want = pl.DataFrame(
        {
            "style": ["A"],
            "broken_size": [True],
            "missing_core_skus": [["A-BK-70A", "A-BK-80B", "A-WH-75B", "A-WH-80B"]],
        }
    )
    assert_frame_equal(got, want)


def test_colour_out_of_stock_or_complete_is_not_broken_size() -> None:
    products = style_skus("A", "BK WH", "70A 75B", core={"70A": True, "75B": True, "80B": False})
    net = one_location(products, stock={"A-BK-70A": 1, "A-BK-75B": 1}, sales={})
    got = health(net).select("broken_size", "missing_core_skus")
    assert got.row(0) == (False, [])


def test_broken_size_min_core_share_below_one() -> None:
    rules = Rules(broken_size_min_core_share=0.5)
    products = style_skus("HALF", sizes="70A 75B", core={"70A": True, "75B": True}) + style_skus(
        "THIRD", sizes="70A 75B 80B", core={"70A": True, "75B": True, "80B": True}
    )
    # HALF has 1 of 2 core sizes (0.5: not below); THIRD has 1 of 3 (below 0.5)
    net = one_location(products, stock={"HALF-BK-70A": 1, "THIRD-BK-70A": 1}, sales={})
    got = health(net, rules).select("style", "broken_size", "missing_core_skus")
    want = pl.DataFrame(
        {
            "style": ["HALF", "THIRD"],
            "broken_size": [False, True],
            "missing_core_skus": [[], ["THIRD-BK-75B", "THIRD-BK-80B"]],
        }
    )
    assert_frame_equal(got, want)


def test_broken_colour_when_a_core_colour_is_out() -> None:
    products = style_skus("A", "BK WH RD", "70A") + style_skus("B", "BK WH", "70A")
    net = Network(
        month=M,
        products=products,
        locations=[location("D1", "distributor"), location("T1")],
        # network units of A: BK 6, WH 3, RD 1 -> core colours BK, WH (RD is 0.1)
        stock={
            "D1": {"A-BK-70A": 1, "A-RD-70A": 1, "B-BK-70A": 1},
            "T1": {"A-BK-70A": 1, "A-WH-70A": 1},
        },
        sales_w={"T1": {"A-BK-70A": 6, "A-WH-70A": 3, "A-RD-70A": 1}},
    )
    got = run_job(net, RULES).style_health.select("location_id", "style", "broken_colour")
    want = pl.DataFrame(
        {
            "location_id": ["D1", "D1", "T1"],
            "style": ["A", "B", "A"],
            # D1 lacks WH of A; B never sold so has no core colours; T1 has BK and WH
            "broken_colour": [True, False, False],
        }
    )
    assert_frame_equal(got, want)


def test_style_health_schema() -> None:
    net = one_location(style_skus("A"), stock={"A-BK-70A": 1}, sales={})
    assert health(net).schema == pl.Schema(
        {
            "location_id": pl.String,
            "style": pl.String,
            "segment": pl.String,
            "is_bestseller": pl.Boolean,
            "is_new": pl.Boolean,
            "on_hand": pl.Int64,
            "units_sold": pl.Int64,
            "sell_through": pl.Float64,
            "broken_size": pl.Boolean,
            "broken_colour": pl.Boolean,
            "missing_core_skus": pl.List(pl.String),
        }
    )


def test_integer_keys_work_like_strings() -> None:
    from assortment.classify import NetworkInputs, PartitionInputs, network_facts
    from assortment.pipeline import classify_partition

    products = pl.LazyFrame(
        {
            "sku": pl.Series([11, 12], dtype=pl.Int32),
            "style": ["A", "A"],
            "colour": ["BK", "BK"],
            "size": ["70A", "75B"],
            "category": ["bra", "bra"],
            "launch_month": [date(2024, 1, 1)] * 2,
            "price": [100.0, 100.0],
            "is_core_size": pl.Series([None, None], dtype=pl.Boolean),
        }
    )
    loc = pl.LazyFrame(
        {
            "location_id": pl.Series([1, 2], dtype=pl.Int32),
            "kind": ["distributor", "store"],
            "distributor_id": pl.Series([None, 1], dtype=pl.Int32),
            "region": ["n", "n"],
            "rep": ["w", "w"],
            "min_styles": pl.Series([None, None], dtype=pl.Int32),
            "status": ["active", "active"],
        }
    )
    i32 = {"location_id": pl.Int32, "sku": pl.Int32}
    stock = pl.LazyFrame(
        {"location_id": [1, 1, 2], "sku": [11, 12, 11], "on_hand": [3, 2, 1]}, schema_overrides=i32
    )
    sales = pl.LazyFrame({"location_id": [2], "sku": [11], "units_sold": [1]}, schema_overrides=i32)
    history = pl.LazyFrame(
        {"location_id": [], "month": [], "active_styles": []},
        schema={"location_id": pl.Int32, "month": pl.Date, "active_styles": pl.Int64},
    )
    facts = network_facts(
        NetworkInputs(products, sales.drop("location_id"), sales.drop("location_id")),
        month=M,
        rules=RULES,
    )
    by_month = sales.with_columns(pl.lit(M).alias("month"))
    rates = DemandInputs(stock.with_columns(pl.lit(M).alias("month")).clear(), by_month, loc)
    res = classify_partition(
        facts, PartitionInputs(loc, stock, sales, history), products, rates, month=M, rules=RULES
    )
    sh, comp, act = pl.collect_all([res.style_health, res.compliance, res.actions])
    assert sh["missing_core_skus"].dtype == pl.List(pl.Int32)
    # the curve sold only 70A, so 70A alone is core and both locations hold it
    assert sh.select("location_id", "broken_size").rows() == [(1, False), (2, False)]
    assert comp["location_id"].to_list() == [1, 2]
    assert act.schema["source_location_id"] == pl.Int32
