"""The report's charts as plotly figures (pure: frames in, figures out; no browser)."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from assortment import i18n
from assortment.vocab import STATUS_COLOURS, STATUSES

# Latin text in a TrueType font first: Chromium embeds it compactly in PDFs (Noto Sans CJK, a CFF
# font, goes in as Type3 glyphs, slower to print), CJK text falls through to the CJK fonts.
FONT = (
    '"DejaVu Sans", Arial, "Noto Sans CJK SC", "Noto Sans SC", "Microsoft YaHei", "PingFang SC",'
    " sans-serif"
)
WIDTH = 900  # static (PDF) width in CSS pixels; the interactive page is responsive


def _layout(fig: go.Figure, *, title: str | None, height: int) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0, "xanchor": "left", "font": {"size": 15}} if title else None,
        template="plotly_white",
        font={"family": FONT, "size": 12},
        height=height,
        margin={"l": 10, "r": 10, "t": 70 if title else 20, "b": 30},
        legend={
            "orientation": "h",
            "yanchor": "bottom",
            "y": 1.0,
            "x": 0,
            "xanchor": "left",
            "traceorder": "normal",
        },
        barmode="stack",
    )
    fig.update_yaxes(automargin=True)
    fig.update_xaxes(automargin=True)
    return fig


def _counts_axis(largest: int) -> dict[str, object]:
    """Axis settings for counts of locations: whole numbers only."""
    return {"rangemode": "tozero", "tickformat": ",d", **({"dtick": 1} if largest <= 8 else {})}


def status_by(comp: pl.DataFrame, unit: str, *, lang: str, unit_label: str) -> go.Figure:
    """Locations per status for each value of ``unit`` (region, rep or group), as stacked bars.

    Args:
        comp: One row per location with ``status`` and the ``unit`` column.
        unit: Column to split by.
        lang: ``en`` or ``zh``.
        unit_label: The unit as words, for the title.
    """
    counts = (
        comp.with_columns(pl.col(unit).fill_null(i18n.t("report.no_rep", lang)).alias("_unit"))
        .group_by("_unit", "status")
        .len()
    )
    units = sorted(counts["_unit"].unique().to_list(), reverse=True)  # top to bottom: A..Z
    fig = go.Figure()
    for status in STATUSES:
        by_unit = dict(counts.filter(pl.col("status") == status).select("_unit", "len").iter_rows())
        fig.add_trace(
            go.Bar(
                name=i18n.word("status", status, lang),
                y=units,
                x=[int(by_unit.get(u, 0)) for u in units],
                orientation="h",
                marker_color=STATUS_COLOURS[status],
            )
        )
    largest = max(
        (int(n) for _, n in counts.group_by("_unit").agg(pl.col("len").sum()).iter_rows()),
        default=0,
    )
    fig.update_xaxes(title_text=i18n.t("common.locations", lang), **_counts_axis(largest))
    fig.update_yaxes(type="category")
    return _layout(
        fig,
        title=i18n.t("report.status_by", lang, unit=unit_label),
        height=140 + 24 * max(1, len(units)),
    )


def status_trend(history: pl.DataFrame, *, lang: str) -> go.Figure:
    """Locations per status for each classified month of ``history``, as stacked bars."""
    counts = history.group_by("month", "status").len()
    months = sorted(history["month"].unique().to_list())
    fig = go.Figure()
    for status in STATUSES:
        by_month = dict(
            counts.filter(pl.col("status") == status).select("month", "len").iter_rows()
        )
        fig.add_trace(
            go.Bar(
                name=i18n.word("status", status, lang),
                x=months,
                y=[int(by_month.get(m, 0)) for m in months],
                marker_color=STATUS_COLOURS[status],
            )
        )
    largest = max(
        (int(n) for _, n in counts.group_by("month").agg(pl.col("len").sum()).iter_rows()),
        default=0,
    )
    fig.update_xaxes(type="category", title_text=i18n.t("common.month", lang))
    fig.update_yaxes(title_text=i18n.t("common.locations", lang), **_counts_axis(largest))
    return _layout(fig, title=i18n.t("report.status_trend", lang), height=300)


def reasons(counts: dict[str, int], *, lang: str) -> go.Figure:
    """Locations per reason, as horizontal bars, largest at the top (untitled: see the section)."""
    items = sorted(counts.items(), key=lambda kv: (kv[1], kv[0]))
    fig = go.Figure(
        go.Bar(
            y=[i18n.word("reason", k, lang) for k, _ in items],
            x=[v for _, v in items],
            orientation="h",
            marker_color="#4a6fa5",
            text=[v for _, v in items],
            textposition="auto",
        )
    )
    fig.update_xaxes(
        title_text=i18n.t("common.locations", lang), **_counts_axis(max(counts.values(), default=0))
    )
    fig.update_yaxes(type="category")
    return _layout(fig, title=None, height=90 + 24 * max(1, len(items)))
