"""The printable visit sheet of one location (domain.md 6.5): its visit list on one A4 page.

The sheet is plain HTML printed by the report's Chromium (:mod:`assortment.report.browser`):
the monthly batch prints one per location with actions, the dashboard prints one on demand.

Choices where domain.md leaves room:

* One line per action, style and source, on one printed row where the words allow: the style
  with its colours and category, the sizes and units, where the units come from (the source's
  code and name; for a distribute line the stores to send to, consecutive codes as ranges),
  the value and a tick box. Columns have fixed widths that add up to the page and every cell
  wraps, so nothing is cut.
* Values are whole yuan, rounded once per line (half up); the totals at the top are the sums of
  the rounded lines, so what the page shows always adds up.
* One A4 page. When the lines do not fit, the page keeps the lines at the top of the list and
  ends each part with a line saying how many were left off and what they are worth ("and 23
  more lines worth ¥4,560/month at stake: see ..."): the moves (transfer, replenish,
  distribute) and the clearance are two parts because their values are not the same kind of
  money (sales a month vs stock on hand). Clearance keeps its first :data:`CLEARANCE_KEEP`
  lines while moves are cut, so the biggest clearance jobs stay on paper. The cut is made by
  a script in the page measuring the laid-out rows against the printable height (the
  browser knows the real line breaks; a guess in Python would be wrong for a long name),
  before the page is printed. Without the script (a browser with scripts off) every line is
  printed over more pages: nothing is ever silently dropped.
"""

from __future__ import annotations

import html
import re
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl

from assortment import i18n
from assortment.i18n import N_
from assortment.report import figures
from assortment.report.browser import Browser

E = html.escape

CLEARANCE_KEEP = 5
"""Clearance lines kept on the page while move lines are cut (when there are that many)."""

# @page margins in mm (top, right, bottom, left): the bottom one holds the printed footer
_MARGINS_MM = (8, 8, 10, 8)
_PAGE_MM = (210, 297)
_CONTENT_W_MM = _PAGE_MM[0] - _MARGINS_MM[1] - _MARGINS_MM[3]
_CONTENT_H_MM = _PAGE_MM[1] - _MARGINS_MM[0] - _MARGINS_MM[2] - 1  # 1 mm to spare

VISIT_CSS = f"""
@page {{ size: A4; margin: {" ".join(f"{m}mm" for m in _MARGINS_MM)}; }}
* {{ box-sizing: border-box; }}
html, body {{ margin: 0; padding: 0; }}
body {{ font-family: var(--font); color: #1f2933; font-size: 7.5pt; line-height: 1.18; }}
#sheet {{ width: {_CONTENT_W_MM}mm; }}
#page-probe {{ position: absolute; top: 0; left: 0; width: 1px; height: {_CONTENT_H_MM}mm;
  visibility: hidden; }}
h1 {{ font-size: 12pt; margin: 0; line-height: 1.2; }}
.meta {{ color: #52606d; margin: 1px 0 0 0; }}
.totals {{ margin: 1px 0 4px 0; font-weight: 600; }}
.totals span + span::before {{ content: " · "; font-weight: 400; color: #9aa5b1; }}
table {{ width: 100%; border-collapse: collapse; table-layout: fixed; }}
th, td {{ padding: 1px 2px; vertical-align: top; text-align: left;
  overflow-wrap: anywhere; word-break: normal; }}
td {{ border-bottom: 0.5pt solid #d9e2ec; }}
th {{ background: #e4e7eb; font-weight: 600; overflow-wrap: normal; }}
tbody tr.line:nth-child(even) td {{ background: #f5f7fa; }}
tr {{ break-inside: avoid; }}
td.n, th.n {{ text-align: right; }}
td.n {{ white-space: nowrap; }}  /* a header may wrap at its space: "Value (CNY)" */
th:last-child, tr.line td:last-child {{ padding-left: 5px; }}
td.i {{ color: #7b8794; text-align: right; padding-right: 3px; white-space: nowrap; }}
.act {{ font-weight: 650; overflow-wrap: normal; }}
.act-transfer {{ color: #7c3aed; }} .act-replenish {{ color: #1d4ed8; }}
.act-clearance {{ color: #a16207; }} .act-distribute {{ color: #0f766e; }}
.sub {{ color: #616e7c; }}
.code {{ font-weight: 600; }}
.box {{ display: inline-block; width: 8pt; height: 8pt; border: 0.8pt solid #52606d;
  vertical-align: -1pt; }}
tr.more td {{ font-weight: 600; color: #9d174d; background: #fdf2f8;
  border-bottom: 0.8pt solid #9d174d; }}
.note {{ color: #52606d; margin: 3px 0 0 0; }}
.empty {{ padding: 12px; background: #ecfdf5; border-radius: 4px; }}
"""

# column widths in mm: #, action, style, sizes, units, from / to, value, done
_WIDTHS_MM = (7, 17, 48, 50, 9, 40, 14, 9)

# Cuts the lines that do not fit the page (module docstring); runs before printing.
_FIT_SCRIPT = """
(function () {
  var limit = document.getElementById('page-probe').getBoundingClientRect().height;
  var sheet = document.getElementById('sheet');
  var keep = %(keep)d;
  function over() { return sheet.getBoundingClientRect().bottom > limit; }
  function lines(part) {
    return Array.prototype.slice.call(document.querySelectorAll('tr.line[data-part="' + part + '"]'));
  }
  function money(v) { return v.toLocaleString('en-US'); }
  var total = {move: lines('move').length, clear: lines('clear').length};
  function cut(part) {
    var shown = lines(part);
    var row = shown[shown.length - 1];
    var more = document.querySelector('tr.more[data-part="' + part + '"]');
    var n = Number(more.getAttribute('data-n')) + 1;
    var v = Number(more.getAttribute('data-v')) + Number(row.getAttribute('data-v'));
    row.parentNode.removeChild(row);
    more.setAttribute('data-n', n);
    more.setAttribute('data-v', v);
    more.cells[0].textContent = more.getAttribute(n === 1 ? 'data-one' : 'data-words')
      .replace('{n}', money(n)).replace('{value}', money(v));
    more.style.display = '';
  }
  while (over()) {
    var moves = lines('move').length, clears = lines('clear').length;
    if (clears > Math.min(total.clear, keep)) { cut('clear'); }
    else if (moves > 0) { cut('move'); }
    else if (clears > 0) { cut('clear'); }
    else { break; }
  }
})();
"""


def _money(value: Any) -> str:
    return "" if value is None else f"{i18n.whole(value):,}"


def code_ranges(codes: list[str]) -> str:
    """Location codes, runs of consecutive numbers written as ranges.

    Examples:
        >>> code_ranges(["D01-S003", "D01-S001", "D01-S002", "D01-S005", "D02"])
        'D01-S001–S003, D01-S005, D02'
    """
    out: list[str] = []
    run: list[tuple[str, str]] = []  # (prefix, digits) of consecutive codes

    def flush() -> None:
        if len(run) == 1:
            out.append("".join(run[0]))
        elif run:
            prefix, digits = run[-1]
            out.append("".join(run[0]) + "–" + prefix.rsplit("-", 1)[-1] + digits)
        run.clear()

    for code in sorted(dict.fromkeys(codes)):
        m = re.fullmatch(r"(.*?)(\d+)", code)
        if m is None:
            flush()
            out.append(code)
            continue
        prefix, digits = m.group(1), m.group(2)
        if not (
            run
            and run[-1][0] == prefix
            and len(run[-1][1]) == len(digits)
            and int(run[-1][1]) + 1 == int(digits)
        ):
            flush()
        run.append((prefix, digits))
    flush()
    return ", ".join(out)


def source_words(row: dict[str, Any], lang: str, *, compact: bool = False) -> str:
    """Where a line's units come from: the source location by name and code, or the brand;
    for a distribute line, the stores to send to.

    ``compact`` (the printed sheet): the code then the name, the brand in one word.
    """
    if row["action"] == "clearance":
        return ""
    if row["action"] == "distribute":
        lacking = [x for x in (row.get("lacking_location_ids") or "").split(";") if x]
        if not lacking:  # stuck at a distributor with no active store to show it
            return i18n.t(N_("visit.distribute_no_store"), lang)
        return i18n.t("visit.distribute_to", lang, n=len(lacking), stores=code_ranges(lacking))
    if row.get("source_location_id"):
        name = row.get("source_name") or ""
        if compact:
            return f"{row['source_location_id']} {name}".strip()
        kind = i18n.word("kind", row.get("source_kind"), lang)
        return " ".join(x for x in (kind, name) if x) + i18n.paren(row["source_location_id"], lang)
    return i18n.t(N_("visit.source.brand_short") if compact else N_("visit.source.brand"), lang)


def style_words(row: dict[str, Any], lang: str, *, with_colours: bool = True) -> tuple[str, str]:
    """A line's style as (``code name``, ``colour · category``): unambiguous without a photo.

    ``with_colours=False`` leaves the colours out (the printed sheet, when the sizes text names
    them already: a line of several colours).
    """
    head = f"{row['style']} {row.get('style_name') or ''}".strip()
    colours = (row.get("colours") or "") if with_colours else ""
    tail = [colours, i18n.word("category", row.get("category"), lang)]
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
    """The visit sheet of one location as an HTML document (one A4 page once printed).

    Args:
        location: location_id, name, kind, city (optional), rep.
        lines: The location's visit list (:func:`assortment.visit.visit_lines`).
        month: ``YYYY-MM``: the month counted.
        lang: ``en`` or ``zh``.
    """
    t = i18n.t
    rows = lines.to_dicts()
    for r in rows:
        r["_yuan"] = i18n.whole(r["value_cny"])  # the sheet's totals add these up
    moves = [r for r in rows if r["action"] != "clearance"]
    clears = [r for r in rows if r["action"] == "clearance"]
    title = t("visit.title", lang)
    where = (location.get("name") or "") + i18n.paren(location["location_id"], lang)
    head = f"<h1>{E(title)} · {E(where.strip())}</h1>"
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
    units_in = sum(r["units"] or 0 for r in moves if r["action"] != "distribute")
    units_out = sum(r["units"] or 0 for r in moves if r["action"] == "distribute")
    figures_line = [
        t("visit.total.lines", lang, n=len(rows)),
        t("visit.total.units_in", lang, n=f"{units_in:,}"),
        t("visit.total.stake", lang, value=f"{sum(r['_yuan'] for r in moves):,}"),
        t("visit.total.clearance", lang, value=f"{sum(r['_yuan'] for r in clears):,}"),
    ]
    if units_out:
        figures_line.insert(2, t("visit.total.units_out", lang, n=f"{units_out:,}"))
    totals = '<p class="totals">' + "".join(f"<span>{E(x)}</span>" for x in figures_line) + "</p>"
    script = ""
    if not rows:
        body = '<p class="empty">' + E(t("location.actions.none", lang)) + "</p>"
    else:
        labels = (
            ("#", True),
            (t("col.action", lang), False),
            (t("common.style", lang), False),
            (t("visit.col.sizes", lang), False),
            (t("col.units", lang), True),
            (t("visit.col.from", lang), False),
            (t("visit.col.value", lang), True),
            (t("visit.col.done", lang), False),
        )
        cols = "".join(f'<col style="width:{w}mm">' for w in _WIDTHS_MM)
        ths = "".join(f"<th{' class=n' if num else ''}>{E(label)}</th>" for label, num in labels)
        trs: list[str] = []
        for i, r in enumerate(rows, start=1):
            part = "clear" if r["action"] == "clearance" else "move"
            if part == "clear" and i == len(moves) + 1:
                trs.append(_more_row("move", lang))
            name, sub = style_words(r, lang, with_colours="/" not in (r.get("colours") or ""))
            code, _, style_name = name.partition(" ")
            trs.append(
                f'<tr class="line" data-part="{part}" data-v="{r["_yuan"]}">'
                f'<td class="i">{i}</td>'
                f'<td class="act act-{E(r["action"])}">{E(i18n.word("action", r["action"], lang))}</td>'
                f'<td><span class="code">{E(code)}</span> {E(style_name)}'
                f"{f' <span class=sub>· {E(sub)}</span>' if sub else ''}</td>"
                f"<td>{E(sizes_words(r, lang))}</td>"
                f'<td class="n">{r["units"]:,}</td>'
                f"<td>{E(source_words(r, lang, compact=True))}</td>"
                f'<td class="n">{r["_yuan"]:,}</td>'
                '<td><span class="box"></span></td>'
                "</tr>"
            )
        if not clears:
            trs.append(_more_row("move", lang))
        else:
            trs.append(_more_row("clear", lang))
        body = (
            f"<table><colgroup>{cols}</colgroup><thead><tr>{ths}</tr></thead>"
            f"<tbody>{''.join(trs)}</tbody></table>"
            + '<p class="note">'
            + E(t("visit.value_note", lang))
            + "</p>"
        )
        script = "<script>" + _FIT_SCRIPT % {"keep": CLEARANCE_KEEP} + "</script>"
    lang_attr = "zh-CN" if lang == "zh" else "en"
    return (
        f'<!DOCTYPE html>\n<html lang="{lang_attr}"><head><meta charset="utf-8">'
        f"<title>{E(title)} {E(location['location_id'])} {E(month)}</title>"
        f"<style>:root {{ --font: {figures.FONT}; }}\n{VISIT_CSS}</style></head>"
        f'<body><div id="page-probe"></div><div id="sheet">{head}<p class="meta">{E(meta)}</p>'
        f"{totals}{body}</div>{script}</body></html>\n"
    )


def _more_row(part: str, lang: str) -> str:
    """The (hidden) line saying what the page left off of ``part``; the fit script fills it."""
    if part == "move":
        keys = (N_("visit.more.moves"), N_("visit.more.moves_one"))
    else:
        keys = (N_("visit.more.clearance"), N_("visit.more.clearance_one"))
    words, one = (E(i18n.t(k, lang, n="{n}", value="{value}"), quote=True) for k in keys)
    return (
        f'<tr class="more" data-part="{part}" data-n="0" data-v="0" data-words="{words}"'
        f' data-one="{one}" style="display:none"><td colspan="{len(_WIDTHS_MM)}"></td></tr>'
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
