"""Follow-through on the dashboard (domain.md 8): the builders on frames a reader can check by
hand, and the Reps page's scope (admins every rep, a rep their own, distributors nothing)."""

from __future__ import annotations

import json

import plotly.graph_objects as go  # go.Figure(fig): the builders' dicts checked against plotly's schema
import polars as pl
import pytest

from assortment import months
from assortment.job import classify
from dashboard import figures, ids
from dashboard.app import create_app
from tests.e2e.helpers import build_with_users, callback_body, login, post_callback

CARDS = pl.DataFrame(
    {
        "month": ["2026-08", "2026-09", "2026-09"],
        "rep": ["Li", "Li", "Wang"],
        "lines": [4, 6, 5],
        "done": [1, 3, 5],
        "partly": [1, 1, 0],
        "not_done": [1, 1, 0],
        "unknown": [1, 1, 0],
        "value_at_stake_cny": [100.0, 300.0, 0.0],
        "done_value_cny": [20.0, 180.0, 0.0],
        "done_value_share": [0.2, 0.6, None],
        "fixed": [1, 0, 2],
        "worse": [0, 1, 0],
    }
)


def test_scorecard_sums_the_months_and_takes_shares_of_the_sums():
    rows = {r["rep"]: r for r in figures.scorecard_rows(CARDS)}
    li = rows["Li"]
    assert (li["lines"], li["done"], li["partly"], li["not_done"], li["unknown"]) == (
        10,
        4,
        2,
        2,
        2,
    )
    assert li["done_share"] == pytest.approx(0.4)  # 4 of 10 lines
    assert li["done_value_share"] == pytest.approx(0.5)  # 200 of 400 yuan, not mean(0.2, 0.6)
    assert (li["fixed"], li["worse"], li["months"]) == (1, 1, 2)
    assert rows["Wang"]["done_value_share"] is None  # nothing at stake: no share
    assert [r["rep"] for r in figures.scorecard_rows(CARDS)] == ["Li", "Wang"]
    assert figures.scorecard_rows(CARDS.clear()) == []


def test_follow_rows_and_counts_in_words():
    frame = pl.DataFrame(
        {
            "action": ["transfer", "replenish", "clearance"],
            "style": ["B1", "B1", "S9"],
            "style_name": ["Lace bra", "Lace bra", None],
            "category": ["bra", "bra", "slip"],
            "colour": ["BLK", "BLK", None],
            "size": ["75B", "80B", None],
            "units": [3, 2, 10],
            "received_units": [1, None, None],
            "source_location_id": ["D1", None, None],
            "value_at_stake_cny": [60.0, 40.0, None],
            "follow_status": ["partly", "unknown", "not_done"],
        }
    )
    assert figures.follow_counts(frame) == {"done": 0, "partly": 1, "not_done": 1, "unknown": 1}
    zh = figures.follow_rows(frame, lang="zh")
    assert [r["status"] for r in zh] == ["部分完成", "未知（无盘点）", "未完成"]
    assert zh[0]["style"] == "B1 Lace bra" and zh[0]["sku"] == "BLK 75B"
    assert zh[2]["style"] == "S9" and zh[2]["sku"] == ""
    assert [r["status"] for r in figures.follow_rows(frame, lang="en")][:1] == ["Partly"]


def test_change_text_names_both_statuses_and_the_change_in_active_styles():
    frame = pl.DataFrame(
        {
            "prev_status": ["fail"],
            "status": ["pass"],
            "prev_active_styles": [28],
            "active_styles": [31],
            "change": ["fixed"],
        }
    )
    assert figures.change_text(frame, lang="en") == (
        "Since last month: Fail → Pass (fixed); active styles 28 → 31 (+3)"
    )
    zh = figures.change_text(frame, lang="zh")
    assert "不达标 → 达标" in zh and "已改善" in zh and "+3" in zh
    none = frame.with_columns(pl.lit(None, dtype=pl.String).alias("prev_status"))
    assert figures.change_text(none, lang="en") == "No status last month to compare with."
    assert figures.change_text(frame.clear(), lang="en") == ""


def test_change_row_takes_the_month_before_from_the_location_rows():
    # a location's monthly rows as Data.location gives them: June and August, no July count
    location = pl.DataFrame(
        {
            "month": ["2026-06", "2026-08", "2026-09"],
            "status": ["warn", "fail", "pass"],
            "active_styles": [25, 18, 21],
            "change": [None, None, "fixed"],  # fixed from August to September
        }
    )
    row = figures.change_row(location, "2026-09").row(0, named=True)
    assert row == {
        "prev_status": "fail",
        "status": "pass",
        "prev_active_styles": 18,
        "active_styles": 21,
        "change": "fixed",
    }
    # July was not classified: August has nothing to compare with (June is two months back)
    august = figures.change_row(location, "2026-08").row(0, named=True)
    assert august["prev_status"] is None and august["status"] == "fail"
    assert figures.change_text(figures.change_row(location, "2026-08"), lang="en") == (
        "No status last month to compare with."
    )
    # October: only September (the month before) is there
    assert figures.change_row(location, "2026-10")["prev_status"].to_list() == ["pass"]
    # neither month classified, or a location out of scope (no rows): nothing to say
    assert figures.change_row(location, "2026-12").height == 0
    assert figures.change_row(location.clear(), "2026-09").height == 0


@pytest.fixture(scope="module")
def net(tmp_path_factory):
    """The test network with the month before the latest classified too: its actions are
    judged by the latest count, so the scorecard has rows."""
    built = build_with_users(tmp_path_factory.mktemp("reps"))
    classify(built.settings, month=months.fmt(months.add(months.parse(built.latest), -1)))
    return built


@pytest.fixture(scope="module")
def app(net):
    return create_app(net.settings)


def _scorecard(app, user, month):
    c = app.server.test_client()
    assert login(c, user).status_code == 302
    c.get("/")
    body = callback_body(
        [(ids.REPS_TABLE, "children"), (ids.REPS_TREND, "figure")],
        [(ids.REPS_MONTH, "value", month)],
    )
    r = post_callback(c, body)
    assert r.status_code == 200, r.get_data(as_text=True)[:300]
    return json.dumps(r.get_json(), ensure_ascii=False)


def test_reps_page_scope(app, net):
    reps = sorted(set(net.reps.values()))
    mine = net.reps[net.distributors[0]]
    others = [r for r in reps if r != mine]
    assert others, "the test network needs two reps"
    admin = _scorecard(app, "admin", net.latest)
    assert all(r in admin for r in reps)
    rep = _scorecard(app, "rep", net.latest)
    assert mine in rep and not any(o in rep for o in others)
    dist = _scorecard(app, "dist1", net.latest)
    assert not any(r in dist for r in reps)


def test_scorecard_trend_is_a_rep_by_month_grid_in_table_order():
    fig = go.Figure(figures.scorecard_trend(CARDS, lang="en"))
    heat = fig.data[0]
    assert list(heat.y) == ["Li", "Wang"] and list(heat.x) == ["2026-08", "2026-09"]
    assert [list(r) for r in heat.text] == [["20%", "60%"], ["", ""]]


def test_overview_month_over_month_counts_and_rows():
    frame = pl.DataFrame(
        {
            "location_id": ["A", "B", "C"],
            "name": ["a", "b", "c"],
            "kind": ["store"] * 3,
            "region": ["N"] * 3,
            "city": ["x"] * 3,
            "rep": ["Li"] * 3,
            "group_name": ["g"] * 3,
            "status": ["pass", "fail", "fail"],
            "active_styles": [30, 20, 18],
            "min_styles": [25] * 3,
            "bestseller_coverage": [1.0, 0.5, 0.4],
            "new_coverage": [1.0, 0.5, 0.4],
            "reasons": [[], ["too_few_styles"], ["too_few_styles"]],
            "prev_status": ["fail", "fail", None],  # C was not classified last month
            "prev_active_styles": [26, 21, None],
        }
    )
    k = figures.kpis(frame)
    assert (k["n_pass"], k["n_fail"]) == (1, 2)
    assert (k["prev_n_pass"], k["prev_n_fail"], k["prev_n_warn"]) == (0, 2, 0)
    rows = figures.overview_rows(frame, lang="zh")
    assert [r["prev_status"] for r in rows] == ["不达标", "不达标", "–"]
    assert [r["active_change"] for r in rows] == [4, -1, None]
    none = figures.kpis(frame.with_columns(pl.lit(None, dtype=pl.String).alias("prev_status")))
    assert none["prev_n_fail"] is None


def test_a_month_not_judged_yet_is_no_share_and_says_so():
    """The latest month's lines all wait for the next count (unknown): its cell says so instead
    of a red 0%, and the table's shares leave it out (domain.md 8: unknown without a count)."""
    waiting = pl.DataFrame(
        {
            "month": ["2026-10"],
            "rep": ["Li"],
            "lines": [8],
            "done": [0],
            "partly": [0],
            "not_done": [0],
            "unknown": [8],
            "value_at_stake_cny": [500.0],
            "done_value_cny": [0.0],
            "done_value_share": [0.0],
            "fixed": [0],
            "worse": [0],
        }
    )
    cards = pl.concat([CARDS, waiting])
    li = {r["rep"]: r for r in figures.scorecard_rows(cards)}["Li"]
    assert (li["lines"], li["unknown"], li["months"]) == (18, 10, 3)
    assert li["done_share"] == pytest.approx(0.4)  # 4 of the 10 lines of judged months
    assert li["done_value_share"] == pytest.approx(0.5)  # 200 of 400 yuan, as before
    heat = go.Figure(figures.scorecard_trend(cards, lang="zh")).data[0]
    assert list(heat.x) == ["2026-08", "2026-09", "2026-10"]
    assert [list(r) for r in heat.text][0] == ["20%", "60%", "待盘点"]
    assert list(heat.z[0]) == [0.2, 0.6, None]
    only_waiting = {r["rep"]: r for r in figures.scorecard_rows(waiting)}["Li"]
    assert only_waiting["done_share"] is None and only_waiting["done_value_share"] is None


def test_change_text_in_chinese_uses_full_width_brackets_and_one_word_for_active_styles():
    frame = pl.DataFrame(
        {
            "prev_status": ["pass"],
            "status": ["fail"],
            "prev_active_styles": [82],
            "active_styles": [81],
            "change": ["worse"],
        }
    )
    zh = figures.change_text(frame, lang="zh")
    assert "不达标（变差）" in zh and "在库款数 82 → 81（-1）" in zh, zh
    assert "(" not in zh and "在售" not in zh
