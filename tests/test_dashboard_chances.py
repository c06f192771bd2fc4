"""Where a style was given a chance, and each new style's stores: the figure builders of the
Styles page, without a browser or a database."""

from __future__ import annotations

from datetime import date

import plotly.graph_objects as go  # go.Figure(fig): the builders' dicts checked against plotly's schema
import polars as pl

from dashboard import figures

# Data.style_chances for one style: East has D1 (2 stores: 1 selling, 1 never) and D2 (2 never,
# stuck); everything outside the user's scope is one row set with null region and group.
CHANCES = pl.DataFrame(
    [
        (True, "East", "D1", "一号代理", "selling", 1, 6, 2, False),
        (True, "East", "D1", "一号代理", "never", 1, 0, 0, False),
        (True, "East", "D2", "二号代理", "never", 2, 0, 0, True),
        (True, "West", "D3", None, "not_selling", 1, 0, 4, False),
        (False, None, None, None, "selling", 3, 9, 1, False),
        (False, None, None, None, "never", 1, 0, 0, False),
    ],
    schema={
        "in_scope": pl.Boolean,
        "region": pl.String,
        "group_id": pl.String,
        "group_name": pl.String,
        "state": pl.String,
        "n_stores": pl.Int64,
        "units_sold": pl.Int64,
        "on_hand_units": pl.Int64,
        "is_stuck": pl.Boolean,
    },
    orient="row",
)


def test_chance_areas_by_region_fold_groups_and_put_elsewhere_last():
    got = figures.chance_areas(CHANCES, by="region")
    assert got["area"].to_list() == ["West", "East", None]
    east = got.row(1, named=True)
    # East: 4 stores, 1 selling, 0 not selling, 3 never: reach 1/4; sell-through 6 / (6 + 2)
    assert (east["stores"], east["selling"], east["not_selling"], east["never"]) == (4, 1, 0, 3)
    assert east["reach"] == 0.25 and east["sell_through"] == 0.75 and east["is_stuck"]
    west = got.row(0, named=True)  # 1 store, shown and not selling: reach 1, sell-through 0
    assert (west["reach"], west["sell_through"], west["is_stuck"]) == (1.0, 0.0, False)
    elsewhere = got.row(2, named=True)
    assert (elsewhere["stores"], elsewhere["reach"], elsewhere["sell_through"]) == (4, 0.75, 0.9)


def test_chance_areas_by_group_name_the_group_or_its_code():
    got = figures.chance_areas(CHANCES, by="group")
    assert got.select("area", "label").rows() == [
        ("D3", "D3"),
        ("D1", "一号代理"),
        ("D2", "二号代理"),
        (None, None),
    ]
    d2 = got.row(2, named=True)
    assert (d2["reach"], d2["sell_through"], d2["is_stuck"]) == (0.0, None, True)


def test_style_chances_figure_marks_stuck_groups_and_anonymises_the_rest():
    fig = go.Figure(figures.style_chances(CHANCES, by="group", lang="en"))
    names = [trace.name for trace in fig.data]
    assert names == ["Shown and selling", "Shown, not selling", "Never shown"]
    labels = list(fig.data[0].y)
    assert labels[0] == "D3 · reach 100% · sell-through 0%"
    assert labels[2].startswith('<span style="color:#dc2626"><b>⚠ 二号代理 · reach 0%')
    assert labels[3] == "Elsewhere · reach 75% · sell-through 90%"
    # shares of each area's stores; counts ride along for the hover
    assert list(fig.data[2].x) == [0.0, 0.5, 1.0, 0.25]
    assert list(fig.data[2].customdata) == [0, 1, 2, 1]
    zh = go.Figure(figures.style_chances(CHANCES, by="region", lang="zh"))
    assert [t.name for t in zh.data] == ["已上架，在卖", "已上架，不动销", "从未上架"]
    assert list(zh.data[0].y)[-1].startswith("其他地方 · 铺货率 75%")


def test_style_chances_of_nothing_says_so():
    fig = go.Figure(figures.style_chances(CHANCES.clear(), by="region", lang="en"))
    assert not fig.data and fig.layout.annotations


NEW = pl.DataFrame(
    [
        ("N1", date(2026, 9, 1), "starving", 3),
        ("N1", date(2026, 9, 1), "selling", 1),
        ("N2", date(2026, 10, 1), "starving", 1),
        ("N2", date(2026, 10, 1), "not_selling", 2),
        ("N2", date(2026, 10, 1), "selling", 1),
        ("N3", date(2026, 10, 1), "selling", 4),
    ],
    schema=["style", "launch_month", "state", "n_stores"],
    orient="row",
)


def test_new_style_chances_most_starving_first():
    fig = go.Figure(figures.new_style_chances(NEW, lang="en"))
    assert [t.name for t in fig.data] == ["Selling", "Not selling", "Starving (never had it)"]
    assert list(fig.data[0].y) == ["N1", "N2", "N3"]
    by_state = {t.name: list(t.x) for t in fig.data}
    assert by_state["Starving (never had it)"] == [3, 1, 0]
    assert by_state["Not selling"] == [0, 2, 0]
    assert by_state["Selling"] == [1, 1, 4]


def test_new_style_chances_without_new_styles():
    fig = go.Figure(figures.new_style_chances(NEW.clear(), lang="zh"))
    assert fig.layout.annotations[0].text == "本月没有新款"
