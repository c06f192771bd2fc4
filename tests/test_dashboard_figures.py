"""The dashboard's figure and table builders and its words, without a browser or a database."""

from __future__ import annotations

import plotly.graph_objects as go  # go.Figure(fig): the builders' dicts checked against plotly's schema
import polars as pl
import pytest
from werkzeug.datastructures import LanguageAccept

from assortment import i18n, vocab
from dashboard import figures

OVERVIEW = pl.DataFrame(
    {
        "location_id": ["D01", "D01-S001", "D01-S002", "D02-S001", "D02-S002"],
        "name": ["北方代理", "一店", "二店", "南方一店", "南方二店"],
        "kind": ["distributor", "store", "store", "store", "store"],
        "region": ["North", "North", "North", "South", None],
        "city": ["石家庄"] * 5,
        "rep": ["张伟", "张伟", "张伟", "李娜", "李娜"],
        "group_id": ["D01", "D01", "D01", "D02", "D02"],
        "group_name": ["北方代理"] * 3 + ["南方代理"] * 2,
        "status": ["pass", "fail", "warn", "fail", "no_count"],
        "active_styles": [45, 12, 22, 19, None],
        "min_styles": [40, 20, 20, 20, 20],
        "bestseller_coverage": [1.0, 0.5, 1.0, 0.8, None],
        "new_coverage": [1.0, 0.0, 1.0, 0.5, None],
        "broken_size_share": [0.0, 0.1, 0.3, 0.0, None],
        "slow_stock_share": [0.1, 0.0, 0.0, 0.0, None],
        "shrinking": [False] * 5,
        "reasons": [
            [],
            ["below_min_styles", "bestsellers_missing", "new_styles_missing"],
            ["many_broken_sizes"],
            ["below_min_styles", "new_styles_missing"],
            [],
        ],
    }
)


def test_kpis_count_statuses_and_average_over_counted_locations():
    k = figures.kpis(OVERVIEW)
    assert (k["n"], k["n_pass"], k["n_warn"], k["n_fail"], k["n_no_count"]) == (5, 1, 1, 2, 1)
    assert k["n_counted"] == 4
    assert k["n_at_min"] == 2  # 45 >= 40 and 22 >= 20
    assert k["share_at_min"] == pytest.approx(0.5)
    assert k["bestseller_coverage"] == pytest.approx((1.0 + 0.5 + 1.0 + 0.8) / 4)
    assert k["new_coverage"] == pytest.approx(2.5 / 4)


def test_kpis_of_nothing():
    k = figures.kpis(OVERVIEW.head(0))
    assert k["n"] == 0 and k["share_at_min"] is None and k["bestseller_coverage"] is None


def test_status_by_region_stacks_one_bar_per_status_worst_group_on_top():
    fig = go.Figure(figures.status_by(OVERVIEW, by="region", lang="en"))
    assert [tr.name for tr in fig.data] == ["Fail", "Warn", "No count", "Pass"]
    fail = next(tr for tr in fig.data if tr.name == "Fail")
    # plotly draws the first category at the bottom: the worst group comes last
    assert list(fail.y) == ["–", "South", "North"]
    counts = {y: x for y, x in zip(fail.y, fail.x, strict=True)}
    assert counts == {"North": 1, "South": 1, "–": 0}
    assert fig.layout.barmode == "stack"


def test_status_by_rep_in_chinese():
    fig = go.Figure(figures.status_by(OVERVIEW, by="rep", lang="zh"))
    assert [tr.name for tr in fig.data] == ["不达标", "预警", "未盘点", "达标"]
    assert set(fig.data[0].y) == {"张伟", "李娜"}


def test_status_by_empty_frame_says_so():
    fig = go.Figure(figures.status_by(OVERVIEW.head(0), by="region", lang="en"))
    assert fig.layout.annotations[0].text == i18n.t("common.no_rows", "en")


def test_overview_rows_put_reasons_in_words_with_figures():
    rows = figures.overview_rows(OVERVIEW, lang="en")
    one = next(r for r in rows if r["location_id"] == "D01-S001")
    assert one["status"] == "Fail" and one["status_code"] == "fail"
    assert "Only 12 styles in stock; the minimum is 20" in one["reasons"]
    assert "Bestsellers missing: 50% of them in stock" in one["reasons"]
    assert one["styles_vs_min"] == "12 / 20"
    missing = next(r for r in rows if r["location_id"] == "D02-S002")
    assert missing["reasons"] == "No stock count for this month" and missing["styles_vs_min"] == "–"
    ok = next(r for r in rows if r["location_id"] == "D01")
    assert ok["reasons"] == "Meets every standard"
    zh = figures.overview_rows(OVERVIEW, lang="zh")
    assert next(r for r in zh if r["location_id"] == "D01-S001")["reasons"].startswith(
        "在库仅 12 款，低于最低 20 款"
    )


def test_trend_has_failing_bars_and_style_lines():
    trend = pl.DataFrame(
        {
            "month": ["2026-08", "2026-09"],
            "n_pass": [3, 2],
            "n_warn": [1, 1],
            "n_fail": [2, 4],
            "n_no_count": [0, 1],
            "avg_active_styles": [24.5, 22.0],
            "avg_min_styles": [21.0, 21.0],
        }
    )
    fig = go.Figure(figures.trend(trend, lang="en"))
    bars, active, minimum = fig.data
    assert bars.type == "bar" and list(bars.y) == [2, 4]
    assert list(active.y) == [24.5, 22.0] and minimum.line.dash == "dash"
    assert active.yaxis == "y2"


def test_location_history_colours_markers_by_status():
    hist = pl.DataFrame(
        {
            "month": [None, "2026-08", "2026-09"],
            "status": [None, "pass", "fail"],
            "active_styles": [None, 22, 18],
            "min_styles": [None, 20, 20],
        }
    )
    fig = go.Figure(figures.location_history(hist, lang="en"))
    minimum, active = fig.data
    assert list(active.x) == ["2026-08", "2026-09"]
    assert list(active.marker.color) == [
        vocab.STATUS_COLOURS["pass"],
        vocab.STATUS_COLOURS["fail"],
    ]
    assert list(minimum.y) == [20, 20]


SIZES = pl.DataFrame(
    {
        "sku": ["S1-BLK-75B", "S1-BLK-75C", "S1-BLK-80B", "S1-BLK-80C", "S1-NUD-75B", "S1-NUD-80B"],
        "colour": ["BLK", "BLK", "BLK", "BLK", "NUD", "NUD"],
        "size": ["75B", "75C", "80B", "80C", "75B", "80B"],
        "category": ["bra"] * 6,
        "on_hand": [3, 0, 2, 1, 0, 4],
        "is_core": [True, True, True, False, True, False],
    }
)


def test_size_run_is_a_band_by_cup_grid_per_colour_with_missing_core_sizes_marked():
    fig = go.Figure(figures.size_run(SIZES, style="S1", lang="en"))
    heat = [tr for tr in fig.data if tr.type == "heatmap"]
    marks = [tr for tr in fig.data if tr.type == "scatter"]
    assert len(heat) == 2  # BLK, NUD
    blk = heat[0]
    assert list(blk.y) == ["75", "80"] and list(blk.x) == ["B", "C"]
    assert [list(r) for r in blk.z] == [[3, 0], [2, 1]]
    # BLK 75C is core and empty; NUD 75B is core and empty
    assert [(list(m.x), list(m.y)) for m in marks] == [(["C"], ["75"]), (["B"], ["75"])]
    nud = heat[1]
    assert list(nud.x) == ["B"] and [list(r) for r in nud.z] == [[0], [4]]


def test_size_run_of_letter_sizes_is_one_row():
    frame = pl.DataFrame(
        {
            "sku": ["P-BLK-L", "P-BLK-M", "P-BLK-S"],
            "colour": ["BLK"] * 3,
            "size": ["L", "M", "S"],
            "category": ["brief"] * 3,
            "on_hand": [1, 0, 2],
            "is_core": [True, True, False],
        }
    )
    fig = go.Figure(figures.size_run(frame, style="P", lang="en"))
    heat = fig.data[0]
    assert list(heat.x) == ["S", "M", "L"] and [list(r) for r in heat.z] == [[2, 0, 1]]
    assert list(fig.data[1].x) == ["M"]


def test_size_run_without_rows_asks_for_a_style():
    fig = go.Figure(figures.size_run(SIZES.head(0), style="S1", lang="zh"))
    assert fig.layout.annotations[0].text == i18n.t("location.size_run.empty", "zh")


def test_sell_through_one_trace_per_segment_without_unsold_unstocked_styles():
    styles = pl.DataFrame(
        {
            "style": ["A", "B", "C", "D"],
            "segment": ["bestseller", "slow_moving", "steady", "new"],
            "on_hand": [10, 30, 5, 0],
            "units_sold": [20, 2, 5, 0],
            "sell_through": [0.667, 0.0625, 0.5, None],
        }
    )
    fig = go.Figure(figures.sell_through(styles, lang="en"))
    assert [tr.name for tr in fig.data] == ["Bestseller", "Slow-moving", "Steady"]
    assert fig.layout.yaxis.tickformat == ".0%"


def test_style_regions_per_location_units_and_stocking_share():
    regions = pl.DataFrame(
        {
            "area": ["North", "South"],
            "n_locations": [4, 2],
            "n_in_stock": [1, 2],
            "units_sold": [4, 30],
            "on_hand": [3, 10],
        }
    )
    fig = go.Figure(figures.style_regions(regions, lang="en"))
    bars, share = fig.data
    assert list(bars.x) == ["South", "North"] and list(bars.y) == [15.0, 1.0]
    assert list(share.y) == [1.0, 0.25]


def test_order_plan_stacks_top_styles_and_groups_the_rest():
    plan = pl.DataFrame(
        {
            "region": ["N", "N", "S", "S", "S"],
            "style": ["A", "B", "A", "C", "D"],
            "size": ["75B"] * 5,
            "units": [10, 5, 20, 1, 2],
        }
    )
    fig = go.Figure(figures.order_plan(plan, lang="en", top=2))
    assert [tr.name for tr in fig.data] == ["A", "B", "other styles"]
    assert list(fig.data[0].x) == ["S", "N"] and list(fig.data[0].y) == [20, 10]
    assert list(fig.data[2].y) == [3, 0]
    assert figures.plan_kpis(plan) == {"units": 38, "styles": 4, "regions": 2}


def test_action_rows_translate_actions_and_reasons():
    acts = pl.DataFrame(
        {
            "action": ["replenish", "transfer", "clearance"],
            "style": ["S1", "S1", "S9"],
            "colour": ["BLK", "BLK", None],
            "size": ["75B", "80B", None],
            "sku": ["S1-BLK-75B", "S1-BLK-80B", None],
            "units": [1, 1, 12],
            "source_location_id": [None, "D01", None],
            "source_name": [None, "北方代理", None],
            "value_cny": [None, None, 2388.0],
            "reason_code": ["bestseller_not_in_stock", "broken_size_run", "slow_moving"],
            "bestseller_rank": [2, None, None],
            "launch_month": [None, None, None],
            "source_on_hand": [None, 3, None],
            "units_sold": [None, None, 1],
            "sell_through": [None, None, 1 / 13],
        }
    )
    en = figures.action_rows(acts, lang="en")
    assert [r["action"] for r in en] == ["Replenish", "Transfer", "Clearance"]
    assert [r["reason"] for r in en] == [
        "bestseller #2 not in stock",
        "broken size run: colour BLK lacks core size 80B; transfer from D01 (holds 3)",
        "slow-moving: 1 sold over the window, 12 on hand (sell-through 8%)",
    ]
    assert en[1]["source"] == "北方代理 (D01)" and en[0]["source"] == ""
    zh = figures.action_rows(acts, lang="zh")
    assert zh[0]["reason"] == "畅销款第 2 名缺货"
    assert zh[1]["reason"] == "断码：BLK 色缺核心尺码 80B；从 D01 调货（该处有 3 件）"
    assert zh[2]["reason"] == "滞销：期内售出 1 件，库存 12 件（售罄率 8%）"
    assert zh[2]["action"] == "清仓"


def test_unknown_action_reason_code_stays_as_written():
    assert i18n.action_reason({"reason_code": "something_new"}, "zh") == "something_new"


@pytest.mark.parametrize("lang", i18n.LANGS)
def test_every_action_reason_code_has_words(lang):
    for code in vocab.ACTION_REASONS:
        row = {"action": "transfer", "reason_code": code, "source_location_id": "D01-S008"}
        text = i18n.action_reason(row, lang)
        assert text and code not in text and "{" not in text and "D01-S008" in text


def test_coverage_rows():
    frame = pl.DataFrame(
        {
            "list": ["bestseller"],
            "style": ["S1"],
            "style_name": ["文胸"],
            "category": ["bra"],
            "rank": [1],
            "net_units": [90],
            "launch_month": [None],
            "n_in_stock": [3],
            "n_locations": [4],
        }
    )
    (row,) = figures.coverage_rows(frame, lang="en")
    assert row["in_stock"] == "3 / 4" and row["coverage"] == pytest.approx(0.75)
    assert (
        row["category"] == "Bra"
        and figures.coverage_rows(frame, lang="zh")[0]["category"] == "文胸"
    )


@pytest.mark.parametrize(
    ("cookie", "header", "expected"),
    [
        (None, "zh-CN,zh;q=0.9,en;q=0.8", "zh"),
        (None, "en-US,en;q=0.9", "en"),
        ("en", "zh-CN", "en"),
        ("zh", "en", "zh"),
        (None, "fr-FR,de;q=0.5", "en"),
        (None, None, "en"),
        ("xx", "zh-TW", "zh"),
    ],
)
def test_language_from_cookie_then_browser(cookie, header, expected):
    accept = None
    if header:
        parsed = []
        for part in header.split(","):
            lang, _, q = part.partition(";q=")
            parsed.append((lang.strip(), float(q) if q else 1.0))
        accept = LanguageAccept(parsed)
    assert i18n.pick_lang(cookie, accept) == expected


def test_error_reasons_in_chinese():
    assert i18n.error_reason("is negative", "zh") == "为负数"
    assert i18n.error_reason(
        "repeats the same month, location and SKU as an earlier row (row 2)", "zh"
    ) == ("与前面某行的月份、网点、SKU 重复（第 2 行）")
    assert i18n.error_reason("is negative", "en") == "is negative"


def test_style_rows_say_a_styles_gaps_in_words_for_the_tablet_column():
    frame = pl.DataFrame(
        {
            "style": ["BR1", "BF2"],
            "style_name": ["Lace bra", None],
            "category": ["bra", "brief"],
            "segment": ["bestseller", "core"],
            "on_hand": [3, 0],
            "units_sold": [4, 0],
            "sell_through": [0.57, None],
            "broken_size": [True, False],
            "broken_colour": [False, False],
            "missing_core_skus": ["BR1-BK-75B, BR1-BK-80B", ""],
            "value_cny": [450.0, 0.0],
        }
    )
    en = figures.style_rows(frame, lang="en")
    assert en[0]["style_label"] == "BR1 Lace bra" and en[1]["style_label"] == "BF2"
    assert en[0]["gaps"] == "Broken size · Missing core sizes: BR1-BK-75B, BR1-BK-80B"
    assert en[1]["gaps"] == ""
    zh = figures.style_rows(frame, lang="zh")
    assert zh[0]["gaps"] == "断码 · 缺核心码：BR1-BK-75B, BR1-BK-80B"
    # the category in words, not the products file's code
    assert (en[0]["category"], zh[0]["category"], zh[1]["category"]) == ("Bra", "文胸", "内裤")


def test_order_plan_rows_name_the_category_in_words():
    frame = pl.DataFrame(
        {
            "region": ["East"],
            "style": ["S1"],
            "style_name": ["Lace bra"],
            "size": ["75B"],
            "units": [4],
            "category": ["bra"],
        }
    )
    assert figures.plan_rows(frame, lang="zh") == [
        {
            "region": "East",
            "style": "S1",
            "style_name": "Lace bra",
            "size": "75B",
            "units": 4,
            "category": "文胸",
            "style_label": "S1 Lace bra",
        }
    ]
    assert figures.plan_rows(frame, lang="en")[0]["category"] == "Bra"


def test_order_plan_locations_in_words():
    frame = pl.DataFrame(
        {
            "region": ["South", "South"],
            "location_id": ["D02", "D03"],
            "name": ["Guangzhou", None],
            "coverage": ["carried", "left_out"],
            "count_month": ["2026-09", None],
        }
    )
    assert figures.plan_location_rows(frame, lang="en") == [
        {
            "region": "South",
            "location": "D02 Guangzhou",
            "coverage": "Carried forward",
            "count_month": "2026-09",
        },
        {"region": "South", "location": "D03", "coverage": "Left out", "count_month": "never"},
    ]
    zh = figures.plan_location_rows(frame, lang="zh")
    assert [r["coverage"] for r in zh] == ["沿用最近盘点", "未计入"]
    assert zh[1]["count_month"] == "从未盘点"
