"""The monthly report without a browser: what it reads, counts, writes into pages and workbooks,
and how a run fails (clear errors, nothing half-written).

The store holds a tiny network loaded through the public API; the result tables are filled by
hand with SQL (two months), so every number below can be checked by reading the fixture.
"""

from __future__ import annotations

import io
import json
import re
from datetime import date, datetime
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from plotly.offline import get_plotlyjs

from assortment import i18n, store
from assortment.config import Settings
from assortment.errors import NoDataError, UsageError
from assortment.export import export_frame
from assortment.ingest import load_file
from assortment.job import JobResult
from assortment.report import batch
from assortment.report.browser import BrowserMissingError, find_chromium, stable_pdf
from assortment.report.data import (
    Scope,
    clearance_by_style,
    coverage,
    load_month,
    scoped,
    upload_gaps,
)
from assortment.report.excel import sheet_name, write_network_workbook, write_rep_workbook
from assortment.report.pages import build_page, interactive_html, print_html
from assortment.report.progress import Progress
from assortment.report.summary import build_summary
from tests.conftest import TODAY, write

OCT, SEP = date(2026, 10, 1), date(2026, 9, 1)
PLOTLY_JS_HEAD = get_plotlyjs()[:300]

PRODUCTS = """sku,style,colour,size,category,launch_month,price,style_name,is_core_size
S1-BLK-75B,S1,BLK,75B,bra,2025-03,199,无痕文胸,true
S1-BLK-80B,S1,BLK,80B,bra,2025-03,199,无痕文胸,true
S2-NUD-M,S2,NUD,M,brief,2025-09,59,莫代尔内裤,
S3-RED-M,S3,RED,M,brief,2026-09,79,=HYPERLINK("x"),
"""

LOCATIONS = """location_id,name,kind,distributor_id,region,province,city,rep,status
D01,北方代理,distributor,,North,河北,石家庄,张伟,active
D01-S001,石家庄一店,store,D01,North,河北,石家庄,张伟,active
D01-S002,石家庄二店,store,D01,North,河北,保定,王芳,active
D01-S003,石家庄三店,store,D01,North,河北,保定,王芳,closed
D02,华东代理,distributor,,East,江苏,南京,刘洋,active
D02-S001,南京一店,store,D02,East,江苏,南京,刘洋,active
"""

STOCK_SEP = """month,location_id,sku,on_hand
2026-09,D01,S1-BLK-75B,5
2026-09,D01-S001,S1-BLK-75B,1
2026-09,D01-S002,S2-NUD-M,4
2026-09,D02,S1-BLK-75B,3
2026-09,D02-S001,S2-NUD-M,2
"""

STOCK_OCT = """month,location_id,sku,on_hand
2026-10,D01,S1-BLK-75B,5
2026-10,D01,S3-RED-M,2
2026-10,D01-S001,S1-BLK-75B,1
2026-10,D01-S002,S2-NUD-M,9
"""

PLACES = {  # location: region, rep
    "D01": ("North", "张伟"),
    "D01-S001": ("North", "张伟"),
    "D01-S002": ("North", "王芳"),
    "D02": ("East", "刘洋"),
    "D02-S001": ("East", "刘洋"),
}


def _compliance(month, loc, status, reasons=(), *, styles=1, best=1.0, new=1.0, slow=0.0):
    """A compliance row (the table's columns in order, without the rules fingerprint)."""
    kind = "store" if "-S" in loc else "distributor"
    figures = (styles, best, new, 0.0, slow) if status != "no_count" else (None,) * 5
    active, best, new, broken, slow = figures
    minimum = 20 if kind == "store" else 40
    dist = loc.split("-")[0] if kind == "store" else None
    region, rep = PLACES[loc]
    return (month, loc, kind, dist, region, rep, status, active, minimum, best, new, broken, slow,
            False, list(reasons))  # fmt: skip


COMPLIANCE = [
    _compliance(OCT, "D01", "pass", styles=2),
    _compliance(OCT, "D01-S001", "fail", ["below_min_styles", "new_styles_missing"], new=0.0),
    _compliance(OCT, "D01-S002", "warn", ["slow_stock_heavy"], slow=0.9),
    _compliance(OCT, "D02", "no_count"),
    _compliance(OCT, "D02-S001", "no_count"),
    _compliance(SEP, "D01", "pass"),
    _compliance(SEP, "D01-S001", "warn", ["slow_stock_heavy"], slow=0.5),
    _compliance(SEP, "D01-S002", "pass"),
    _compliance(SEP, "D02", "pass"),
    _compliance(SEP, "D02-S001", "fail", ["bestsellers_missing"], best=0.0),
]

ACTION_COLUMNS = (
    "month", "location_id", "action", "style", "colour", "size", "sku", "units",
    "source_location_id", "value_cny", "reason_code", "bestseller_rank", "launch_month",
    "source_on_hand", "units_sold", "sell_through", "rules_fingerprint",
)  # fmt: skip
ACTIONS = [
    (OCT, "D01-S001", "replenish", "S3", "RED", "M", "S3-RED-M", 1, None, 79.0,
     "new_style_not_in_stock", None, date(2026, 9, 1), None, None, None),
    (OCT, "D01-S001", "transfer", "S1", "BLK", "80B", "S1-BLK-80B", 1, "D01", 199.0,
     "broken_size_run", None, None, 3, None, None),
    (OCT, "D01-S002", "clearance", "S2", None, None, None, 9, None, 531.0,
     "slow_moving", None, None, None, 0, 0.0),
    (OCT, "D01", "clearance", "S2", None, None, None, 10, None, 590.0,
     "slow_moving", None, None, None, 1, 1 / 11),
]  # fmt: skip


def _insert(con, table: str, rows: list[tuple], fingerprint: bool = True) -> None:
    names = f"({', '.join(ACTION_COLUMNS)})" if table == "actions" else ""
    for row in rows:
        values = (*row, "fp-test") if fingerprint else row
        con.execute(
            f"insert into {table} {names} values ({', '.join('?' * len(values))})", list(values)
        )


@pytest.fixture
def month_db(tmp_path: Path) -> Settings:
    """Two classified months (2026-09, 2026-10) of a six-location network, results by hand."""
    s = Settings(db_path=tmp_path / "data" / "assortment.duckdb")
    store.init(s)
    with store.writer(s) as con:
        for kind, text in (("products", PRODUCTS), ("locations", LOCATIONS), ("stock", STOCK_SEP),
                           ("stock", STOCK_OCT)):  # fmt: skip
            load_file(con, s, kind, write(tmp_path / f"{kind}.csv", text), today=TODAY)
        _insert(con, "compliance", COMPLIANCE)
        _insert(con, "actions", ACTIONS)
        _insert(
            con,
            "bestsellers",
            [(OCT, 1, "S1", 40, 0.6), (SEP, 1, "S1", 35, 0.6)],
            fingerprint=False,
        )
        _insert(
            con,
            "new_styles",
            [(OCT, "S3", date(2026, 9, 1)), (SEP, "S3", date(2026, 9, 1))],
            fingerprint=False,
        )
        _insert(
            con, "order_plan",
            [(OCT, "North", "S1", "75B", 4, 12.0, 8), (OCT, "North", "S1", "80B", 2, 6.0, 4),
             (OCT, "East", "S1", "75B", 3, 5.0, 2), (OCT, "East", "S1", "80B", 0, 1.0, 5)],
            fingerprint=False,
        )  # fmt: skip
        # month, location, style, segment, best, new, on_hand, sold, sell-through, broken size,
        # broken colour, missing core SKUs
        _insert(
            con, "style_health",
            [(OCT, "D01", "S1", "bestseller", True, False, 5, 3, 0.4, False, False, []),
             (OCT, "D01", "S3", "new", False, True, 2, 0, 0.0, False, False, []),
             (OCT, "D01-S001", "S1", "bestseller", True, False, 1, 1, 0.5, True, False,
              ["S1-BLK-80B"]),
             (OCT, "D01-S001", "S3", "new", False, True, 0, 0, None, False, False, []),
             (OCT, "D01-S002", "S1", "bestseller", True, False, 0, 0, None, False, False, []),
             (OCT, "D01-S002", "S3", "new", False, True, 0, 0, None, False, False, [])],
        )  # fmt: skip
        for m in (SEP, OCT):
            con.execute(
                "insert into classify_runs (month, rules_fingerprint, rules_json, run_at, n_locations, n_pairs, seconds)"
                " values (?, 'fp-test', '{}', ?, 5, 6, 0.1)",
                [m, datetime(2026, 11, 1)],
            )
    return s


@pytest.fixture
def data(month_db: Settings):
    with store.reader(month_db) as con:
        return load_month(con, OCT)


# ------------------------------------------------------------------ reading and counting


def test_the_month_is_read_with_names_actions_and_last_months_status(data):
    comp = data.compliance
    assert comp["location_id"].to_list() == [
        "D01-S001",
        "D01-S002",
        "D02",
        "D02-S001",
        "D01",
    ]  # fail, warn, no_count, pass
    row = comp.filter(pl.col("location_id") == "D01-S001").row(0, named=True)
    assert row["name"] == "石家庄一店"
    assert row["reasons"] == ["below_min_styles", "new_styles_missing"]
    assert (row["replenish_units"], row["transfer_in_units"], row["prev_status"]) == (1, 1, "warn")
    d01 = comp.filter(pl.col("location_id") == "D01").row(0, named=True)
    assert (d01["transfer_out_units"], d01["clearance_units"], d01["clearance_value_cny"]) == (
        1,
        10,
        590.0,
    )
    assert data.prev_month == SEP and data.fingerprint == "fp-test"
    assert data.regions() == ["East", "North"] and data.reps() == sorted(["刘洋", "张伟", "王芳"])


def test_summary_counts_match_the_compliance_export(month_db, data):
    summary = build_summary(data, langs=("en", "zh"))
    with store.reader(month_db) as con:
        _, export = export_frame(con, "compliance", "2026-10")
    by_status = dict(export.group_by("status").len().iter_rows())
    assert summary["locations"] == export.height == 5
    assert {k: v for k, v in summary["by_status"].items() if v} == by_status
    reasons = export.select(pl.col("reasons").str.split(";").explode()).filter(
        pl.col("reasons") != ""
    )
    by_reason = dict(reasons.group_by("reasons").len().iter_rows())
    assert {k: v for k, v in summary["by_reason"].items() if v} == by_reason
    assert summary["previous_by_status"] == {"fail": 1, "warn": 1, "no_count": 0, "pass": 3}
    assert summary["change_by_status"] == {"fail": 0, "warn": 0, "no_count": 2, "pass": -2}
    assert summary["by_region"]["East"]["by_status"]["no_count"] == 2
    assert summary["by_rep"]["王芳"]["by_status"] == {
        "fail": 0,
        "warn": 1,
        "no_count": 0,
        "pass": 0,
    }
    assert summary["uploads"]["not_uploaded"] == ["D02"]
    assert summary["clearance"] == {"locations": 2, "styles": 1, "units": 19, "value_cny": 1121.0}
    assert summary["order_plan"]["by_region"] == {"East": 3, "North": 6}
    best = summary["bestsellers"][0]
    assert (best["rank"], best["style"], best["net_units"]) == (1, "S1", 40)
    assert (best["distributors_in_stock"], best["distributors_counted"]) == (1, 1)
    assert (best["stores_in_stock"], best["stores_counted"]) == (1, 2)
    json.dumps(summary)  # plain JSON types only


def test_a_rep_sees_own_locations_and_the_uploads_of_their_distributors(data):
    rep = scoped(data, Scope("rep", "王芳"))
    assert rep.compliance["location_id"].to_list() == ["D01-S002"]
    assert rep.actions["action"].to_list() == ["clearance"]
    assert rep.uploads["distributor_id"].to_list() == ["D01"]
    assert rep.order_plan.height == 0
    east = scoped(data, Scope("region", "East"))
    none, partial = upload_gaps(east)
    assert none["distributor_id"].to_list() == ["D02"] and partial.height == 0
    assert east.order_plan["units"].to_list() == [3, 0]


def test_coverage_and_clearance(data):
    cov = coverage(data, data.new_styles).row(0, named=True)
    assert (
        cov["n_dist_in_stock"],
        cov["n_dist_counted"],
        cov["n_store_in_stock"],
        cov["n_store_counted"],
    ) == (1, 1, 0, 2)
    clear = clearance_by_style(data).row(0, named=True)
    assert (clear["style"], clear["n_locations"], clear["units"], clear["value_cny"]) == (
        "S2",
        2,
        19,
        1121.0,
    )


# ------------------------------------------------------------------ pages


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_each_rep_sees_the_styles_stuck_at_their_distributors(month_db, lang):
    # D01 (rep 张伟) holds 10 of S2, shown at 0 of its 2 stores, selling 50% elsewhere
    with store.writer(month_db) as con:
        con.execute(
            "insert into stuck values (?, 'D01', 'S2', 10, 2, 0, 0.0, 0.5,"
            " ['D01-S001', 'D01-S002'], 4, 118.0, 'fp-test')",
            [OCT],
        )
    with store.reader(month_db) as con:
        data = load_month(con, OCT)
    title = i18n.t("report.stuck", lang)
    mine = interactive_html(
        build_page(scoped(data, Scope("rep", "张伟")), Scope("rep", "张伟"), lang)
    )
    section = mine[mine.index(title) :]
    count = "{}（{}）" if lang == "zh" else "{} ({})"  # Chinese headings take full-width brackets
    assert count.format(title, 1) in mine
    for cell in (
        "北方代理",
        "S2",
        "莫代尔内裤",
        "0 / 2",
        "50%",
        "D01-S001, D01-S002",
        ">4<",
        ">118<",
    ):
        assert cell in section, cell
    other = interactive_html(
        build_page(scoped(data, Scope("rep", "刘洋")), Scope("rep", "刘洋"), lang)
    )
    assert count.format(title, 0) in other and "D01-S001, D01-S002" not in other
    summary = build_summary(data, langs=(lang,))
    assert summary["stuck"] == {
        "pairs": 1,
        "distributors": 1,
        "units": 4,
        "value_at_stake_cny": 118.0,
    }


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_pages_for_network_region_and_rep(data, lang):
    net = build_page(data, Scope("network"), lang)
    # two regions: a "status by region" chart would be two bars, the table says it all
    assert set(net.figures) == {"trend", "reasons"}
    text = interactive_html(net)
    assert text.count(PLOTLY_JS_HEAD) == 1  # stand-alone: embedded once, not fetched
    assert text.count("Plotly.newPlot") == 2
    page_only = text.replace(get_plotlyjs(), "")
    assert not re.search(r"<script[^>]+src=|https?://", page_only)
    assert '"displayModeBar": false' in text  # no plotly toolbar
    assert 'id="fig-trend"' in text and "D02" in text  # D02 did not upload
    shared = interactive_html(net, plotly_src="../plotly.min.js")
    assert PLOTLY_JS_HEAD not in shared and '<script src="../plotly.min.js"' in shared
    assert len(shared) < 200_000
    region = interactive_html(
        build_page(scoped(data, Scope("region", "North")), Scope("region", "North"), lang)
    )
    assert "D01-S001" in region and "D01-S002" in region and "D02-S001" not in region
    rep_page = build_page(scoped(data, Scope("rep", "张伟")), Scope("rep", "张伟"), lang)
    printed = print_html(rep_page, {name: b"<svg/>" for name in rep_page.figures})
    assert "<script" not in printed and "data:image/svg+xml;base64," in printed
    assert "D01-S001" in printed and "D01-S002" not in printed
    # a rep's page opens with the locations to visit and has no factory order plan
    to_visit = i18n.t("report.to_visit", lang)
    assert printed.index(to_visit) < printed.index(i18n.t("report.by_reason", lang))
    assert i18n.t("plan.title", lang) not in printed and i18n.t("plan.title", lang) in text
    assert i18n.word("category", "bra", lang) in printed  # categories by their display names
    if lang == "zh":
        assert "货品结构健康" in text and "不达标" in text and 'lang="zh-CN"' in text
    else:
        assert "Assortment Health" in text and "Too few styles" in region


def test_pages_are_the_same_every_time(data):
    a = interactive_html(build_page(data, Scope("network"), "zh"))
    b = interactive_html(build_page(data, Scope("network"), "zh"))
    assert a == b


# ------------------------------------------------------------------ workbooks


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_rep_workbook_has_a_sheet_per_location_to_visit(data, tmp_path, lang):
    transfers = data.actions.filter(pl.col("action") == "transfer")
    path = tmp_path / "rep.xlsx"
    sheets = write_rep_workbook(
        path, scoped(data, Scope("rep", "张伟")), Scope("rep", "张伟"), lang, transfers=transfers
    )
    assert sheets == ["D01-S001"]
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == [
        i18n.t("report.summary", lang),
        "D01-S001",
        i18n.t("report.other_actions", lang),
    ]
    summary_ids = [r[0] for r in wb.worksheets[0].iter_rows(min_row=5, values_only=True)]
    assert summary_ids == ["D01-S001", "D01"]
    loc = wb["D01-S001"]
    cells = [c for row in loc.iter_rows(values_only=True) for c in row if c is not None]
    assert (
        i18n.word("status", "fail", lang) in cells
        and i18n.reason_words(["below_min_styles", "new_styles_missing"], lang) in cells
    )
    assert "S3-RED-M" in cells and "S1-BLK-80B" in cells
    other = [
        c for row in wb.worksheets[2].iter_rows(values_only=True) for c in row if c is not None
    ]
    assert (
        "D01" in other and i18n.word("action", "clearance", lang) in other
    )  # D01 passes: its clearance is listed
    if lang == "zh":
        assert "新款（2026-09 上市）缺货" in cells
    # D01 sends a unit to D01-S001: shown on the sending side only when D01 has a sheet (it passes)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_no_workbook_cell_is_cut_off_by_the_cell_beside_it(data, tmp_path, lang):
    """Text in a cell whose right-hand neighbour is filled shows only as far as its column is
    wide: every such column fits its longest text (Chinese characters two digits wide), up to
    the widest a column grows; headers wrap instead."""
    from openpyxl.utils import get_column_letter

    from assortment.report.excel import MAX_WIDTH, text_width

    transfers = data.actions.filter(pl.col("action") == "transfer")
    rep, net = tmp_path / "rep.xlsx", tmp_path / "network.xlsx"
    write_rep_workbook(
        rep, scoped(data, Scope("rep", "张伟")), Scope("rep", "张伟"), lang, transfers=transfers
    )
    write_network_workbook(net, data, lang)
    cut = []
    for path in (rep, net):
        for ws in openpyxl.load_workbook(path).worksheets:
            for row in ws.iter_rows(min_row=3):
                for cell, right in zip(row, row[1:], strict=False):
                    if not isinstance(cell.value, str) or right.value is None:
                        continue
                    if cell.alignment.wrap_text:
                        continue
                    width = ws.column_dimensions[get_column_letter(cell.column)].width
                    if width < min(MAX_WIDTH, text_width(cell.value)):
                        cut.append((path.name, ws.title, cell.coordinate, cell.value, width))
    assert not cut, cut[:10]


def test_workbook_text_is_never_a_formula(data, tmp_path):
    path = tmp_path / "network.xlsx"
    write_network_workbook(path, data, "en")
    wb = openpyxl.load_workbook(path)
    ws = wb[i18n.t("report.new_styles", "en")]
    cell = next(c for row in ws.iter_rows() for c in row if c.value == '=HYPERLINK("x")')
    assert cell.data_type == "s"


def test_workbooks_are_the_same_bytes_every_time(data, tmp_path):
    transfers = data.actions.filter(pl.col("action") == "transfer")
    for name in ("a", "b"):
        rep = Scope("rep", "张伟")
        write_rep_workbook(
            tmp_path / f"{name}.xlsx", scoped(data, rep), rep, "zh", transfers=transfers
        )
        write_network_workbook(tmp_path / f"{name}-net.xlsx", data, "zh")
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()
    assert (tmp_path / "a-net.xlsx").read_bytes() == (tmp_path / "b-net.xlsx").read_bytes()


def test_sheet_and_file_names_are_valid_and_unique():
    used: set[str] = set()
    assert sheet_name("A/B:C", used) == "A_B_C"
    assert sheet_name("a/b:c", used) == "a_b_c~2"
    assert len(sheet_name("x" * 40, used)) == 31
    names: set[str] = set()
    assert batch.safe_name("张伟", names) == "张伟"
    assert batch.safe_name("张伟", names) == "张伟-2"
    assert batch.safe_name("../a", names) == "_a"


# ------------------------------------------------------------------ words


def test_action_reasons_in_words_from_code_and_parameters():
    words = i18n.action_reason
    best = {"action": "replenish", "reason_code": "bestseller_not_in_stock", "bestseller_rank": 3}
    assert words(best, "zh") == "畅销款第 3 名缺货"
    assert words(best, "en") == "bestseller #3 not in stock"
    moved = {
        "action": "transfer",
        "reason_code": "broken_size_run",
        "colour": "BLK",
        "size": "75B",
        "source_location_id": "D01",
        "source_on_hand": 4,
    }
    assert words(moved, "zh") == "断码：BLK 色缺核心尺码 75B；从 D01 调货（该处有 4 件）"
    assert words(moved, "en") == (
        "broken size run: colour BLK lacks core size 75B; transfer from D01 (holds 4)"
    )
    new = {"action": "replenish", "reason_code": "new_style_not_in_stock", "launch_month": OCT}
    assert words(new, "en") == "new style (launched 2026-10) not in stock"
    assert words(new, "zh") == "新款（2026-10 上市）缺货"
    slow = {
        "action": "clearance",
        "reason_code": "slow_moving",
        "units_sold": 1,
        "units": 8,
        "sell_through": 1 / 9,
    }
    assert words(slow, "en") == "slow-moving: 1 sold over the window, 8 on hand (sell-through 11%)"
    assert words(slow, "zh") == "滞销：期内售出 1 件，库存 8 件（售罄率 11%）"
    assert words({"reason_code": "something_new"}, "zh") == "something_new"


# ------------------------------------------------------------------ PDFs made stable


def test_stable_pdf_keeps_length_and_drops_run_specific_bytes():
    raw = (
        b"%PDF-1.4\n<</Type /StructElem /ID (node00003933)>> <</ID (node00003901)>>"
        b"/Names [(node00003901) 1 0 R (node00003933) 2 0 R]"
        b"/CreationDate (D:20261122055357+00'00')\n/ModDate (D:20261122055357+00'00')>>"
    )
    out = stable_pdf(raw, OCT)
    assert len(out) == len(raw)
    assert b"(node00000002)" in out and b"(node00000001)" in out and b"3933" not in out
    assert out.count(b"D:20261001000000") == 2


# ------------------------------------------------------------------ the run: errors and safety


def test_bad_language_is_a_usage_error():
    with pytest.raises(UsageError, match="--lang must be en, zh or both, got 'fr'"):
        batch.parse_lang("fr")
    assert batch.parse_lang("both") == ("en", "zh") and batch.parse_lang("ZH") == ("zh",)


def test_no_database_or_no_counts_is_a_clear_error(tmp_path, settings, monkeypatch):
    monkeypatch.setattr(batch, "find_chromium", lambda: "/bin/true")
    with pytest.raises(NoDataError, match="assortment init"):
        batch.run_monthly(Settings(db_path=tmp_path / "none" / "x.duckdb"), out=tmp_path / "out")
    with pytest.raises(NoDataError, match="no stock counts are loaded yet"):
        batch.run_monthly(settings, out=tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_a_month_without_counts_is_a_clear_error(month_db, tmp_path, monkeypatch):
    monkeypatch.setattr(batch, "find_chromium", lambda: "/bin/true")
    with pytest.raises(
        NoDataError, match="no stock counts for 2026-07; counted months end with: 2026-09, 2026-10"
    ):
        batch.run_monthly(month_db, month="2026-07", out=tmp_path / "out")
    with pytest.raises(UsageError, match="month must be YYYY-MM"):
        batch.run_monthly(month_db, month="July", out=tmp_path / "out")
    (tmp_path / "file").write_text("x")
    with pytest.raises(UsageError, match="is a file"):
        batch.run_monthly(month_db, out=tmp_path / "file")


def test_a_missing_browser_is_named(monkeypatch):
    monkeypatch.setenv("BROWSER_PATH", "/nowhere/chromium")
    with pytest.raises(BrowserMissingError, match="BROWSER_PATH='/nowhere/chromium'"):
        find_chromium()
    monkeypatch.delenv("BROWSER_PATH")
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(BrowserMissingError, match="make e2e-deps"):
        find_chromium()


def _no_classify(settings, *, month=None, **_):
    return [JobResult(date.fromisoformat(f"{month}-01"), "fp-test", 5, 6, 4, {}, 0.0)]


def test_a_failed_run_leaves_the_previous_report_in_place(month_db, tmp_path, monkeypatch):
    out = tmp_path / "reports"
    (out / "2026-10").mkdir(parents=True)
    (out / "2026-10" / "summary.json").write_text("previous run")
    monkeypatch.setattr(batch, "find_chromium", lambda: "/bin/true")
    monkeypatch.setattr(batch, "classify", _no_classify)

    def half_way(data, root, **_):
        (root / "network.en.html").write_text("half")
        raise RuntimeError("disk full")

    monkeypatch.setattr(batch, "write_reports", half_way)
    with pytest.raises(RuntimeError, match="disk full"):
        batch.run_monthly(
            month_db, out=out, lang="en", progress=Progress("t", stream=io.StringIO())
        )
    assert sorted(p.name for p in out.iterdir()) == ["2026-10"]
    assert (out / "2026-10" / "summary.json").read_text() == "previous run"


def test_a_finished_run_replaces_the_month_and_cleans_up(month_db, tmp_path, monkeypatch):
    out = tmp_path / "reports"
    (out / "2026-10").mkdir(parents=True)
    (out / "2026-10" / "stale.txt").write_text("old")
    (out / ".2026-10.tmp-999999999").mkdir()  # left by a killed run
    monkeypatch.setattr(batch, "find_chromium", lambda: "/bin/true")
    monkeypatch.setattr(batch, "classify", _no_classify)
    monkeypatch.setattr(
        batch, "write_reports", lambda data, root, **_: (root / "index.html").write_text("new")
    )
    log = io.StringIO()
    result = batch.run_monthly(
        month_db, out=out, lang="zh", progress=Progress("monthly 2026-10", stream=log)
    )
    assert sorted(p.name for p in out.iterdir()) == ["2026-10"]
    assert sorted(result.files) == ["index.html", "summary.json"]
    summary = json.loads((out / "2026-10" / "summary.json").read_text("utf-8"))
    assert summary["month"] == "2026-10" and summary["languages"] == ["zh"]
    assert summary["files"][0]["path"] == "index.html"
    assert "monthly 2026-10: [1/3] classified 5 locations" in log.getvalue()
    assert "[2/3] classified the previous month 2026-09" in log.getvalue()  # its rules differed


def test_progress_is_plain_lines_off_a_terminal():
    log = io.StringIO()
    with Progress("monthly 2026-10", stream=log) as p:
        p.add(2)
        p.step("one")
        p.step("two")
    lines = log.getvalue().splitlines()
    assert [re.sub(r" \(.*s\)$", "", x) for x in lines] == [
        "monthly 2026-10: [1/2] one",
        "monthly 2026-10: [2/2] two",
    ]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_network_workbook_sheets_are_named_in_full_and_list_every_upload(data, tmp_path, lang):
    path = tmp_path / "net.xlsx"
    write_network_workbook(path, data, lang)
    wb = openpyxl.load_workbook(path)
    t = i18n.t
    assert wb.sheetnames == [
        t("report.compliance_sheet", lang),
        t("report.uploads", lang),
        t("report.bestsellers", lang),
        t("report.new_styles", lang),
        t("report.clearance_sheet", lang),
        t("report.clearance_detail", lang),
        t("plan.title", lang),
    ]  # none cut at 31 characters
    rows = list(wb[t("report.uploads", lang)].iter_rows(min_row=2, values_only=True))
    # every distributor group, gaps first: D02 sent nothing, D01 is complete
    assert [(r[0], r[1]) for r in rows] == [
        ("D02", i18n.word("report.upload", "none", lang)),
        ("D01", i18n.word("report.upload", "complete", lang)),
    ]


def test_follow_through_section_lists_the_reps_scorecard_of_the_month_before():
    import dataclasses

    import polars as pl

    from assortment.report import sections
    from assortment.report.data import MonthData

    card = pl.DataFrame(
        {
            "month": ["2026-09"],
            "rep": ["Li"],
            "lines": [10],
            "done": [4],
            "partly": [2],
            "not_done": [3],
            "unknown": [1],
            "value_at_stake_cny": [400.0],
            "done_value_cny": [200.0],
            "done_value_share": [0.5],
            "fixed": [1],
            "worse": [0],
        }
    )
    empty = pl.DataFrame()
    data = MonthData(
        month=date(2026, 10, 1),
        prev_month=date(2026, 9, 1),
        fingerprint="x",
        compliance=empty,
        actions=empty,
        history=empty,
        uploads=empty,
        required=empty,
        bestsellers=empty,
        new_styles=empty,
        order_plan=empty,
        styles=empty,
        stuck=empty,
        scorecard=card,
    )
    html = sections.follow_through(data, "zh")
    assert "上月拜访的落实情况" in html and "2026-09 → 2026-10" in html
    assert "<td>Li</td>" in html and "50%" in html
    none = sections.follow_through(dataclasses.replace(data, scorecard=card.clear()), "en")
    assert "No follow-through yet" in none


# month, location, rep (in September), action, style, colour, size, sku, units, source,
# value at stake, received units, status: September's lines judged by October's count
FOLLOW_SEP = [
    (SEP, "D01-S001", "张伟", "replenish", "S1", "BLK", "80B", "S1-BLK-80B", 2, None, 100.0, 2,
     "done"),
    (SEP, "D01-S001", "张伟", "transfer", "S1", "BLK", "75B", "S1-BLK-75B", 1, "D01", 50.0, 0,
     "not_done"),
    (SEP, "D01-S002", "王芳", "replenish", "S1", "BLK", "75B", "S1-BLK-75B", 3, None, 30.0, 1,
     "partly"),
    # 张伟 also covered D02-S001 (East) in September: not part of the North's figures
    (SEP, "D02-S001", "张伟", "replenish", "S1", "BLK", "75B", "S1-BLK-75B", 1, None, 80.0,
     None, "unknown"),
    (SEP, "D02", "刘洋", "clearance", "S2", None, None, None, 4, None, None, None, "unknown"),
]  # fmt: skip
CHANGES_SEP = [  # month, location, rep, status in M, in M+1, change
    (SEP, "D01", "张伟", "pass", "pass", None),
    (SEP, "D01-S001", "张伟", "warn", "fail", "worse"),
    (SEP, "D01-S002", "王芳", "pass", "warn", "worse"),
    (SEP, "D02", "刘洋", "pass", "no_count", None),
    (SEP, "D02-S001", "张伟", "fail", "no_count", None),
]
# the network's scorecard as the job stores it (by hand from the two lists above)
SCORECARD_SEP = [  # rep, lines, done, partly, not_done, unknown, value, done value, share, fixed, worse
    (SEP, "刘洋", 1, 0, 0, 0, 1, 0.0, 0.0, None, 0, 0),
    (SEP, "张伟", 3, 1, 0, 1, 1, 230.0, 100.0, 100 / 230, 0, 1),
    (SEP, "王芳", 1, 0, 1, 0, 0, 30.0, 0.0, 0.0, 0, 1),
]  # fmt: skip


def _follow_rows(html: str) -> list[list[str]]:
    """The cells of the follow-through section's table (body rows, then the total row)."""
    section = re.search(r"<section><h2>[^<]*2026-09 → 2026-10</h2>(.*?)</section>", html, re.S)
    assert section, "the follow-through section is on the page"
    rows = re.findall(r"<tr>(.*?)</tr>", section.group(1), re.S)[1:]  # past the header
    return [re.findall(r"<td[^>]*>(.*?)</td>", r) for r in rows]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_region_report_shows_the_follow_through_of_its_own_locations(month_db, lang):
    """Each rep's September lines and locations in the region, judged by October's count; a
    rep working in two regions is counted in each for what they did there."""
    with store.writer(month_db) as con:
        for table, rows in (
            ("follow_through", FOLLOW_SEP),
            ("location_changes", CHANGES_SEP),
            ("rep_scorecard", SCORECARD_SEP),
        ):
            for row in rows:
                con.execute(f"insert into {table} values ({', '.join('?' * len(row))})", row)
    with store.reader(month_db) as con:
        data = load_month(con, OCT)
    north = build_page(scoped(data, Scope("region", "North")), Scope("region", "North"), lang)
    html = "".join(markup for kind, markup in north.blocks if kind == "html")
    # North: 王芳 1 line partly (0% of ¥30 done), D01-S002 worse; 张伟 2 lines (¥100 of ¥150
    # done: 67%), D01-S001 worse. Lowest share done first, then the region's total.
    assert _follow_rows(html) == [
        ["王芳", "1", "0", "1", "0", "0", "0%", "0", "1"],
        ["张伟", "2", "1", "0", "1", "0", "67%", "0", "1"],
        [i18n.t("common.total", lang), "3", "1", "1", "1", "0", "56%", "0", "2"],
    ]
    east = build_page(scoped(data, Scope("region", "East")), Scope("region", "East"), lang)
    html = "".join(markup for kind, markup in east.blocks if kind == "html")
    # East: 张伟's D02-S001 line unknown (¥80, none done: 0%); 刘洋's clearance carries no
    # value (share empty)
    assert _follow_rows(html) == [
        ["张伟", "1", "0", "0", "0", "1", "0%", "0", "0"],
        ["刘洋", "1", "0", "0", "0", "1", "", "0", "0"],
        [i18n.t("common.total", lang), "2", "0", "0", "0", "2", "0%", "0", "0"],
    ]
    # the rep's page keeps the rep's whole scorecard (both regions)
    rep = build_page(scoped(data, Scope("rep", "张伟")), Scope("rep", "张伟"), lang)
    html = "".join(markup for kind, markup in rep.blocks if kind == "html")
    assert _follow_rows(html) == [["张伟", "3", "1", "0", "1", "1", "43%", "0", "1"]]


def test_the_batch_does_not_classify_a_month_whose_results_are_current(
    month_db, tmp_path, monkeypatch
):
    """Same code, same rules, no load since: classifying again would write the same results
    and publish a snapshot that empties every dashboard cache mid-day."""
    from assortment import job

    with store.writer(month_db) as con:
        con.execute(
            "update classify_runs set rules_fingerprint = ?, engine_fingerprint = ?,"
            " data_version = (select max(load_id) from load_log where result = 'loaded')",
            [month_db.rules().fingerprint, job.engine_fingerprint()],
        )
    asked: list[str] = []
    monkeypatch.setattr(batch, "find_chromium", lambda: "/bin/true")
    monkeypatch.setattr(batch, "classify", lambda s, *, month=None, **_: asked.append(month))
    monkeypatch.setattr(
        batch, "write_reports", lambda data, root, **_: (root / "index.html").write_text("new")
    )
    log = io.StringIO()
    batch.run_monthly(
        month_db, out=tmp_path / "r", lang="en", progress=Progress("monthly 2026-10", stream=log)
    )
    assert asked == [] and "[1/2] results current" in log.getvalue()
    # a load since: classified again
    with store.writer(month_db) as con:
        load_file(
            con,
            month_db,
            "stock",
            write(tmp_path / "again.csv", STOCK_OCT.replace(",5\n", ",6\n", 1)),
            today=TODAY,
        )
    monkeypatch.setattr(batch, "classify", _no_classify)
    batch.run_monthly(
        month_db, out=tmp_path / "r", lang="en", progress=Progress("monthly 2026-10", stream=log)
    )
    assert "classified 5 locations" in log.getvalue()


def test_status_by_distributor_names_each_group(data):
    from assortment.report.sections import status_table

    page = status_table(data, "distributor_group", "Distributor", "en")
    groups = data.uploads.select("distributor_id", "name").rows()
    assert groups and all(f"{code} {name}" in page for code, name in groups)
