"""The printed visit sheet (domain.md 6.5): one A4 page per location, nothing silently dropped.

The words and sums are checked on small hand-made lists; the page count and what the page
says were left off are checked on PDFs printed by Chromium (marked slow): a short list, a list
far too long for a page, and the busiest location of the demo network and of a distressed one.
"""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from assortment import i18n, job, months, sample, store
from assortment.config import Settings
from assortment.export import classified_months
from assortment.ingest import load_file, load_frame
from assortment.report import visit_sheet
from assortment.report.batch import month_visit_lines
from assortment.report.data import load_month
from assortment.visit import visit_lines

LOCATION = {
    "location_id": "D01-S004",
    "name": "石家庄天虹商场店",
    "kind": "store",
    "city": "石家庄",
    "rep": "王芳",
}
STYLES = pl.DataFrame(
    {
        "style": ["B1", "B2", "S9"],
        "style_name": ["无痕前扣文胸", "Cotton bra", "Old slip"],
        "category": ["bra", "bra", "brief"],
    }
)


def _line(action, style, colour, size, units, stake, *, source=None, kind=None, value=None):
    return {
        "location_id": "D01-S004",
        "action": action,
        "style": style,
        "colour": colour,
        "size": size,
        "units": units,
        "source_location_id": source,
        "source_name": {"D01-S008": "石家庄新世界店", "D01": "石家庄美姿商贸有限公司"}.get(source),
        "source_kind": kind,
        "value_cny": value,
        "value_at_stake_cny": stake,
        "demand_units_per_month": None if action == "clearance" else 1.0,
        "lacking_location_ids": None,
    }


SMALL = [
    # B1 from the store D01-S008: 75B×3 (stake 100.5) and 80B×2 (stake 20.25) -> 121 on paper
    _line("transfer", "B1", "BLK", "75B", 3, 100.5, source="D01-S008", kind="store"),
    _line("transfer", "B1", "BLK", "80B", 2, 20.25, source="D01-S008", kind="store"),
    # B2 from the brand: stake 40.5 -> 41 (half up)
    _line("replenish", "B2", "WHT", "75B", 1, 40.5, kind="brand"),
    # S9: clearance, 12 units worth 900.49 -> 900
    _line("clearance", "S9", None, None, 12, None, value=900.49),
]


def test_code_ranges_write_consecutive_stores_as_ranges():
    assert visit_sheet.code_ranges(["D01-S003", "D01-S001", "D01-S002", "D01-S005"]) == (
        "D01-S001–S003, D01-S005"
    )
    assert visit_sheet.code_ranges(["D02", "D01", "X"]) == "D01–D02, X"
    assert visit_sheet.code_ranges(["D01-S009", "D01-S010"]) == "D01-S009–S010"
    assert visit_sheet.code_ranges(["D01-S09", "D01-S100"]) == "D01-S09, D01-S100"
    assert visit_sheet.code_ranges([]) == ""


def test_whole_yuan_rounds_half_up_on_every_page():
    """388.5 yuan is 389 on the visit sheet, the location page and the reports alike."""
    from assortment.report.html import fmt_int
    from dashboard.components.ui import cny

    assert [i18n.whole(v) for v in (0.5, 1.5, 2.5, 1.49, None)] == [1, 2, 3, 1, 0]
    assert (cny(388.5), fmt_int(388.5), cny(2.5), fmt_int(40.5)) == ("389", "389", "3", "41")


def test_source_words_compact_and_long_and_distribute():
    row = {"action": "transfer", "source_location_id": "D01-S008", "source_kind": "store"}
    row["source_name"] = "石家庄新世界店"
    assert visit_sheet.source_words(row, "en") == "Store 石家庄新世界店 (D01-S008)"
    assert visit_sheet.source_words(row, "zh") == "门店 石家庄新世界店（D01-S008）"
    assert visit_sheet.source_words(row, "en", compact=True) == "D01-S008 石家庄新世界店"
    brand = {"action": "replenish", "source_location_id": None, "source_kind": "brand"}
    assert visit_sheet.source_words(brand, "en") == "Brand (replenish)"
    assert visit_sheet.source_words(brand, "zh", compact=True) == "品牌"
    # a distribute line sends the style to the stores lacking it (it used to read "Brand")
    spread = {
        "action": "distribute",
        "source_location_id": None,
        "source_kind": "distributor",
        "lacking_location_ids": "D01-S001;D01-S002;D01-S004",
    }
    assert visit_sheet.source_words(spread, "en") == "to 3 stores: D01-S001–S002, D01-S004"
    assert visit_sheet.source_words(spread, "zh") == "铺到 3 家门店：D01-S001–S002, D01-S004"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_sheet_totals_are_the_sums_of_its_rounded_lines(lang):
    lines = visit_lines(pl.DataFrame(SMALL), STYLES)
    page = visit_sheet.sheet_html(LOCATION, lines, month="2026-10", lang=lang)
    assert [int(v) for v in re.findall(r'class="line" data-part="\w+" data-v="(\d+)"', page)] == [
        121,
        41,
        900,
    ]
    assert i18n.t("visit.total.stake", lang, value="162") in page
    assert i18n.t("visit.total.clearance", lang, value="900") in page
    assert i18n.t("visit.total.lines", lang, n=3) in page
    # one hidden "more" line per part, filled only by the fit script when lines are left off
    assert page.count('class="more"') == 2 and page.count('style="display:none"') == 2
    assert "<script>" in page
    empty = visit_sheet.sheet_html(LOCATION, lines.clear(), month="2026-10", lang=lang)
    assert "<script>" not in empty and i18n.t("location.actions.none", lang) in empty


# ------------------------------------------------------------------ printed (Chromium)

MM_TO_PT = 72 / 25.4


@pytest.fixture(scope="module")
def printer(tmp_path_factory):
    """Print sheets with one Chromium for the module: ``printer(html) -> Path`` of the PDF."""
    if not (shutil.which("pdftotext") and shutil.which("pdfinfo")):
        pytest.skip("poppler-utils (pdftotext, pdfinfo) are needed")
    from assortment.report.batch import _as_is
    from assortment.report.browser import Browser

    folder = tmp_path_factory.mktemp("sheets")
    with Browser(print_tabs=2) as browser:

        def print_pdf(page: str) -> Path:
            n = len(list(folder.glob("*.pdf")))
            out = folder / f"sheet{n}.pdf"
            browser.page_pdf(
                {},
                width=800,
                make_html=functools.partial(_as_is, page),
                scratch=folder / f"sheet{n}.html",
                out=out,
                footer="footer",
                month=date(2026, 10, 1),
            ).result(timeout=120)
            return out

        yield print_pdf


def _pattern(key: str, lang: str, **fields: str) -> re.Pattern[str]:
    """A catalogue text as a regex, each named placeholder a number group."""
    text = re.escape(i18n.t(key, lang, **{f: "{" + f + "}" for f in fields}))
    for f in fields:
        text = text.replace(re.escape("{" + f + "}"), rf"(?P<{f}>[\d,]+)")
    return re.compile(text)


def _int(text: str) -> int:
    return int(text.replace(",", ""))


def read_sheet(pdf: Path, lang: str) -> dict:
    """What a printed sheet says: pages, the values in its Value column (top to bottom), the
    totals at the top and what each "more" line says was left off."""
    pages = int(re.search(r"Pages:\s+(\d+)", _run("pdfinfo", pdf)).group(1))
    text = _run("pdftotext", "-layout", pdf, "-")
    # the Value column's x-range on the page, from the sheet's own margins and widths
    left = visit_sheet._MARGINS_MM[3] + sum(visit_sheet._WIDTHS_MM[:6])
    x0, x1 = left * MM_TO_PT, (left + visit_sheet._WIDTHS_MM[6]) * MM_TO_PT
    words = re.finditer(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">([\d,]+)</word>',
        _run("pdftotext", "-bbox", pdf, "-"),
    )
    values = [
        value
        for _, value in sorted(
            (float(m.group(2)), _int(m.group(4)))
            for m in words
            if x0 - 1 <= float(m.group(1)) and float(m.group(3)) <= x1 + 1
        )
    ]
    totals = {
        "lines": _int(_pattern("visit.total.lines", lang, n="").search(text)["n"]),
        "stake": _int(_pattern("visit.total.stake", lang, value="").search(text)["value"]),
        "clear": _int(_pattern("visit.total.clearance", lang, value="").search(text)["value"]),
    }
    more = {}
    for part, key in (("move", "visit.more.moves"), ("clear", "visit.more.clearance")):
        found = _pattern(key, lang, n="", value="").search(text)
        one = _pattern(f"{key}_one", lang, value="").search(text)
        if found:
            more[part] = (_int(found["n"]), _int(found["value"]))
        elif one:
            more[part] = (1, _int(one["value"]))
    return {"pages": pages, "values": values, "totals": totals, "more": more, "text": text}


def _run(*args: object) -> str:
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, check=True).stdout


def check_adds_up(sheet: dict, lines: pl.DataFrame) -> None:
    """One page; what is printed plus what the "more" lines name is the whole list."""
    assert sheet["pages"] == 1
    is_clear = lines["action"] == "clearance"
    yuan = [i18n.whole(v) for v in lines["value_cny"].to_list()]
    stake = sum(y for y, c in zip(yuan, is_clear, strict=True) if not c)
    clear = sum(y for y, c in zip(yuan, is_clear, strict=True) if c)
    assert sheet["totals"] == {"lines": lines.height, "stake": stake, "clear": clear}
    n_clear = int(is_clear.sum())
    shown_moves = sheet["values"][
        : len(sheet["values"]) - (n_clear - sheet["more"].get("clear", (0, 0))[0])
    ]
    shown_clear = sheet["values"][len(shown_moves) :]
    more_moves = sheet["more"].get("move", (0, 0))
    more_clear = sheet["more"].get("clear", (0, 0))
    assert len(shown_moves) + more_moves[0] == lines.height - n_clear
    assert len(shown_clear) + more_clear[0] == n_clear
    assert sum(shown_moves) + more_moves[1] == stake
    assert sum(shown_clear) + more_clear[1] == clear
    # the lines kept are the top of the list, in its order
    assert (
        shown_moves == [y for y, c in zip(yuan, is_clear, strict=True) if not c][: len(shown_moves)]
    )
    assert shown_clear == [y for y, c in zip(yuan, is_clear, strict=True) if c][: len(shown_clear)]


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_short_list_prints_whole_on_one_page(printer, lang):
    lines = visit_lines(pl.DataFrame(SMALL), STYLES)
    sheet = read_sheet(
        printer(visit_sheet.sheet_html(LOCATION, lines, month="2026-10", lang=lang)), lang
    )
    check_adds_up(sheet, lines)
    assert sheet["values"] == [121, 41, 900] and sheet["more"] == {}
    assert "D01-S008" in sheet["text"] and "75B×3, 80B×2" in sheet["text"]


def _long_list(n_moves: int, n_clear: int) -> pl.DataFrame:
    """A list no page holds: long names, several colours, a distributor with a long name."""
    rows = []
    for i in range(n_moves):
        style = f"B{i:03d}"
        source = ("D01-S008", "store") if i % 3 else ("D01", "distributor")
        for colour in ("BLK", "NUD", "WHT")[: 1 + i % 3]:
            for size in ("70A", "75B", "80C", "85B")[: 1 + i % 4]:
                stake = 1000.0 / (i + 1)
                rows.append(
                    _line(
                        "transfer",
                        style,
                        colour,
                        size,
                        1 + i % 3,
                        stake,
                        source=source[0],
                        kind=source[1],
                    )
                )
    for i in range(n_clear):
        rows.append(_line("clearance", f"S{i:03d}", None, None, 10 + i, None, value=5000.0 - i))
    styles = pl.DataFrame(
        {
            "style": [f"B{i:03d}" for i in range(n_moves)] + [f"S{i:03d}" for i in range(n_clear)],
            "style_name": ["超薄无痕聚拢前扣蕾丝文胸"] * n_moves + ["Old slip"] * n_clear,
            "category": ["bra"] * n_moves + ["brief"] * n_clear,
        }
    )
    return visit_lines(pl.DataFrame(rows, infer_schema_length=None), styles)


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_list_no_page_holds_ends_each_part_with_what_was_left_off(printer, lang):
    lines = _long_list(300, 40)
    sheet = read_sheet(
        printer(visit_sheet.sheet_html(LOCATION, lines, month="2026-10", lang=lang)), lang
    )
    check_adds_up(sheet, lines)
    assert sheet["more"]["move"][0] > 0 and sheet["more"]["clear"][0] > 0
    # the biggest clearance jobs stay on paper while moves are cut
    assert len(sheet["values"]) - (300 - sheet["more"]["move"][0]) == visit_sheet.CLEARANCE_KEEP


# ------------------------------------------------------------------ real networks


def _distressed(folder: Path) -> Settings:
    """A network in distress: the stores' last count keeps about a third of its rows, so most
    of them fail and their lists run long."""
    net = sample.generate(seed=5, distributors=3, stores=30, styles=150, months=5)
    settings = Settings(db_path=folder / "assortment.duckdb")
    store.init(settings)
    with store.writer(settings) as con:
        for kind, frame in (("products", net.products), ("locations", net.locations)):
            frame.write_csv(folder / f"{kind}.csv")
            load_file(con, settings, kind, folder / f"{kind}.csv")
        for month in net.months:
            stock = net.stock(month)
            if month == net.months[-1]:
                at_store = pl.col("location_id").str.contains("-S")
                kept = pl.concat_str("location_id", "sku").hash(seed=1) % 100 < 35
                stock = stock.filter(at_store.not_() | kept)
            load_frame(con, "stock", stock, file_name=f"stock_{month}")
            load_frame(con, "sales", net.sales(month), file_name=f"sales_{month}")
    job.classify(settings, month=net.months[-1])
    return settings


def _demo(folder: Path) -> Settings:
    """The demo network (sample_data/ is this generator's output), its last month classified."""
    net = sample.generate()
    settings = Settings(db_path=folder / "assortment.duckdb")
    sample.load_network(net, settings, folder=folder)
    job.classify(settings, month=net.months[-1])
    return settings


@pytest.mark.slow
@pytest.mark.parametrize("build", [_demo, _distressed], ids=["demo", "distressed"])
def test_the_busiest_location_of_a_network_prints_on_one_page(build, printer, tmp_path):
    settings = build(tmp_path)
    with store.reader(settings) as con:
        data = load_month(con, months.parse(max(classified_months(con))))
    visits = month_visit_lines(data)
    busiest = (
        visits.group_by("location_id").len().sort(["len", "location_id"], descending=[True, False])
    )["location_id"][0]
    lines = visits.filter(pl.col("location_id") == busiest)
    assert lines.height > 60  # more than a page held before (3 pages for the demo's 83 lines)
    location = data.compliance.filter(pl.col("location_id") == busiest).row(0, named=True)
    for lang in ("en", "zh"):
        page = visit_sheet.sheet_html(location, lines, month=data.month_str, lang=lang)
        check_adds_up(read_sheet(printer(page), lang), lines)
