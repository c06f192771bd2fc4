"""The printable visit sheet of one location (domain.md 6.5): its visit list on one A4 page.

The sheet is plain HTML printed by the report's Chromium (:mod:`assortment.report.browser`):
the monthly batch prints one per location with actions, the dashboard prints one on demand.
Columns have fixed widths that add up to the page and every cell wraps, so nothing is cut;
a tick box per line lets the rep mark what was done on the spot.
"""

from __future__ import annotations

import html
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl

from assortment import i18n
from assortment.report import figures
from assortment.report.browser import Browser

E = html.escape

VISIT_CSS = """
@page { size: A4; margin: 10mm 9mm 12mm 9mm; }
* { box-sizing: border-box; }
body { font-family: var(--font); color: #1f2933; margin: 0; font-size: 8.5pt; line-height: 1.25; }
h1 { font-size: 14pt; margin: 0 0 2px 0; }
.meta { color: #52606d; margin: 0 0 6px 0; }
.totals { margin: 0 0 8px 0; }
.totals span { display: inline-block; margin-right: 14px; }
table { width: 100%; border-collapse: collapse; table-layout: fixed; }
th, td { border-bottom: 1px solid #d9e2ec; padding: 2px 3px; vertical-align: top;
  overflow-wrap: anywhere; word-break: normal; text-align: left; }
th { background: #f0f4f8; font-weight: 600; font-size: 8pt; }
thead { display: table-header-group; }
tr { break-inside: avoid; }
td.n, th.n { text-align: right; white-space: nowrap; }
.act { font-weight: 600; overflow-wrap: normal; }
th { overflow-wrap: normal; }
.act-transfer { color: #7c3aed; } .act-replenish { color: #1d4ed8; } .act-clearance { color: #a16207; }
.sub { color: #52606d; font-size: 7.5pt; }
.box { display: inline-block; width: 11px; height: 11px; border: 1px solid #52606d; }
.note { color: #52606d; font-size: 8pt; margin-top: 6px; }
.empty { padding: 12px; background: #ecfdf5; border-radius: 4px; }
"""

# column widths in percent of the page (they add up to 100)
_WIDTHS = (3, 9, 23, 19, 5, 26, 8, 7)


def _money(value: Any) -> str:
    return "" if value is None else f"{value:,.0f}"


def source_words(row: dict[str, Any], lang: str) -> str:
    """Where a line's units come from: the source location by name and code, or the brand."""
    if row["action"] == "clearance":
        return ""
    if row.get("source_location_id"):
        kind = i18n.word("kind", row.get("source_kind"), lang)
        name = row.get("source_name") or ""
        return " ".join(x for x in (kind, name, f"({row['source_location_id']})") if x)
    return i18n.t("visit.source.brand", lang)


def style_words(row: dict[str, Any], lang: str) -> tuple[str, str]:
    """A line's style as (``code name``, ``colour · category``): unambiguous without a photo."""
    head = f"{row['style']} {row.get('style_name') or ''}".strip()
    tail = [row.get("colours") or "", i18n.word("category", row.get("category"), lang)]
    return head, " · ".join(x for x in tail if x)


def sizes_words(row: dict[str, Any], lang: str) -> str:
    """The sizes and units of a line; for clearance, the months of stock on hand."""
    if row["action"] == "clearance":
        cover = row.get("months_of_cover")
        if cover is None:
            return i18n.t("visit.cover.none", lang)
        return i18n.t("visit.cover", lang, months=f"{cover:.1f}")
    return row.get("sizes") or ""


def sheet_html(location: dict[str, Any], lines: pl.DataFrame, *, month: str, lang: str) -> str:
    """The visit sheet of one location as an HTML document.

    Args:
        location: location_id, name, kind, city (optional), rep, distributor_id, group_name.
        lines: The location's visit list (:func:`assortment.visit.visit_lines`).
        month: ``YYYY-MM``: the month counted.
        lang: ``en`` or ``zh``.
    """
    t = i18n.t
    rows = lines.to_dicts()
    title = t("visit.title", lang)
    head = f"<h1>{E(title)} · {E(location.get('name') or '')} ({E(location['location_id'])})</h1>"
    meta = " · ".join(
        x
        for x in (
            t("app.title", lang),
            i18n.word("kind", location.get("kind"), lang),
            location.get("city") or "",
            t("location.meta.rep", lang) + " " + (location.get("rep") or "–"),
            t("visit.counted", lang, month=month),
        )
        if x
    )
    stake = sum(r["value_cny"] or 0 for r in rows if r["action"] != "clearance")
    clear = sum(r["value_cny"] or 0 for r in rows if r["action"] == "clearance")
    units_in = sum(r["units"] or 0 for r in rows if r["action"] != "clearance")
    figures_line = (
        t("visit.total.lines", lang, n=len(rows)),
        t("visit.total.units_in", lang, n=units_in),
        t("visit.total.stake", lang, value=_money(stake)),
        t("visit.total.clearance", lang, value=_money(clear)),
    )
    totals = '<p class="totals">' + "".join(f"<span>{E(x)}</span>" for x in figures_line) + "</p>"
    if not rows:
        body = '<p class="empty">' + E(t("location.actions.none", lang)) + "</p>"
    else:
        labels = (
            ("#", False),
            (t("col.action", lang), False),
            (t("common.style", lang), False),
            (t("visit.col.sizes", lang), False),
            (t("col.units", lang), True),
            (t("visit.col.from", lang), False),
            (t("visit.col.value", lang), True),
            (t("visit.col.done", lang), False),
        )
        cols = "".join(f'<col style="width:{w}%">' for w in _WIDTHS)
        ths = "".join(f"<th{' class=n' if num else ''}>{E(label)}</th>" for label, num in labels)
        trs = []
        for i, r in enumerate(rows, start=1):
            name, sub = style_words(r, lang)
            trs.append(
                "<tr>"
                f"<td>{i}</td>"
                f'<td class="act act-{E(r["action"])}">{E(i18n.word("action", r["action"], lang))}</td>'
                f'<td>{E(name)}<div class="sub">{E(sub)}</div></td>'
                f"<td>{E(sizes_words(r, lang))}</td>"
                f'<td class="n">{r["units"]:,}</td>'
                f"<td>{E(source_words(r, lang))}</td>"
                f'<td class="n">{_money(r["value_cny"])}</td>'
                '<td><span class="box"></span></td>'
                "</tr>"
            )
        body = (
            f"<table><colgroup>{cols}</colgroup><thead><tr>{ths}</tr></thead>"
            f"<tbody>{''.join(trs)}</tbody></table>"
            + '<p class="note">'
            + E(t("visit.value_note", lang))
            + "</p>"
        )
    lang_attr = "zh-CN" if lang == "zh" else "en"
    return (
        f'<!DOCTYPE html>\n<html lang="{lang_attr}"><head><meta charset="utf-8">'
        f"<title>{E(title)} {E(location['location_id'])} {E(month)}</title>"
        f"<style>:root {{ --font: {figures.FONT}; }}\n{VISIT_CSS}</style></head>"
        f'<body>{head}<p class="meta">{E(meta)}</p>{totals}{body}</body></html>\n'
    )


def footer(location: dict[str, Any], *, month: str, lang: str) -> str:
    """The printed footer: app, sheet, location code and month."""
    return " · ".join(
        (i18n.t("app.title", lang), i18n.t("visit.title", lang), location["location_id"], month)
    )


def print_sheet(html_text: str, *, footer_text: str, month: date) -> bytes:
    """Print one sheet to PDF bytes with a Chromium of its own (the dashboard's download)."""
    with tempfile.TemporaryDirectory(prefix="assortment-visit-") as tmp:
        out = Path(tmp) / "sheet.pdf"
        with Browser(print_tabs=1) as browser:
            browser.page_pdf(
                {},
                width=800,
                make_html=lambda _svgs: html_text,
                scratch=Path(tmp) / "sheet.html",
                out=out,
                footer=footer_text,
                month=month,
            ).result(timeout=120)
        return out.read_bytes()
