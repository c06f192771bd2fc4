"""The report pages: one month's results for the network, a region or a rep, as HTML.

A page is built once as a list of blocks (HTML and named figures); it is then rendered twice:
interactive (plotly.js embedded once, works offline) and for print (figures as static SVG
images, no script), which the browser turns into the PDF.
"""

from __future__ import annotations

import base64
import functools
import html
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import plotly.graph_objects as go
import plotly.io as pio
import polars as pl

from assortment.report import figures, i18n
from assortment.report.data import (
    NO_REP,
    MonthData,
    Scope,
    clearance_by_style,
    coverage,
    previous_counts,
    reason_counts,
    status_counts,
    upload_gaps,
)

PLOTLY_CONFIG = {"displaylogo": False, "responsive": True}


@dataclass
class Page:
    """A report page before rendering: blocks of HTML and named figures, in order."""

    lang: str
    title: str
    subtitle: str
    blocks: list[tuple[str, str]] = field(
        default_factory=list
    )  # ("html", markup) | ("figure", name)
    figures: dict[str, go.Figure] = field(default_factory=dict)

    def add(self, markup: str) -> None:
        """Append HTML."""
        self.blocks.append(("html", markup))

    def figure(self, name: str, fig: go.Figure) -> None:
        """Append a figure (rendered later, once per output)."""
        self.figures[name] = fig
        self.blocks.append(("figure", name))


# ------------------------------------------------------------------ formatting

E = html.escape


def fmt_int(value: Any) -> str:
    """``1,234``; empty for missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return f"{int(round(value)):,}"


def fmt_pct(value: Any) -> str:
    """``85%``; empty for missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return f"{value * 100:.0f}%"


def fmt_delta(now: int, before: int | None) -> str:
    """``+3``, ``−2``, ``±0``; empty without a previous month."""
    if before is None:
        return ""
    d = now - before
    return f"+{d}" if d > 0 else (f"−{-d}" if d < 0 else "±0")


def scope_label(lang: str, scope: Scope) -> str:
    """``Region North``, ``Rep 张伟``, ``Network``."""
    if scope.kind == "network":
        return i18n.text(lang, "network")
    key = scope.key if scope.key != NO_REP else i18n.text(lang, "no_rep")
    sep = "：" if lang == "zh" else " "
    return f"{i18n.text(lang, scope.kind)}{sep}{key}"


@dataclass(frozen=True)
class Col:
    """A table column: header, how to get the cell text from a row, numeric alignment."""

    label: str
    cell: Callable[[dict[str, Any]], str]
    num: bool = False


def table(
    cols: Sequence[Col], rows: Sequence[dict[str, Any]], *, foot: dict[int, str] | None = None
) -> str:
    """An HTML table; ``foot`` maps column positions to the cells of a totals row."""
    head = "".join(f'<th class="{"n" if c.num else ""}">{E(c.label)}</th>' for c in cols)
    body = "".join(
        "<tr>"
        + "".join(f'<td class="{"n" if c.num else ""}">{c.cell(r)}</td>' for c in cols)
        + "</tr>"
        for r in rows
    )
    tfoot = ""
    if foot is not None:
        tfoot = (
            "<tfoot><tr>"
            + "".join(
                f'<td class="{"n" if c.num else ""}">{foot.get(i, "")}</td>'
                for i, c in enumerate(cols)
            )
            + "</tr></tfoot>"
        )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody>{tfoot}</table>"


def status_badge(lang: str, status: str | None) -> str:
    """A coloured status label."""
    if status is None:
        return ""
    return f'<span class="badge s-{E(status)}">{E(i18n.code(lang, status))}</span>'


def _field(key: str) -> Callable[[dict[str, Any]], str]:
    return lambda r: E("" if r.get(key) is None else str(r[key]))


def _int(key: str) -> Callable[[dict[str, Any]], str]:
    return lambda r: fmt_int(r.get(key))


def _pct(key: str) -> Callable[[dict[str, Any]], str]:
    return lambda r: fmt_pct(r.get(key))


# ------------------------------------------------------------------ building a page


def build_page(data: MonthData, scope: Scope, lang: str) -> Page:
    """The report of ``scope`` for one month in ``lang`` (``data`` already cut to the scope)."""
    t = functools.partial(i18n.text, lang)
    label = scope_label(lang, scope)
    page = Page(
        lang=lang,
        title=f"{t('title')} · {t('monthly_report')} {data.month_str}",
        subtitle=label,
    )
    comp = with_units(data.compliance)
    counts = status_counts(comp)
    prev = previous_counts(data)
    prev_txt = (
        data.prev_month.strftime("%Y-%m") if data.prev_month is not None else t("not_classified")
    )
    page.add(
        f"<header><h1>{E(t('title'))} · {E(t('monthly_report'))}</h1>"
        f'<p class="scope">{E(label)}</p>'
        f'<p class="meta">{E(t("month"))}: <b>{E(data.month_str)}</b> · '
        f"{E(t('previous_month'))}: {E(prev_txt)} · "
        f"{E(t('rules'))}: {E(data.fingerprint)}</p></header>"
    )

    # -- status and trend
    cards = "".join(
        f'<div class="card s-{E(s)}"><div class="k">{E(i18n.code(lang, s))}</div>'
        f'<div class="v">{fmt_int(n)}</div>'
        f'<div class="d">{E(fmt_delta(n, None if prev is None else prev.get(s, 0)))}</div></div>'
        for s, n in counts.items()
    )
    total = sum(counts.values())
    change = (
        f'<p class="note">{E(t("change"))}: {E(prev_txt)} → {E(data.month_str)}</p>'
        if prev is not None
        else ""
    )
    page.add(
        f"<section><h2>{E(t('locations'))}: {fmt_int(total)}</h2>"
        f'<div class="cards">{cards}</div>{change}</section>'
    )
    unit, unit_label = _sub_unit(scope, lang)
    if comp.height:
        page.figure("status_by", figures.status_by(comp, unit, lang=lang, unit_label=unit_label))
        page.add(_status_table(data, unit, unit_label, lang))
    if data.history["month"].n_unique() > 1:
        page.figure("trend", figures.status_trend(data.history, lang=lang))

    # -- reasons
    by_reason = reason_counts(comp, i18n.REASONS)
    n_counted = total - counts.get("no_count", 0)
    page.add(f"<section><h2>{E(t('by_reason'))}</h2>")
    if any(by_reason.values()):
        page.figure("reasons", figures.reasons(by_reason, lang=lang))
    rows = [{"reason": k, "n": v} for k, v in by_reason.items()]
    page.add(
        table(
            [
                Col(t("reasons"), lambda r: E(i18n.code(lang, r["reason"]))),
                Col(t("locations"), _int("n"), num=True),
                Col(
                    t("share_of_checked"),
                    lambda r: fmt_pct(r["n"] / n_counted if n_counted else None),
                    num=True,
                ),
            ],
            rows,
        )
        + "</section>"
    )

    # -- uploads
    page.add(_uploads_section(data, scope, lang))

    # -- locations to visit (regions and reps)
    if scope.kind != "network":
        page.add(
            _visit_section(
                comp, lang, has_prev=data.prev_month is not None, with_rep=scope.kind != "rep"
            )
        )

    # -- bestsellers and new styles with their coverage
    page.add(_coverage_section(data, lang))

    # -- clearance
    page.add(_clearance_section(data, lang))

    # -- order plan
    page.add(_order_plan_section(data, scope, lang))
    return page


def _sub_unit(scope: Scope, lang: str) -> tuple[str, str]:
    if scope.kind == "network":
        return "region", i18n.text(lang, "region")
    if scope.kind == "region":
        return "rep", i18n.text(lang, "rep")
    return "distributor_group", i18n.text(lang, "distributor")


def with_units(comp: pl.DataFrame) -> pl.DataFrame:
    """Adds ``distributor_group`` (a store's distributor, a distributor itself)."""
    return comp.with_columns(
        pl.coalesce("distributor_id", "location_id").alias("distributor_group")
    )


def _status_table(data: MonthData, unit: str, unit_label: str, lang: str) -> str:
    no_rep = i18n.text(lang, "no_rep")
    frame = with_units(data.compliance).with_columns(pl.col(unit).fill_null(no_rep).alias("_unit"))
    before_all = None
    if data.prev_month is not None:
        before_all = data.history.filter(pl.col("month") == data.prev_month.strftime("%Y-%m"))
    rows = []
    for key in sorted(frame["_unit"].unique().to_list()):
        part = frame.filter(pl.col("_unit") == key)
        now = status_counts(part)
        before = (
            status_counts(before_all.filter(pl.col(unit).fill_null(no_rep) == key))
            if before_all is not None
            else None
        )
        row: dict[str, Any] = {"unit": key, "total": part.height, **now}
        row["d_fail"] = fmt_delta(now["fail"], before["fail"] if before else None)
        rows.append(row)
    cols = [
        Col(unit_label, _field("unit")),
        Col(i18n.text(lang, "locations"), _int("total"), num=True),
    ]
    cols += [Col(i18n.code(lang, s), _int(s), num=True) for s in i18n.STATUSES]
    if before_all is not None:
        cols.append(Col(f"Δ {i18n.code(lang, 'fail')}", _field("d_fail"), num=True))
    return table(cols, rows)


def _uploads_section(data: MonthData, scope: Scope, lang: str) -> str:
    t = functools.partial(i18n.text, lang)
    none, partial = upload_gaps(data)
    out = [f"<section><h2>{E(t('uploads'))}</h2>"]
    cols = [
        Col(t("distributor"), _field("distributor_id")),
        Col(t("name"), _field("name")),
        Col(t("region"), _field("region")),
        Col(t("rep"), _field("rep")),
        Col(t("active"), _int("n_active_locations"), num=True),
        Col(t("counted"), _int("n_counted_locations"), num=True),
        Col(t("last_counted"), lambda r: E(r["last_counted_month"] or t("never"))),
    ]
    if none.height == 0 and partial.height == 0:
        out.append(f"<p>{E(t('all_uploaded'))}</p>")
    if none.height:
        out.append(f"<h3>{E(t('not_uploaded'))} ({none.height})</h3>")
        out.append(table(cols, none.to_dicts()))
    if partial.height:
        out.append(f"<h3>{E(t('partial_upload'))} ({partial.height})</h3>")
        out.append(table(cols, partial.to_dicts()))
    if scope.kind != "network":
        missing = data.compliance.filter(pl.col("status") == "no_count").sort("location_id")
        if missing.height:
            out.append(f"<h3>{E(t('missing_locations'))} ({missing.height})</h3>")
            out.append(
                table(
                    [
                        Col(t("location"), _field("location_id")),
                        Col(t("name"), _field("name")),
                        Col(t("kind"), lambda r: E(i18n.code(lang, r["kind"]))),
                        Col(t("city"), _field("city")),
                        Col(t("rep"), _field("rep")),
                    ],
                    missing.to_dicts(),
                )
            )
    out.append("</section>")
    return "".join(out)


def _visit_section(comp: pl.DataFrame, lang: str, *, has_prev: bool, with_rep: bool) -> str:
    t = functools.partial(i18n.text, lang)
    visit = comp.filter(pl.col("status").is_in(["fail", "warn"]))
    out = [f'<section class="wide"><h2>{E(t("to_visit"))} ({visit.height})</h2>']
    if not visit.height:
        out.append(f"<p>{E(t('nothing_to_visit'))}</p></section>")
        return "".join(out)
    out.append(f'<p class="note">{E(t("to_visit_note"))}</p>')

    def status_cell(r: dict[str, Any]) -> str:
        cell = status_badge(lang, r["status"])
        if has_prev and r.get("prev_status") != r["status"]:
            was = i18n.code(lang, r.get("prev_status")) or "–"
            cell += f'<div class="was">{E(t("was"))}: {E(was)}</div>'
        return cell

    cols = [
        Col(
            t("location"),
            lambda r: f'<b>{E(r["location_id"])}</b><div class="sub">{E(r["name"] or "")}</div>',
        ),
        Col(t("kind"), lambda r: E(i18n.code(lang, r["kind"]))),
        *([Col(t("rep"), _field("rep"))] if with_rep else []),
        Col(t("status"), status_cell),
        Col(t("reasons"), lambda r: E(i18n.reasons(lang, r["reasons"]))),
        Col(
            t("styles_vs_min"),
            lambda r: f"{fmt_int(r['active_styles'])} / {fmt_int(r['min_styles'])}",
            num=True,
        ),
        Col(t("bestseller_cov"), _pct("bestseller_coverage"), num=True),
        Col(t("new_cov"), _pct("new_coverage"), num=True),
        Col(t("broken_share"), _pct("broken_size_share"), num=True),
        Col(t("slow_share"), _pct("slow_stock_share"), num=True),
        Col(t("n_replenish"), _int("replenish_units"), num=True),
        Col(t("n_transfer_in"), _int("transfer_in_units"), num=True),
        Col(t("clearance_units"), _int("clearance_units"), num=True),
    ]
    out.append(table(cols, visit.to_dicts()))
    out.append("</section>")
    return "".join(out)


def _coverage_section(data: MonthData, lang: str) -> str:
    t = functools.partial(i18n.text, lang)

    def cov(n_key: str, d_key: str) -> Callable[[dict[str, Any]], str]:
        def cell(r: dict[str, Any]) -> str:
            d = r[d_key]
            return f"{fmt_int(r[n_key])} / {fmt_int(d)} ({fmt_pct(r[n_key] / d)})" if d else "–"

        return cell

    best = coverage(data, data.bestsellers)
    new = coverage(data, data.new_styles)
    out = [f"<section><h2>{E(t('bestsellers'))} ({best.height})</h2>"]
    if best.height:
        out.append(
            table(
                [
                    Col(t("rank"), _int("rank"), num=True),
                    Col(t("style"), _field("style")),
                    Col(t("style_name"), _field("style_name")),
                    Col(t("category"), _field("category")),
                    Col(t("net_units"), _int("net_units"), num=True),
                    Col(t("dist_cov"), cov("n_dist_in_stock", "n_dist_counted"), num=True),
                    Col(t("store_cov"), cov("n_store_in_stock", "n_store_counted"), num=True),
                ],
                best.to_dicts(),
            )
        )
    else:
        out.append(f"<p>{E(t('none'))}</p>")
    out.append(f"<h2>{E(t('new_styles'))} ({new.height})</h2>")
    if new.height:
        out.append(
            table(
                [
                    Col(t("style"), _field("style")),
                    Col(t("style_name"), _field("style_name")),
                    Col(t("category"), _field("category")),
                    Col(t("launched"), _field("launch_month")),
                    Col(t("dist_cov"), cov("n_dist_in_stock", "n_dist_counted"), num=True),
                    Col(t("store_cov"), cov("n_store_in_stock", "n_store_counted"), num=True),
                ],
                new.to_dicts(),
            )
        )
    else:
        out.append(f"<p>{E(t('none'))}</p>")
    out.append("</section>")
    return "".join(out)


def _clearance_section(data: MonthData, lang: str) -> str:
    t = functools.partial(i18n.text, lang)
    by_style = clearance_by_style(data)
    out = [f"<section><h2>{E(t('clearance'))} ({by_style.height})</h2>"]
    if not by_style.height:
        out.append(f"<p>{E(t('none'))}</p></section>")
        return "".join(out)
    n_loc = data.actions.filter(pl.col("action") == "clearance")["location_id"].n_unique()
    foot = {
        0: E(t("total")),
        3: fmt_int(n_loc),
        4: fmt_int(by_style["units"].sum()),
        5: fmt_int(by_style["value_cny"].sum()),
    }
    out.append(
        table(
            [
                Col(t("style"), _field("style")),
                Col(t("style_name"), _field("style_name")),
                Col(t("category"), _field("category")),
                Col(t("n_locations"), _int("n_locations"), num=True),
                Col(t("units"), _int("units"), num=True),
                Col(t("value_cny"), _int("value_cny"), num=True),
            ],
            by_style.to_dicts(),
            foot=foot,
        )
    )
    out.append("</section>")
    return "".join(out)


_LETTER_SIZES = {
    s: i for i, s in enumerate(("XXS", "XS", "S", "M", "L", "XL", "XXL", "XXXL", "3XL", "4XL"))
}


def size_key(size: str) -> tuple[int, int, str]:
    """Sort sizes as a shop does: S < M < L < XL; 70A < 70B < 75A; anything else by text."""
    if size in _LETTER_SIZES:
        return (0, _LETTER_SIZES[size], "")
    digits = "".join(ch for ch in size if ch.isdigit())
    if digits and size.startswith(digits):
        return (1, int(digits), size[len(digits) :])
    return (2, 0, size)


def _order_plan_section(data: MonthData, scope: Scope, lang: str) -> str:
    t = functools.partial(i18n.text, lang)
    plan = data.order_plan
    out = [f'<section class="wide"><h2>{E(t("order_plan"))}</h2>']
    if scope.kind == "rep":
        out.append(f"<p>{E(t('order_plan_rep'))}</p></section>")
        return "".join(out)
    out.append(f'<p class="note">{E(t("order_plan_note"))}</p>')
    plan = plan.filter(pl.col("units") > 0)
    if not plan.height:
        out.append(f"<p>{E(t('none'))}</p></section>")
        return "".join(out)
    if scope.kind == "network":
        regions = sorted(plan["region"].unique().to_list())
        wide = (
            plan.group_by("style", "style_name", "category", "region")
            .agg(pl.col("units").sum())
            .sort("region")
        )
        rows = []
        for (style, name, cat), part in sorted(
            wide.group_by("style", "style_name", "category"), key=lambda kv: str(kv[0][0])
        ):
            by_region = dict(part.select("region", "units").iter_rows())
            rows.append(
                {
                    "style": style,
                    "style_name": name,
                    "category": cat,
                    **{f"r:{r}": by_region.get(r, 0) for r in regions},
                    "total": sum(by_region.values()),
                }
            )
        cols = [
            Col(t("style"), _field("style")),
            Col(t("style_name"), _field("style_name")),
            Col(t("category"), _field("category")),
        ]
        cols += [Col(r, _int(f"r:{r}"), num=True) for r in regions]
        cols.append(Col(t("total"), _int("total"), num=True))
        foot = {0: E(t("total")), len(cols) - 1: fmt_int(plan["units"].sum())}
        for i, r in enumerate(regions):
            foot[3 + i] = fmt_int(plan.filter(pl.col("region") == r)["units"].sum())
        out.append(table(cols, rows, foot=foot))
    else:
        for category in sorted(plan["category"].drop_nulls().unique().to_list()):
            part = plan.filter(pl.col("category") == category)
            sizes = sorted(part["size"].unique().to_list(), key=size_key)
            rows = []
            for (style, name), sp in sorted(
                part.group_by("style", "style_name"), key=lambda kv: str(kv[0][0])
            ):
                by_size = dict(sp.select("size", "units").iter_rows())
                rows.append(
                    {
                        "style": style,
                        "style_name": name,
                        **{f"z:{z}": by_size.get(z) for z in sizes},
                        "total": sum(by_size.values()),
                    }
                )
            cols = [Col(t("style"), _field("style")), Col(t("style_name"), _field("style_name"))]
            cols += [Col(z, _int(f"z:{z}"), num=True) for z in sizes]
            cols.append(Col(t("total"), _int("total"), num=True))
            out.append(f"<h3>{E(category)}</h3>")
            out.append(
                table(
                    cols, rows, foot={0: E(t("total")), len(cols) - 1: fmt_int(part["units"].sum())}
                )
            )
    out.append("</section>")
    return "".join(out)


# ------------------------------------------------------------------ rendering

CSS = """
:root { --fail:#d1495b; --warn:#edae49; --no_count:#9aa5b1; --pass:#3c8d5a; }
* { box-sizing: border-box; }
body { font-family: %(font)s; color: #1f2933; margin: 24px auto; max-width: 1180px; padding: 0 16px;
       font-size: 14px; line-height: 1.4; }
header h1 { font-size: 22px; margin: 0 0 4px; }
header .scope { font-size: 18px; margin: 0; font-weight: 600; color: #334e68; }
header .meta, .note { color: #52606d; font-size: 12px; margin: 4px 0 8px; }
h2 { font-size: 17px; border-bottom: 2px solid #d9e2ec; padding-bottom: 3px; margin: 22px 0 8px; }
h3 { font-size: 14px; margin: 14px 0 6px; }
.cards { display: flex; gap: 10px; flex-wrap: wrap; }
.card { border: 1px solid #d9e2ec; border-top: 5px solid; border-radius: 6px;
        padding: 8px 14px; min-width: 120px; }
.card .k { font-size: 12px; color: #52606d; } .card .v { font-size: 24px; font-weight: 700; }
.card .d { font-size: 12px; color: #52606d; min-height: 1em; }
.s-fail { border-top-color: var(--fail); } .s-warn { border-top-color: var(--warn); }
.s-no_count { border-top-color: var(--no_count); } .s-pass { border-top-color: var(--pass); }
.badge { display: inline-block; padding: 1px 7px; border-radius: 9px; color: #fff; font-size: 12px;
         white-space: nowrap; }
.badge.s-fail { background: var(--fail); }
.badge.s-warn { background: var(--warn); color: #1f2933; }
.badge.s-no_count { background: var(--no_count); } .badge.s-pass { background: var(--pass); }
.was, .sub { font-size: 11px; color: #7b8794; }
table { border-collapse: collapse; margin: 6px 0 12px; font-size: 12px; }
th, td { border-bottom: 1px solid #e4e7eb; padding: 3px 8px; text-align: left;
         vertical-align: top; }
th { background: #f0f4f8; font-weight: 600; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tfoot td { font-weight: 700; border-top: 2px solid #bcccdc; }
.fig { margin: 8px 0; }
img.fig { width: 100%%; height: auto; display: block; }
@media print {
  @page { size: A4; margin: 12mm 10mm 14mm 10mm; }
  body { margin: 0; max-width: none; padding: 0; font-size: 11px; }
  table { font-size: 9.5px; }
  section.wide table { width: 100%%; }
  thead { display: table-header-group; }
  tr, .card, img.fig { break-inside: avoid; }
  h2, h3 { break-after: avoid; }
}
"""


def render(page: Page, figure_markup: dict[str, str], *, head_extra: str = "") -> str:
    """The page as one HTML document, figures replaced by ``figure_markup[name]``."""
    lang_attr = "zh-CN" if page.lang == "zh" else "en"
    body = "".join(
        markup if kind == "html" else figure_markup[markup] for kind, markup in page.blocks
    )
    return (
        f'<!DOCTYPE html>\n<html lang="{lang_attr}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{E(page.title)} · {E(page.subtitle)}</title>"
        f"<style>{CSS % {'font': figures.FONT}}</style>{head_extra}</head>"
        f"<body>{body}</body></html>\n"
    )


def interactive_html(page: Page) -> str:
    """Self-contained interactive HTML: plotly.js embedded once (no CDN), deterministic ids."""
    markup = {}
    for i, (name, fig) in enumerate(page.figures.items()):
        markup[name] = (
            '<div class="fig">'
            + pio.to_html(
                fig,
                include_plotlyjs=(i == 0),
                full_html=False,
                div_id=f"fig-{name}",
                config=PLOTLY_CONFIG,
                default_width="100%",
            )
            + "</div>"
        )
    return render(page, markup)


def _b64(blob: bytes) -> str:
    return base64.b64encode(blob).decode("ascii")


def print_html(page: Page, svgs: dict[str, bytes]) -> str:
    """HTML for printing: figures as static SVG images, no script."""
    markup = {
        name: f'<img class="fig" alt="{E(name)}" src="data:image/svg+xml;base64,{_b64(svg)}">'
        for name, svg in svgs.items()
    }
    return render(page, markup)
