"""Every product gets its chance (domain.md 9): reach, held, elsewhere sell-through, stuck pairs.

One tiny network, M = 2026-10, W = 2026-08..10 (L = 3). Every style has one colour BK and two
core sizes 75B, 80B (so n = 2); prices are 100 except T (50).

    D1 (distributor)   holds X 10, H 10, P 10, T 6, B 10, N 10, C 10, U 10
      S11  had X in 08 (sold 1, none left in M); had H in 09
      S12  has H in M
      S13, S14  counted in M, nothing of these styles
      S15  closed: has X in M (must not count for D1)
    D2                 holds nothing
      S21  X: sold 3, holds 2   H: sold 5, holds 1   T: sold 3, holds 7 (sell-through 0.3)
           B, N: sold 10, hold 1   C: sold 1, holds 9
      S22  X: sold 3, holds 1   U: sold 1, holds 9
      S23  closed: had C in 08 and sold 50 of it (would prove C if it counted)
    D3                 holds X 10
      S31  not counted in M: had U in 08 and sold 50 (would prove U if it counted)
    D4                 no stores at all, holds nothing
    (S31 is active: it lacks X in M although it was not counted, domain.md 9's `lacking`)

Bestsellers and new styles: B, N.
"""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from assortment.stuck import (
    STUCK_COLUMNS,
    counted_active_stores,
    distribute_actions,
    group_chances,
    required_sku_counts,
    shown_stores,
    store_style_chances,
    stuck_at_distributor,
    style_figures,
    styles_had,
)

AUG, SEP, OCT = date(2026, 8, 1), date(2026, 9, 1), date(2026, 10, 1)
STYLES = ("X", "H", "P", "T", "B", "N", "C", "U")
THRESHOLDS = {"stuck_min_units": 6, "min_store_reach": 0.5, "proven_sell_through": 0.3}

LOCATIONS = [
    # location_id, kind, distributor_id, region, status
    ("D1", "distributor", None, "East", "active"),
    ("S11", "store", "D1", "East", "active"),
    ("S12", "store", "D1", "East", "active"),
    ("S13", "store", "D1", "East", None),
    ("S14", "store", "D1", "East", "active"),
    ("S15", "store", "D1", "East", "closed"),
    ("D2", "distributor", None, "West", "active"),
    ("S21", "store", "D2", "West", "active"),
    ("S22", "store", "D2", "West", "active"),
    ("S23", "store", "D2", "West", "closed"),
    ("D3", "distributor", None, "North", "active"),
    ("S31", "store", "D3", "North", "active"),
    ("D4", "distributor", None, "South", "active"),
]

STOCK = [
    # location_id, month, sku, on_hand
    ("D1", OCT, "X-75B", 5),
    ("D1", OCT, "X-80B", 5),
    *[("D1", OCT, f"{s}-75B", 10) for s in ("H", "P", "B", "N", "C", "U")],
    ("D1", OCT, "T-75B", 3),
    ("D1", OCT, "T-80B", 3),
    ("S11", AUG, "X-75B", 1),
    ("S11", SEP, "H-75B", 1),
    ("S11", OCT, "X-75B", 0),
    ("S12", OCT, "H-80B", 1),
    ("S13", OCT, "X-75B", 0),
    ("S14", OCT, "X-75B", 0),
    ("S15", OCT, "X-75B", 2),
    ("S21", OCT, "X-75B", 1),
    ("S21", OCT, "X-80B", 1),
    ("S21", OCT, "H-75B", 1),
    ("S21", OCT, "T-75B", 7),
    ("S21", OCT, "B-75B", 1),
    ("S21", OCT, "N-75B", 1),
    ("S21", OCT, "C-75B", 9),
    ("S22", OCT, "X-75B", 1),
    ("S22", OCT, "U-80B", 9),
    ("S23", AUG, "C-75B", 50),
    ("S23", OCT, "C-75B", 0),
    ("D3", OCT, "X-75B", 10),
    ("S31", AUG, "U-75B", 10),
    ("D4", OCT, "X-75B", 0),
]

SALES = [
    # location_id, sku, units_sold over W
    ("S11", "X-75B", 1),
    ("S21", "X-75B", 3),
    ("S21", "H-75B", 5),
    ("S21", "T-75B", 3),
    ("S21", "B-75B", 10),
    ("S21", "N-75B", 10),
    ("S21", "C-75B", 1),
    ("S22", "X-80B", 3),
    ("S22", "U-80B", 1),
    ("S23", "C-75B", 50),
    ("S31", "U-75B", 50),
]


def locations() -> pl.LazyFrame:
    return pl.LazyFrame(
        LOCATIONS,
        schema=["location_id", "kind", "distributor_id", "region", "status"],
        orient="row",
    )


def stock_w() -> pl.LazyFrame:
    return pl.LazyFrame(
        STOCK,
        schema={"location_id": pl.String, "month": pl.Date, "sku": pl.String, "on_hand": pl.Int64},
        orient="row",
    )


def had_w(stock: pl.LazyFrame | None = None) -> pl.LazyFrame:
    """The styles in stock at a month end of W before M (the rule's input)."""
    stock = stock_w() if stock is None else stock
    return styles_had(stock.filter(pl.col("month") < OCT), products())


def stock_m() -> pl.LazyFrame:
    return stock_w().filter(pl.col("month") == OCT).drop("month")


def sales_w() -> pl.LazyFrame:
    return pl.LazyFrame(
        SALES,
        schema={"location_id": pl.String, "sku": pl.String, "units_sold": pl.Int64},
        orient="row",
    )


def figures() -> pl.LazyFrame:
    """On hand in M and units over W per location and style (the job's style-health rows)."""
    return style_figures(stock_m(), sales_w(), products())


def products() -> pl.LazyFrame:
    rows = [
        (f"{s}-{size}", s, "BK", size, 50.0 if s == "T" else 100.0)
        for s in STYLES
        for size in ("75B", "80B")
    ]
    return pl.LazyFrame(rows, schema=["sku", "style", "colour", "size", "price"], orient="row")


def core_skus() -> pl.LazyFrame:
    return products().select("sku", "style", "colour")


def core_colours() -> pl.LazyFrame:
    return pl.LazyFrame({"style": list(STYLES), "colour": ["BK"] * len(STYLES)})


def sold() -> pl.LazyFrame:
    """The styles with units over W in the network (every style of the network but P)."""
    return pl.LazyFrame({"style": [s for s in STYLES if s != "P"]})


def required() -> pl.LazyFrame:
    return pl.LazyFrame({"style": ["B", "N"]})


def stuck(**overrides: float) -> pl.DataFrame:
    return stuck_at_distributor(
        locations(),
        stock_m(),
        had_w(),
        figures(),
        products(),
        required(),
        core_skus(),
        core_colours(),
        sold(),
        lookback_months=3,
        **{**THRESHOLDS, **overrides},  # type: ignore[arg-type]
    ).collect()


def chances() -> pl.DataFrame:
    stores = counted_active_stores(locations(), stock_m())
    per_store = store_style_chances(stores, had_w(), figures())
    return group_chances(
        locations(), stores, per_store, figures(), products(), lookback_months=3
    ).collect()


def row(frame: pl.DataFrame, distributor: str, style: str) -> dict[str, object]:
    found = frame.filter((pl.col("distributor_id") == distributor) & (pl.col("style") == style))
    assert found.height == 1, (distributor, style, found)
    return found.row(0, named=True)


# --- the stuck list ------------------------------------------------------------------------------


def test_stuck_list_by_hand() -> None:
    # X at D1: 1 of 4 counted stores had it in W (S11 in August; closed S15 does not count);
    #   elsewhere S21 + S22 sold 6 and hold 3: 6/9; rate 6 / (3 months * 2 stores) = 1.0 a month;
    #   no D1 store has it in M: 4 lacking x n 2 = 8 < held 10; value 1.0 * 4 * 100 = 400.
    # T at D1: held 6 (exactly stuck_min_units), reach 0, elsewhere S21 3 / (3 + 7) = 0.3;
    #   units min(6, 4 * 2) = 6; rate 3 / 3 = 1.0; value 1.0 * 4 * 50 = 200.
    # X at D3: its only store S31 is active but not counted (stores 0, reach 0); elsewhere
    #   S11, S21, S22 sold 7 and hold 3: 7 / 10; S31 has no X on hand in M, so it lacks X:
    #   units min(10, 1 x 2) = 2; rate 7 / (3 months x 3 stores) = 7/9; value 7/9 x 1 x 100.
    expected = pl.DataFrame(
        [
            ("D1", "X", 10, 4, 1, 0.25, 6 / 9, ["S11", "S12", "S13", "S14"], 8, 400.0),
            ("D1", "T", 6, 4, 0, 0.0, 0.3, ["S11", "S12", "S13", "S14"], 6, 200.0),
            ("D3", "X", 10, 0, 0, 0.0, 0.7, ["S31"], 2, 700 / 9),
        ],
        schema={
            "distributor_id": pl.String,
            "style": pl.String,
            "held_units": pl.Int64,
            "stores": pl.Int64,
            "stores_with_style": pl.Int64,
            "reach": pl.Float64,
            "elsewhere_sell_through": pl.Float64,
            "lacking_location_ids": pl.List(pl.String),
            "units": pl.Int64,
            "value_at_stake_cny": pl.Float64,
        },
        orient="row",
    )
    got = stuck()
    assert tuple(got.columns) == STUCK_COLUMNS
    assert_frame_equal(got, expected)


def test_held_but_proven_nowhere_is_not_stuck() -> None:
    # P: D1 holds 10 and no store anywhere ever had it: nothing proves it sells.
    r = row(chances(), "D1", "P")
    assert (r["reach"], r["elsewhere_stores"], r["elsewhere_sell_through"]) == (0.0, 0, None)
    assert "P" not in stuck()["style"].to_list()


def test_reach_exactly_half_is_not_low() -> None:
    # H: S11 had it in September, S12 has it now: 2 of D1's 4 counted stores = 0.5.
    assert row(chances(), "D1", "H")["reach"] == 0.5
    assert "H" not in stuck()["style"].to_list()
    # the same network with a stricter reach threshold: H is proven (S21 5 / 6) and stuck
    assert "H" in stuck(min_store_reach=0.51)["style"].to_list()


def test_elsewhere_sell_through_exactly_at_threshold_is_proven() -> None:
    # T: 3 sold, 7 on hand at S21 = 0.3; a threshold written 0.1 + 0.2 (0.30000000000000004)
    # is met within the 1e-9 tolerance.
    assert ("D1", "T") in set(
        stuck(proven_sell_through=0.1 + 0.2).select("distributor_id", "style").iter_rows()
    )
    assert "T" not in stuck(proven_sell_through=0.31)["style"].to_list()
    # one unit fewer than stuck_min_units is not enough
    assert "T" not in stuck(stuck_min_units=7)["style"].to_list()


def test_group_without_counted_store_has_reach_zero() -> None:
    got = chances()
    d3 = row(got, "D3", "X")
    assert (d3["stores"], d3["stores_with_style"], d3["reach"]) == (0, 0, 0.0)
    d4 = row(got, "D4", "X")  # no stores at all
    assert (d4["stores"], d4["reach"], d4["held_units"]) == (0, 0.0, 0)
    assert d4["elsewhere_sell_through"] == pytest.approx(0.7)  # S11 1+0, S21 3+2, S22 3+1


def test_a_group_with_no_counted_store_sends_to_all_its_active_stores() -> None:
    # D6 holds 10 of X; its stores S61 and S62 are active but not counted in M, S63 is closed.
    # stores 0, reach 0; elsewhere (S11, S21, S22) 7 / 10 proves X: stuck. lacking names
    # S61 and S62 (no X on hand in M), not S63: units min(10, 2 x 2) = 4;
    # value 7/9 a store-month x 2 x 100. With 5 held (below stuck_min_units) it is not stuck.
    extra_locations = pl.LazyFrame(
        [
            ("D6", "distributor", None, "East", "active"),
            ("S61", "store", "D6", "East", "active"),
            ("S62", "store", "D6", "East", None),
            ("S63", "store", "D6", "East", "closed"),
        ],
        schema=["location_id", "kind", "distributor_id", "region", "status"],
        orient="row",
    )
    locs = pl.concat([locations(), extra_locations])

    def stuck_with(held: int) -> pl.DataFrame:
        m = pl.concat(
            [stock_m(), pl.LazyFrame({"location_id": ["D6"], "sku": ["X-75B"], "on_hand": [held]})]
        )
        return stuck_at_distributor(
            locs,
            m,
            had_w(),
            style_figures(m, sales_w(), products()),
            products(),
            required(),
            core_skus(),
            core_colours(),
            sold(),
            lookback_months=3,
            **THRESHOLDS,  # type: ignore[arg-type]
        ).collect()

    got = stuck_with(10)
    x = row(got, "D6", "X")
    assert (x["held_units"], x["stores"], x["stores_with_style"], x["reach"]) == (10, 0, 0, 0.0)
    assert x["elsewhere_sell_through"] == pytest.approx(0.7)
    assert (x["lacking_location_ids"], x["units"]) == (["S61", "S62"], 4)
    assert x["value_at_stake_cny"] == pytest.approx(7 / 9 * 2 * 100)
    prices = products().group_by("style").agg(pl.col("price").max())
    lines = distribute_actions(got.lazy(), prices).filter(pl.col("location_id") == "D6").collect()
    assert lines.select("style", "units", "lacking_location_ids").rows() == [("X", 4, "S61;S62")]
    assert "D6" not in stuck_with(5)["distributor_id"].to_list()


def test_bestsellers_and_new_styles_are_never_stuck() -> None:
    # B and N: D1 holds 10, reach 0, S21 sells 10 of 11: stuck but for being required.
    got = chances()
    for style in ("B", "N"):
        r = row(got, "D1", style)
        assert (r["held_units"], r["reach"]) == (10, 0.0)
        assert r["elsewhere_sell_through"] == pytest.approx(10 / 11)
    styles = stuck()["style"].to_list()
    assert "B" not in styles and "N" not in styles
    # without the required list they would be
    everything = stuck_at_distributor(
        locations(),
        stock_m(),
        had_w(),
        figures(),
        products(),
        pl.LazyFrame({"style": []}, schema={"style": pl.String}),
        core_skus(),
        core_colours(),
        sold(),
        lookback_months=3,
        **THRESHOLDS,  # type: ignore[arg-type]
    ).collect()
    assert {"B", "N"} <= set(everything["style"].to_list())


def test_closed_stores_count_nowhere() -> None:
    got = chances()
    # S15 (closed, D1) has X in M: not one of D1's stores, not a lacking store either
    assert row(got, "D1", "X")["stores"] == 4
    assert "S15" not in stuck()["lacking_location_ids"].explode().to_list()
    # C: closed S23 sold 50 of it; only S21 (1 sold, 9 held) counts: 0.1, not proven
    assert row(got, "D1", "C")["elsewhere_sell_through"] == pytest.approx(0.1)
    assert "C" not in stuck()["style"].to_list()


def test_uncounted_stores_count_nowhere() -> None:
    # U: S31 (not counted in M) sold 50; only S22 (1 sold, 9 held) counts: 0.1, not proven
    got = chances()
    r = row(got, "D1", "U")
    assert (r["elsewhere_stores"], r["elsewhere_units"], r["elsewhere_on_hand"]) == (1, 1, 9)
    assert "U" not in stuck()["style"].to_list()
    assert row(got, "D3", "U")["stores"] == 0


def test_lacking_stores_are_those_without_the_style_in_m() -> None:
    # Give S12 a unit of X in October: it no longer lacks it; X reach becomes 2/4 = 0.5 (not
    # stuck any more), so lower the reach bar's tolerance point with min_store_reach 0.75.
    extra = pl.LazyFrame(
        [("S12", OCT, "X-80B", 1)],
        schema={"location_id": pl.String, "month": pl.Date, "sku": pl.String, "on_hand": pl.Int64},
        orient="row",
    )
    w = pl.concat([stock_w(), extra])
    m = w.filter(pl.col("month") == OCT).drop("month")
    got = stuck_at_distributor(
        locations(),
        m,
        had_w(w),
        style_figures(m, sales_w(), products()),
        products(),
        required(),
        core_skus(),
        core_colours(),
        sold(),
        lookback_months=3,
        stuck_min_units=6,
        min_store_reach=0.75,
        proven_sell_through=0.3,
    ).collect()
    x = row(got, "D1", "X")
    # elsewhere is unchanged (S12 is inside D1); 3 lacking x 2 = 6 units; 1.0 * 3 * 100 = 300
    assert x["lacking_location_ids"] == ["S11", "S13", "S14"]
    assert (x["stores_with_style"], x["units"], x["value_at_stake_cny"]) == (2, 6, 300.0)


def test_units_capped_by_what_the_distributor_holds() -> None:
    # With n = 2 and 4 lacking stores the stores could take 8; T's distributor holds 6.
    assert row(stuck(), "D1", "T")["units"] == 6


def test_required_sku_counts_follow_6_2() -> None:
    # A: core colour BK only (WH sells too little): its 2 core sizes.
    # Z: sold nothing in W, no core colours: the core sizes of all its colours (2 x 2).
    # F: sold, but evenly over 5 colours (20% each, below core_colour_share): no core colour,
    #    so 6.2 asks for "the core sizes of its core colours": none, n = 0 (no row).
    styles = [("A", c) for c in ("BK", "WH")] + [("Z", c) for c in ("BK", "WH")]
    styles += [("F", f"C{i}") for i in range(1, 6)]
    core = pl.LazyFrame(
        [(f"{s}-{c}-{z}", s, c) for s, c in styles for z in ("75B", "80B")],
        schema=["sku", "style", "colour"],
        orient="row",
    )
    colours = pl.LazyFrame({"style": ["A"], "colour": ["BK"]})
    sold_styles = pl.LazyFrame({"style": ["A", "F"]})
    got = required_sku_counts(core, colours, sold_styles).sort("style").collect()
    assert_frame_equal(
        got,
        pl.DataFrame(
            {"style": ["A", "Z"], "n_core_skus": [2, 4]}, schema_overrides={"n_core_skus": pl.Int64}
        ),
    )


def test_integer_keys_work_like_codes() -> None:
    # The job passes integer surrogate keys; the rules only join and sort them.
    codes = {loc: i for i, (loc, *_) in enumerate(LOCATIONS)}
    as_int = lambda f, *cols: f.with_columns(  # noqa: E731
        pl.col(c).replace_strict(codes, return_dtype=pl.Int64) for c in cols
    )
    got = stuck_at_distributor(
        as_int(locations(), "location_id", "distributor_id"),
        as_int(stock_m(), "location_id"),
        styles_had(as_int(stock_w().filter(pl.col("month") < OCT), "location_id"), products()),
        style_figures(
            as_int(stock_m(), "location_id"), as_int(sales_w(), "location_id"), products()
        ),
        products(),
        required(),
        core_skus(),
        core_colours(),
        sold(),
        lookback_months=3,
        **THRESHOLDS,  # type: ignore[arg-type]
    ).collect()
    assert got.select("style", "units").rows() == [("X", 8), ("T", 6), ("X", 2)]
    assert got["lacking_location_ids"][0].to_list() == [
        codes[s] for s in ("S11", "S12", "S13", "S14")
    ]
    assert got["lacking_location_ids"][2].to_list() == [codes["S31"]]


def test_shown_stores_say_where_each_style_was_given_a_chance() -> None:
    # One row per counted active store and style it had at some month end of W; selling when
    # sell-through over W reaches slow_sell_through (0.15): T at S21 3 / 10, C at S21 1 / 10.
    stores = counted_active_stores(locations(), stock_m())
    per_store = store_style_chances(stores, had_w(), figures())
    got = shown_stores(per_store, slow_sell_through=0.15).sort("location_id", "style").collect()
    expected = pl.DataFrame(
        [
            ("S11", "H", 0, 0, False),  # had it in September, sold none, none left
            ("S11", "X", 0, 1, True),  # had it in August, sold the one
            ("S12", "H", 1, 0, False),
            ("S21", "B", 1, 10, True),
            ("S21", "C", 9, 1, False),
            ("S21", "H", 1, 5, True),
            ("S21", "N", 1, 10, True),
            ("S21", "T", 7, 3, True),
            ("S21", "X", 2, 3, True),
            ("S22", "U", 9, 1, False),
            ("S22", "X", 1, 3, True),
        ],
        schema={
            "location_id": pl.String,
            "style": pl.String,
            "on_hand_units": pl.Int64,
            "units_sold": pl.Int64,
            "is_selling": pl.Boolean,
        },
        orient="row",
    )
    assert_frame_equal(got, expected)


def test_distribute_lines_send_what_the_stuck_list_says() -> None:
    # X and T at D1 become distribute lines (8 x 100, 6 x 50 of goods); X at D3 goes to its
    # uncounted store S31 (2 x 100).
    prices = products().group_by("style").agg(pl.col("price").max())
    got = distribute_actions(stuck().lazy(), prices).collect()
    assert got.select("location_id", "action", "style", "units", "value_cny").rows() == [
        ("D1", "distribute", "X", 8, 800.0),
        ("D1", "distribute", "T", 6, 300.0),
        ("D3", "distribute", "X", 2, 200.0),
    ]
    assert got["value_at_stake_cny"].to_list() == pytest.approx([400.0, 200.0, 700 / 9])
    assert got["reason_code"].unique().to_list() == ["stuck_at_distributor"]
    assert got["lacking_location_ids"].to_list() == ["S11;S12;S13;S14"] * 2 + ["S31"]
    assert got["sell_through"].to_list() == pytest.approx([6 / 9, 0.3, 0.7])


def test_a_stuck_pair_with_no_active_store_is_a_distribute_line_of_nothing() -> None:
    # D4 has no stores at all: give it 10 of X; stuck (reach 0, X proven at 0.7), but nobody
    # lacks it: units 0, value 0. "Each stuck pair is a distribute action" (domain.md 9): a
    # line of 0 units naming no store, as the stuck export lists the pair.
    m = pl.concat(
        [
            stock_m().filter(pl.col("location_id") != "D4"),
            pl.LazyFrame({"location_id": ["D4"], "sku": ["X-75B"], "on_hand": [10]}),
        ]
    )
    got = stuck_at_distributor(
        locations(),
        m,
        had_w(),
        style_figures(m, sales_w(), products()),
        products(),
        required(),
        core_skus(),
        core_colours(),
        sold(),
        lookback_months=3,
        **THRESHOLDS,  # type: ignore[arg-type]
    ).collect()
    d4 = row(got, "D4", "X")
    assert (d4["lacking_location_ids"], d4["units"], d4["value_at_stake_cny"]) == ([], 0, 0.0)
    prices = products().group_by("style").agg(pl.col("price").max())
    lines = distribute_actions(got.lazy(), prices).collect().filter(pl.col("location_id") == "D4")
    assert lines.select("action", "style", "units", "value_cny", "value_at_stake_cny").rows() == [
        ("distribute", "X", 0, 0.0, 0.0)
    ]
    assert lines["lacking_location_ids"].to_list() == [""]


def test_a_store_of_a_closed_distributor_counts_elsewhere() -> None:
    # S51 is an active, counted store whose distributor D5 is closed: it belongs to no group,
    # but it is a counted active store outside every group, so it counts "elsewhere".
    # P: D1 holds 10 and no D1 store had it (reach 0); S51 sold 3 and holds 7: 3 / 10 = 0.3,
    # proven: stuck. Rate 3 / (3 months x 1 store) = 1.0; 4 lacking x n 2 = 8 units;
    # value 1.0 x 4 x 100 = 400.
    extra_locations = pl.LazyFrame(
        [("D5", "distributor", None, "South", "closed"), ("S51", "store", "D5", "South", "active")],
        schema=["location_id", "kind", "distributor_id", "region", "status"],
        orient="row",
    )
    locs = pl.concat([locations(), extra_locations])
    extra_stock = pl.LazyFrame(
        [("S51", OCT, "P-75B", 7)],
        schema={"location_id": pl.String, "month": pl.Date, "sku": pl.String, "on_hand": pl.Int64},
        orient="row",
    )
    w = pl.concat([stock_w(), extra_stock])
    m = w.filter(pl.col("month") == OCT).drop("month")
    sales = pl.concat(
        [sales_w(), pl.LazyFrame({"location_id": ["S51"], "sku": ["P-75B"], "units_sold": [3]})]
    )
    got = stuck_at_distributor(
        locs,
        m,
        had_w(w),
        style_figures(m, sales, products()),
        products(),
        required(),
        core_skus(),
        core_colours(),
        pl.LazyFrame({"style": list(STYLES)}),
        lookback_months=3,
        **THRESHOLDS,  # type: ignore[arg-type]
    ).collect()
    p = row(got, "D1", "P")
    assert (p["held_units"], p["reach"], p["elsewhere_sell_through"]) == (10, 0.0, 0.3)
    assert (p["lacking_location_ids"], p["units"], p["value_at_stake_cny"]) == (
        ["S11", "S12", "S13", "S14"],
        8,
        400.0,
    )
    # D5 is closed: no group, no stuck row of its own
    assert "D5" not in got["distributor_id"].to_list()
