"""The report pages: one month's results for the network, a region or a rep, as HTML.

A page is built once as a list of blocks (HTML and named figures, see ``sections``); it is then
rendered twice: interactive (plotly.js from the one copy in the month's folder, so it works
offline without repeating 4 MB per file) and for print (figures as static SVG images, no
script), which the browser turns into the PDF.

A region's or a rep's page opens with its locations to visit, the work of the month; charts
are drawn only where they compare something (three or more regions, reps or distributor groups;
two or more reasons); a rep gets no factory order plan (it is made per region).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from importlib import resources

import plotly.graph_objects as go
import plotly.io as pio

from assortment import i18n
from assortment.report import figures, sections
from assortment.report.data import MonthData, Scope, previous_counts, reason_counts, status_counts
from assortment.report.html import E, tag
from assortment.report.sections import scope_label  # noqa: F401 (re-exported)
from assortment.vocab import COMPLIANCE_REASONS

PLOTLY_FILE = "plotly.min.js"  # the one copy of plotly.js, at the top of the month's folder
PLOTLY_CONFIG = {"displaylogo": False, "responsive": True, "displayModeBar": False}
MIN_BARS = 3  # a "status by" chart with fewer bars says nothing the table does not
CSS = resources.files("assortment.report").joinpath("report.css").read_text("utf-8")


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


def build_page(data: MonthData, scope: Scope, lang: str) -> Page:
    """The report of ``scope`` for one month in ``lang`` (``data`` already cut to the scope)."""
    title = i18n.t("app.title", lang) + " · " + i18n.t("report.monthly_report", lang)
    page = Page(lang=lang, title=f"{title} {data.month_str}", subtitle=scope_label(lang, scope))
    comp = sections.with_units(data.compliance)
    counts = status_counts(comp)
    page.add(sections.header(data, scope, lang))
    months = f"{sections.previous_label(data, lang)} → {data.month_str}"
    page.add(sections.status_cards(counts, previous_counts(data), lang, months=months))

    if scope.kind != "network":
        has_prev = data.prev_month is not None
        page.add(sections.to_visit(comp, lang, has_prev=has_prev, with_rep=scope.kind != "rep"))

    unit, unit_label = _sub_unit(scope, lang)
    if comp.height:
        if comp[unit].n_unique() >= MIN_BARS:
            fig = figures.status_by(comp, unit, lang=lang, unit_label=unit_label)
            page.figure("status_by", fig)
        else:
            heading = i18n.t("report.status_by", lang, unit=unit_label)
            page.add(tag("h3", heading))
        page.add(sections.status_table(data, unit, unit_label, lang))
    if data.history["month"].n_unique() > 1:
        page.figure("trend", figures.status_trend(data.history, lang=lang))

    by_reason = reason_counts(comp, COMPLIANCE_REASONS)
    n_counted = sum(counts.values()) - counts.get("no_count", 0)
    page.add("<section>" + tag("h2", i18n.t("report.by_reason", lang)))
    if sum(1 for n in by_reason.values() if n) >= 2:
        shown = {k: n for k, n in by_reason.items() if n}
        page.figure("reasons", figures.reasons(shown, lang=lang))
    page.add(sections.reasons_table(by_reason, n_counted, lang) + "</section>")

    page.add(sections.follow_through(data, lang))
    page.add(sections.uploads(data, scope, lang))
    page.add(sections.style_coverage(data, lang))
    page.add(sections.clearance(data, lang))
    page.add(sections.stuck(data, lang))
    if scope.kind != "rep":
        page.add(sections.order_plan(data, scope, lang))
    return page


def _sub_unit(scope: Scope, lang: str) -> tuple[str, str]:
    if scope.kind == "network":
        return "region", i18n.t("common.region", lang)
    if scope.kind == "region":
        return "rep", i18n.t("common.rep", lang)
    return "distributor_group", i18n.t("common.distributor", lang)


# ------------------------------------------------------------------ rendering


def render(page: Page, figure_markup: dict[str, str], *, head_extra: str = "") -> str:
    """The page as one HTML document, figures replaced by ``figure_markup[name]``."""
    body = "".join(
        markup if kind == "html" else figure_markup[markup] for kind, markup in page.blocks
    )
    return document(page.lang, f"{page.title} · {page.subtitle}", body, head_extra=head_extra)


def document(lang: str, title: str, body: str, *, head_extra: str = "") -> str:
    """An HTML document in the report's style."""
    lang_attr = "zh-CN" if lang == "zh" else "en"
    return (
        f'<!DOCTYPE html>\n<html lang="{lang_attr}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{E(title)}</title>"
        f"<style>:root {{ --font: {figures.FONT}; }}\n{CSS}</style>{head_extra}</head>"
        f"<body>{body}</body></html>\n"
    )


def interactive_html(page: Page, *, plotly_src: str | None = None) -> str:
    """Interactive HTML with deterministic figure ids and no toolbar.

    Args:
        page: The page.
        plotly_src: Relative URL of the shared plotly.js (e.g. ``../plotly.min.js``); None
            embeds plotly.js in the page (a stand-alone file).
    """
    markup = {}
    for i, (name, fig) in enumerate(page.figures.items()):
        markup[name] = (
            '<div class="fig">'
            + pio.to_html(
                fig,
                include_plotlyjs=plotly_src is None and i == 0,
                full_html=False,
                div_id=f"fig-{name}",
                config=PLOTLY_CONFIG,
                default_width="100%",
            )
            + "</div>"
        )
    head = ""
    if plotly_src is not None and page.figures:
        head = f'<script src="{E(plotly_src)}" charset="utf-8"></script>'
    return render(page, markup, head_extra=head)


def _b64(blob: bytes) -> str:
    return base64.b64encode(blob).decode("ascii")


def print_html(page: Page, svgs: dict[str, bytes]) -> str:
    """HTML for printing: figures as static SVG images, no script."""
    markup = {
        name: f'<img class="fig" alt="{E(name)}" src="data:image/svg+xml;base64,{_b64(svg)}">'
        for name, svg in svgs.items()
    }
    return render(page, markup)
