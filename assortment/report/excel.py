"""The report's workbooks: per rep (a summary, one sheet per location to visit) and the network's.

Written with xlsxwriter cell by cell with explicit types: text is always written as text (a
code such as ``=D01`` can never become a formula), and the document's creation date is the
report's month, so the same inputs give the same bytes.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import polars as pl
import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from assortment import i18n, months
from assortment.report.data import (
    MonthData,
    Scope,
    clearance_by_style,
    coverage,
    upload_states,
)
from assortment.report.sections import scope_label, standards_line

_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


@dataclass(frozen=True)
class XCol:
    """A workbook column: header, key (or function of the row), kind, width."""

    label: str
    key: str | Callable[[dict[str, Any]], Any]
    kind: str = "text"  # text | int | pct | money | float | bool
    width: float = 12


def sheet_name(text: str, used: set[str]) -> str:
    """A valid, unique (case-insensitive) sheet name of at most 31 characters."""
    base = _BAD_SHEET_CHARS.sub("_", text).strip("'") or "sheet"
    name, n = base[:31], 2
    while name.lower() in used:
        suffix = f"~{n}"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(name.lower())
    return name


def _link_to(sheet: str) -> str:
    """A hyperlink target to cell A1 of ``sheet`` (quotes in the name doubled, as Excel wants)."""
    return "internal:'" + sheet.replace("'", "''") + "'!A1"


MAX_WIDTH = 80
"""The widest a column grows to fit its longest cell (Excel's units: about one digit each)."""


def text_width(value: Any) -> float:
    """How wide ``value`` shows in a cell: a Chinese character (East Asian wide or full width)
    takes two digits' room, anything else one."""
    text = value if isinstance(value, str) else _shown(value)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _shown(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


class _Book:
    """A workbook with the report's formats."""

    def __init__(self, path: Path, data: MonthData, *, title: str) -> None:
        self.wb = xlsxwriter.Workbook(
            str(path), {"strings_to_formulas": False, "strings_to_urls": False}
        )
        created = datetime(data.month.year, data.month.month, 1)
        self.wb.set_properties({"title": title, "created": created})
        self.used: set[str] = set()
        self._widths: dict[tuple[str, int], float] = {}
        f = self.wb.add_format
        self.fmt = {
            "title": f({"bold": True, "font_size": 14}),
            "meta": f({"font_color": "#52606d"}),
            "h": f(
                {
                    "bold": True,
                    "bg_color": "#f0f4f8",
                    "bottom": 1,
                    "text_wrap": True,
                    "valign": "top",
                }
            ),
            "h2": f({"bold": True, "font_size": 12}),
            "int": f({"num_format": "#,##0"}),
            "money": f({"num_format": "#,##0"}),
            "pct": f({"num_format": "0%"}),
            "float": f({"num_format": "0.00"}),
            "link": f({"font_color": "blue", "underline": 1}),
            "fail": f({"bold": True, "font_color": "#ffffff", "bg_color": "#d1495b"}),
            "warn": f({"bold": True, "bg_color": "#edae49"}),
            "pass": f({"font_color": "#ffffff", "bg_color": "#3c8d5a"}),
            "no_count": f({"font_color": "#ffffff", "bg_color": "#9aa5b1"}),
            "label": f({"bold": True}),
        }

    def sheet(self, name: str) -> tuple[Worksheet, str]:
        final = sheet_name(name, self.used)
        return self.wb.add_worksheet(final), final

    def cell(self, ws: Worksheet, row: int, col: int, value: Any, kind: str = "text") -> None:
        if value is None or (isinstance(value, float) and not math.isfinite(value)):
            ws.write_blank(row, col, None)
        elif kind == "text":
            ws.write_string(row, col, str(value))
        elif kind == "bool":
            ws.write_boolean(row, col, bool(value))
        else:
            ws.write_number(row, col, value, self.fmt[kind])

    def widen(self, ws: Worksheet, col: int, width: float) -> None:
        """Make column ``col`` of ``ws`` at least ``width`` wide (never narrower than another
        table of the sheet needed it)."""
        key = (ws.name, col)
        if width > self._widths.get(key, 0.0):
            self._widths[key] = width
            ws.set_column(col, col, width)

    def table(
        self,
        ws: Worksheet,
        row: int,
        cols: Sequence[XCol],
        rows: Sequence[dict[str, Any]],
        *,
        status_col: int | None = None,
    ) -> int:
        """Write a header and rows from ``row``; returns the next free row. Each column is as
        wide as its longest cell (up to :data:`MAX_WIDTH`, at least the column's own width);
        headers wrap, so a header needs only its longest word's room."""
        need = [max([col.width, *(text_width(w) + 1 for w in col.label.split())]) for col in cols]
        for c, col in enumerate(cols):
            ws.write_string(row, c, col.label, self.fmt["h"])
        for r, item in enumerate(rows, start=row + 1):
            for c, col in enumerate(cols):
                value = col.key(item) if callable(col.key) else item.get(col.key)
                if c == status_col and isinstance(value, tuple):
                    code, words = value
                    ws.write_string(r, c, words, self.fmt.get(code))
                    value = words
                else:
                    self.cell(ws, r, c, value, col.kind)
                if value is not None and col.kind != "pct":
                    need[c] = max(need[c], min(MAX_WIDTH, text_width(value) + 2))
        for c, width in enumerate(need):
            self.widen(ws, c, width)
        return row + 1 + len(rows)

    def close(self) -> None:
        self.wb.close()


def _location_cols(lang: str, *, with_place: bool) -> list[XCol]:
    t = functools.partial(i18n.t, lang=lang)
    cols = [
        XCol(t("common.location"), "location_id", width=12),
        XCol(t("common.name"), "name", width=22),
        XCol(t("common.kind"), lambda r: i18n.word("kind", r["kind"], lang), width=9),
        XCol(t("common.distributor"), lambda r: r["distributor_id"] or r["location_id"], width=10),
        XCol(t("common.city"), "city", width=9),
    ]
    if with_place:
        cols += [XCol(t("common.region"), "region", width=9), XCol(t("common.rep"), "rep", width=9)]
    cols += [
        XCol(
            t("common.status"),
            lambda r: (r["status"], i18n.word("status", r["status"], lang)),
            width=9,
        ),
        XCol(
            t("common.status") + i18n.paren(t("report.previous_month"), lang),
            lambda r: i18n.word("status", r.get("prev_status"), lang),
            width=9,
        ),
        XCol(t("col.reasons"), lambda r: i18n.reason_words(r["reasons"], lang), width=28),
        XCol(t("col.active_vs_min").split(" / ")[0], "active_styles", "int", 8),
        XCol(t("col.active_vs_min").split(" / ")[-1], "min_styles", "int", 8),
        XCol(t("col.bestseller_cov"), "bestseller_coverage", "pct", 10),
        XCol(t("col.new_cov"), "new_coverage", "pct", 10),
        XCol(t("report.broken_share"), "broken_size_share", "pct", 10),
        XCol(t("report.slow_share"), "slow_stock_share", "pct", 10),
        XCol(t("report.shrinking"), lambda r: t("yes") if r["shrinking"] else t("no"), width=8),
        XCol(t("report.n_replenish"), "replenish_units", "int", 10),
        XCol(t("report.n_transfer_in"), "transfer_in_units", "int", 10),
        XCol(t("report.n_transfer_out"), "transfer_out_units", "int", 10),
        XCol(t("report.clearance_units"), "clearance_units", "int", 10),
        XCol(t("report.clearance_value"), "clearance_value_cny", "money", 12),
    ]
    return cols


def _action_cols(lang: str, names: dict[str, str], *, with_location: bool) -> list[XCol]:
    t = functools.partial(i18n.t, lang=lang)
    cols = []
    if with_location:
        cols += [
            XCol(t("common.location"), "location_id", width=12),
            XCol(t("common.name"), "name", width=20),
        ]
    cols += [
        XCol(t("col.action"), lambda r: i18n.word("action", r["action"], lang), width=9),
        XCol(t("common.style"), "style", width=10),
        XCol(t("common.style_name"), lambda r: names.get(r["style"]), width=16),
        XCol(t("col.colour"), "colour", width=7),
        XCol(t("col.size"), "size", width=6),
        XCol(t("col.sku"), "sku", width=18),
        XCol(t("common.units"), "units", "int", 7),
        XCol(t("col.source"), "source_location_id", width=11),
        XCol(t("col.value"), "value_cny", "money", 10),
        XCol(t("col.reason"), lambda r: i18n.action_reason(r, lang), width=60),
    ]
    return cols


def _visit_cols(lang: str) -> list[XCol]:
    from assortment.report import visit_sheet  # the sheet's words: one wording on paper and here

    t = functools.partial(i18n.t, lang=lang)
    return [
        XCol(t("common.location"), "location_id", width=11),
        XCol(t("common.name"), "location_name", width=18),
        XCol("#", "line", "int", 4),
        XCol(t("col.action"), lambda r: i18n.word("action", r["action"], lang), width=8),
        XCol(t("common.style"), lambda r: visit_sheet.style_words(r, lang)[0], width=20),
        XCol(
            t("col.colour") + " · " + t("common.category"),
            lambda r: visit_sheet.style_words(r, lang)[1],
            width=16,
        ),
        XCol(t("visit.col.sizes"), lambda r: visit_sheet.sizes_words(r, lang), width=26),
        XCol(t("col.units"), "units", "int", 7),
        XCol(t("visit.col.from"), lambda r: visit_sheet.source_words(r, lang), width=22),
        XCol(t("visit.col.value"), "value_cny", "money", 10),
        XCol(t("col.reason"), lambda r: i18n.action_reason(r, lang), width=50),
    ]


def write_rep_workbook(
    path: Path,
    data: MonthData,
    scope: Scope,
    lang: str,
    *,
    transfers: pl.DataFrame,
    visits: pl.DataFrame | None = None,
) -> list[str]:
    """The rep's workbook: a summary of every location, one sheet per location to visit, the rest.

    Args:
        path: The .xlsx to write.
        data: The month cut to the rep (see ``data.scoped``): the rep's locations and their actions.
        scope: The rep.
        lang: ``en`` or ``zh``.
        transfers: Every transfer of the network (a location may send units to a store of
            another rep).
        visits: The visit lists of the rep's locations (``batch.month_visit_lines``): a
            "Visit list" sheet after the summary, locations in the summary's order.

    Returns:
        The location ids that got their own sheet, in sheet order.
    """
    t = functools.partial(i18n.t, lang=lang)
    title = " · ".join(
        (
            t("app.title"),
            t("report.monthly_report") + " " + data.month_str,
            scope_label(lang, scope),
        )
    )
    book = _Book(path, data, title=title)
    names = dict(data.styles.select("style", "style_name").iter_rows())
    comp = data.compliance
    visit = comp.filter(pl.col("status").is_in(["fail", "warn"]))
    ws, summary_sheet = book.sheet(t("report.summary"))
    ws.write_string(0, 0, title, book.fmt["title"])
    prev = months.fmt(data.prev_month) if data.prev_month else t("report.not_classified")
    ws.write_string(
        1,
        0,
        t("report.previous_month") + i18n.colon(lang) + f"{prev} · " + standards_line(data, lang),
        book.fmt["meta"],
    )

    book.used.add(t("report.other_actions").lower())  # reserved for the last sheet
    sheet_of = {loc: sheet_name(loc, book.used) for loc in visit["location_id"].to_list()}
    cols = _location_cols(lang, with_place=False)
    cols.append(XCol(t("report.sheet"), lambda r: sheet_of.get(r["location_id"]), width=10))
    rows = comp.to_dicts()
    end = book.table(ws, 3, cols, rows, status_col=5)
    for r, item in enumerate(rows, start=4):
        target = sheet_of.get(item["location_id"])
        if target:
            ws.write_url(r, len(cols) - 1, _link_to(target), book.fmt["link"], string=target)
    ws.freeze_panes(4, 1)
    ws.autofilter(3, 0, max(3, end - 1), len(cols) - 1)

    if visits is not None:
        ws, _ = book.sheet(t("visit.sheet"))
        ws.write_string(0, 0, t("visit.sheet") + " · " + data.month_str, book.fmt["title"])
        ws.write_string(1, 0, t("visit.value_note"), book.fmt["meta"])
        order = {loc: i for i, loc in enumerate(comp["location_id"].to_list())}
        loc_names = dict(comp.select("location_id", "name").iter_rows())
        visit_rows: list[dict[str, Any]] = []
        for loc, lines in sorted(
            visits.partition_by("location_id", as_dict=True, maintain_order=True).items(),
            key=lambda kv: order.get(kv[0][0], len(order)),
        ):
            for i, line in enumerate(lines.to_dicts(), start=1):
                visit_rows.append({**line, "line": i, "location_name": loc_names.get(loc[0])})
        vcols = _visit_cols(lang)
        end = book.table(ws, 3, vcols, visit_rows)
        ws.freeze_panes(4, 2)
        ws.autofilter(3, 0, max(3, end - 1), len(vcols) - 1)

    actions = data.actions
    act_cols = _action_cols(lang, names, with_location=False)
    out_cols = [
        XCol(t("report.destination"), "location_id", width=12),
        XCol(t("common.name"), "name", width=20),
        *[c for c in act_cols if c.label not in (t("col.source"), t("col.action"))],
    ]
    figure_rows = (
        (t("common.status"), lambda r: i18n.word("status", r["status"], lang), "text"),
        (t("col.reasons"), lambda r: i18n.reason_words(r["reasons"], lang), "text"),
        (
            t("common.status") + i18n.paren(t("report.previous_month"), lang),
            lambda r: i18n.word("status", r.get("prev_status"), lang),
            "text",
        ),
        (t("col.active_vs_min"), lambda r: f"{r['active_styles']} / {r['min_styles']}", "text"),
        (t("col.bestseller_cov"), lambda r: r["bestseller_coverage"], "pct"),
        (t("col.new_cov"), lambda r: r["new_coverage"], "pct"),
        (t("report.broken_share"), lambda r: r["broken_size_share"], "pct"),
        (t("report.slow_share"), lambda r: r["slow_stock_share"], "pct"),
        (t("report.shrinking"), lambda r: t("yes") if r["shrinking"] else t("no"), "text"),
    )
    for item in visit.to_dicts():
        loc = item["location_id"]
        ws = book.wb.add_worksheet(sheet_of[loc])
        ws.write_string(0, 0, f"{loc} {item['name'] or ''}".strip(), book.fmt["title"])
        kind = i18n.word("kind", item["kind"], lang)
        ws.write_string(
            1,
            0,
            f"{kind} · {item['city'] or ''} · "
            + t("common.distributor")
            + f" {item['distributor_id'] or loc}",
            book.fmt["meta"],
        )
        ws.write_url(
            1, 6, _link_to(summary_sheet), book.fmt["link"], string="← " + t("report.summary")
        )
        row = 3
        for label, get, kind_ in figure_rows:
            ws.write_string(row, 0, label, book.fmt["label"])
            if label == t("common.status"):
                ws.write_string(row, 1, get(item), book.fmt[item["status"]])
            else:
                book.cell(ws, row, 1, get(item), kind_)
            row += 1
        row += 1
        here = actions.filter(pl.col("location_id") == loc).to_dicts()
        ws.write_string(row, 0, t("report.actions_here", n=len(here)), book.fmt["h2"])
        row = book.table(ws, row + 1, act_cols, here) + 1
        sends = transfers.filter(pl.col("source_location_id") == loc).to_dicts()
        if sends:
            ws.write_string(row, 0, t("report.sends_out", n=len(sends)), book.fmt["h2"])
            book.table(ws, row + 1, out_cols, sends)
        book.widen(ws, 0, max(14, act_cols[0].width, *(text_width(r[0]) + 2 for r in figure_rows)))
        book.widen(ws, 1, 16)

    others = actions.filter(~pl.col("location_id").is_in(list(sheet_of))).to_dicts()
    ws = book.wb.add_worksheet(t("report.other_actions")[:31])
    ws.write_string(
        0,
        0,
        t("report.other_actions_title", n=len(others)),
        book.fmt["h2"],
    )
    book.table(ws, 1, _action_cols(lang, names, with_location=True), others)
    ws.freeze_panes(2, 1)
    book.close()
    return list(sheet_of)


def write_network_workbook(path: Path, data: MonthData, lang: str) -> None:
    """The network's workbook: compliance of every location, uploads, bestsellers, new styles,
    the full clearance list and the factory order plan."""
    t = functools.partial(i18n.t, lang=lang)
    title = " · ".join(
        (t("app.title"), t("report.monthly_report") + " " + data.month_str, t("common.network"))
    )
    book = _Book(path, data, title=title)
    names = dict(data.styles.select("style", "style_name").iter_rows())

    ws, _ = book.sheet(t("report.compliance_sheet"))
    ws.write_string(0, 0, title, book.fmt["title"])
    prev = months.fmt(data.prev_month) if data.prev_month else t("report.not_classified")
    ws.write_string(
        1,
        0,
        t("report.previous_month") + f": {prev} · " + standards_line(data, lang),
        book.fmt["meta"],
    )
    cols = _location_cols(lang, with_place=True)
    end = book.table(ws, 3, cols, data.compliance.to_dicts(), status_col=7)
    ws.freeze_panes(4, 1)
    ws.autofilter(3, 0, max(3, end - 1), len(cols) - 1)

    ws, _ = book.sheet(t("report.uploads"))
    received = upload_states(data)
    book.table(
        ws,
        0,
        [
            XCol(t("common.distributor"), "distributor_id", width=10),
            XCol(
                t("common.status"), lambda r: i18n.word("report.upload", r["state"], lang), width=12
            ),
            XCol(t("common.name"), "name", width=24),
            XCol(t("common.region"), "region", width=9),
            XCol(t("common.rep"), "rep", width=9),
            XCol(t("report.active"), "n_active_locations", "int", 9),
            XCol(t("report.counted"), "n_counted_locations", "int", 9),
            XCol(
                t("report.last_counted"),
                lambda r: r["last_counted_month"] or t("report.never"),
                width=10,
            ),
        ],
        received.to_dicts(),
    )

    cov_cols = [
        XCol(t("report.dist_cov"), "n_dist_in_stock", "int", 10),
        XCol(
            t("report.counted") + i18n.paren(t("common.distributor"), lang),
            "n_dist_counted",
            "int",
            10,
        ),
        XCol(t("report.store_cov"), "n_store_in_stock", "int", 10),
        XCol(
            t("report.counted") + i18n.paren(i18n.word("kind", "store", lang), lang),
            "n_store_counted",
            "int",
            10,
        ),
    ]
    ws, _ = book.sheet(t("report.bestsellers"))
    book.table(
        ws,
        0,
        [
            XCol(t("styles.rank"), "rank", "int", 6),
            XCol(t("common.style"), "style", width=10),
            XCol(t("common.style_name"), "style_name", width=16),
            XCol(t("common.category"), "category", width=8),
            XCol(t("report.net_units"), "net_units", "int", 10),
            *cov_cols,
        ],
        coverage(data, data.bestsellers).to_dicts(),
    )
    ws, _ = book.sheet(t("report.new_styles"))
    book.table(
        ws,
        0,
        [
            XCol(t("common.style"), "style", width=10),
            XCol(t("common.style_name"), "style_name", width=16),
            XCol(t("common.category"), "category", width=8),
            XCol(t("styles.launch"), "launch_month", width=9),
            *cov_cols,
        ],
        coverage(data, data.new_styles).to_dicts(),
    )
    ws, _ = book.sheet(t("report.clearance_sheet"))
    book.table(
        ws,
        0,
        [
            XCol(t("common.style"), "style", width=10),
            XCol(t("common.style_name"), "style_name", width=16),
            XCol(t("common.category"), "category", width=8),
            XCol(t("report.n_locations"), "n_locations", "int", 9),
            XCol(t("common.units"), "units", "int", 9),
            XCol(t("col.value"), "value_cny", "money", 12),
        ],
        clearance_by_style(data).to_dicts(),
    )
    ws, _ = book.sheet(t("report.clearance_detail"))
    detail = data.actions.filter(pl.col("action") == "clearance").sort(
        ["value_cny", "location_id", "style"], descending=[True, False, False]
    )
    book.table(
        ws,
        0,
        [
            XCol(t("common.location"), "location_id", width=12),
            XCol(t("common.name"), "name", width=20),
            XCol(t("common.region"), "region", width=9),
            XCol(t("common.rep"), "rep", width=9),
            XCol(t("common.style"), "style", width=10),
            XCol(t("common.style_name"), lambda r: names.get(r["style"]), width=16),
            XCol(t("common.units"), "units", "int", 8),
            XCol(t("col.value"), "value_cny", "money", 11),
            XCol(t("col.reason"), lambda r: i18n.action_reason(r, lang), width=60),
        ],
        detail.to_dicts(),
    )
    ws.freeze_panes(1, 1)
    ws, _ = book.sheet(t("plan.title"))
    book.table(
        ws,
        0,
        [
            XCol(t("common.region"), "region", width=9),
            XCol(t("common.style"), "style", width=10),
            XCol(t("common.style_name"), "style_name", width=16),
            XCol(t("common.category"), "category", width=8),
            XCol(t("col.size"), "size", width=6),
            XCol(t("common.units"), "units", "int", 8),
            XCol(t("plan.demand"), "demand_units", "float", 10),
            XCol(t("col.on_hand"), "on_hand_units", "int", 9),
        ],
        data.order_plan.to_dicts(),
    )
    ws.freeze_panes(1, 2)
    if data.plan_locations.height:
        ws, _ = book.sheet(t("plan.not_counted", month=data.month_str))
        book.table(
            ws,
            0,
            [
                XCol(t("common.region"), "region", width=9),
                XCol(t("common.location"), "location_id", width=12),
                XCol(t("common.name"), "name", width=24),
                XCol(
                    t("plan.coverage"),
                    lambda r: i18n.word("plan.coverage", r["coverage"], lang),
                    width=14,
                ),
                XCol(
                    t("plan.count_month"),
                    lambda r: r["count_month"] or t("plan.never_counted"),
                    width=12,
                ),
            ],
            data.plan_locations.to_dicts(),
        )
        ws.freeze_panes(1, 0)
    book.close()
