"""Figure and table builders: pure functions of polars frames and a language, no database,
no Dash. Tested without a browser (tests/test_dashboard_figures.py)."""

from __future__ import annotations

import functools
import json
import math
from typing import Any

import plotly.graph_objects as go
import polars as pl
from plotly.subplots import make_subplots

from assortment.i18n import N_, action_reason, list_sep, pct, reasons_text, t
from assortment.report import visit_sheet
from assortment.visit import visit_lines
from assortment.vocab import (
    SEGMENT_COLOURS,
    SEGMENTS,
    STATUS_COLOURS,
    STATUSES,
    parse_bra_size,
    size_order,
)

BRAND = "#9d174d"
FONT = (
    '"Noto Sans CJK SC", "Noto Sans SC", "PingFang SC", "Microsoft YaHei", system-ui, '
    '-apple-system, "Segoe UI", sans-serif'
)
MAX_BARS = 30


# ---------------------------------------------------------------- helpers


# A small template of our own: plotly's stock templates describe every trace type and cost
# tens of milliseconds to validate on each figure; this one only sets what we use.
TEMPLATE = go.layout.Template(
    layout={
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "colorway": ["#9d174d", "#0284c7", "#d97706", "#7c3aed", "#0d9488", "#db2777", "#65a30d"],
        "xaxis": {"gridcolor": "#eef0f3", "linecolor": "#e5e7eb", "ticks": "", "zeroline": False},
        "yaxis": {"gridcolor": "#eef0f3", "linecolor": "#e5e7eb", "ticks": "", "zeroline": False},
        "hoverlabel": {"align": "left"},
    }
)


def _base(fig: go.Figure, *, height: int = 320, legend: bool = True) -> go.Figure:
    fig.update_layout(
        template=TEMPLATE,
        height=height,
        margin={"l": 8, "r": 8, "t": 36 if legend else 12, "b": 8},
        font={"family": FONT, "size": 12, "color": "#1f2937"},
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        showlegend=legend,
        legend={
            "orientation": "h",
            "yanchor": "bottom",
            "y": 1.02,
            "x": 0,
            "font": {"size": 12},
            "traceorder": "normal",
        },
        hoverlabel={"font": {"family": FONT}},
    )
    fig.update_xaxes(automargin=True, gridcolor="#eef0f3", zeroline=False)
    fig.update_yaxes(automargin=True, gridcolor="#eef0f3", zeroline=False)
    return fig


@functools.lru_cache(maxsize=64)
def _placeholder(message: str, height: int) -> str:
    return empty(message, height=height).to_json()


def placeholder(message: str, *, height: int = 260) -> dict[str, Any]:
    """``empty(message)`` as a plain dict, built once per message (for page layouts)."""
    return json.loads(_placeholder(message, height))


def empty(message: str, *, height: int = 260) -> go.Figure:
    """A blank figure carrying a message (no data, nothing picked)."""
    fig = go.Figure()
    fig.add_annotation(
        text=message,
        showarrow=False,
        x=0.5,
        y=0.5,
        xref="paper",
        yref="paper",
        font={"size": 14, "color": "#6b7280"},
    )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return _base(fig, height=height, legend=False)


# ---------------------------------------------------------------- overview


def kpis(frame: pl.DataFrame) -> dict[str, Any]:
    """The overview's headline figures from its location rows (status, active_styles,
    min_styles, bestseller_coverage, new_coverage).

    Returns:
        n, n_pass, n_warn, n_fail, n_no_count, n_counted, n_at_min, share_at_min,
        bestseller_coverage and new_coverage (means over counted locations; None when none).
    """
    counts = {s: 0 for s in STATUSES}
    for status, n in frame.group_by("status").len().iter_rows():
        counts[str(status)] = int(n)
    counted = frame.filter(pl.col("status") != "no_count")
    n_counted = counted.height
    at_min = counted.filter(pl.col("active_styles") >= pl.col("min_styles")).height
    return {
        "n": frame.height,
        "n_pass": counts["pass"],
        "n_warn": counts["warn"],
        "n_fail": counts["fail"],
        "n_no_count": counts["no_count"],
        "n_counted": n_counted,
        "n_at_min": at_min,
        "share_at_min": at_min / n_counted if n_counted else None,
        "bestseller_coverage": counted["bestseller_coverage"].mean() if n_counted else None,
        "new_coverage": counted["new_coverage"].mean() if n_counted else None,
        **_previous_counts(frame),
    }


def _previous_counts(frame: pl.DataFrame) -> dict[str, int | None]:
    """``prev_n_<status>``: the same locations' statuses the month before (None for every
    status when none of them was classified then)."""
    if "prev_status" not in frame.columns or frame["prev_status"].null_count() == frame.height:
        return {f"prev_n_{s}": None for s in STATUSES}
    got = dict(frame.drop_nulls("prev_status").group_by("prev_status").len().iter_rows())
    return {f"prev_n_{s}": int(got.get(s, 0)) for s in STATUSES}


def status_by(frame: pl.DataFrame, *, by: str, lang: str) -> go.Figure:
    """Locations per status for each value of ``by`` (region, rep or group_name), as stacked
    horizontal bars; the groups with most failing locations on top (at most 30)."""
    if frame.height == 0:
        return empty(t("common.no_rows", lang))
    counts = (
        frame.with_columns(pl.col(by).cast(pl.String).fill_null("–").alias("_g"))
        .group_by("_g")
        .agg(*((pl.col("status") == s).sum().alias(s) for s in STATUSES))
        .sort(["fail", "warn", "_g"], descending=[True, True, False])
        .head(MAX_BARS)
        .reverse()  # plotly draws the first category at the bottom
    )
    fig = go.Figure()
    for s in STATUSES:
        fig.add_trace(
            go.Bar(
                y=counts["_g"].to_list(),
                x=counts[s].to_list(),
                name=t(f"status.{s}", lang),
                orientation="h",
                marker={"color": STATUS_COLOURS[s]},
                hovertemplate="%{y}: %{x} " + t(f"status.{s}", lang) + "<extra></extra>",
            )
        )
    fig.update_layout(barmode="stack", bargap=0.25)
    fig.update_xaxes(title=None, dtick=None)
    return _base(fig, height=max(260, 60 + 26 * counts.height))


def trend(frame: pl.DataFrame, *, lang: str) -> go.Figure:
    """Failing locations (bars) and average active styles vs minimum (lines) per month."""
    if frame.height == 0:
        return empty(t("common.no_rows", lang))
    months = frame["month"].to_list()
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    fig.add_trace(
        go.Bar(
            x=months,
            y=frame["n_fail"].to_list(),
            name=t("overview.trend.failing", lang),
            marker={"color": STATUS_COLOURS["fail"]},
            opacity=0.85,
            hovertemplate="%{x}: %{y}<extra></extra>",
        ),
        secondary_y=False,
    )
    fig.add_trace(
        go.Scatter(
            x=months,
            y=frame["avg_active_styles"].to_list(),
            name=t("overview.trend.active", lang),
            mode="lines+markers",
            line={"color": BRAND, "width": 3},
            hovertemplate="%{x}: %{y:.1f}<extra></extra>",
        ),
        secondary_y=True,
    )
    fig.add_trace(
        go.Scatter(
            x=months,
            y=frame["avg_min_styles"].to_list(),
            name=t("overview.trend.min", lang),
            mode="lines",
            line={"color": "#6b7280", "width": 2, "dash": "dash"},
            hovertemplate="%{x}: %{y:.1f}<extra></extra>",
        ),
        secondary_y=True,
    )
    fig.update_xaxes(type="category")
    top = int(frame["n_fail"].max() or 0)  # type: ignore[arg-type]
    fig.update_yaxes(
        title_text=t("overview.trend.failing", lang),
        secondary_y=False,
        rangemode="tozero",
        tickformat=",d",
        tickmode="linear",
        tick0=0,
        dtick=max(1, -(-top // 5)),
    )
    fig.update_yaxes(
        title_text=t("overview.trend.active", lang),
        secondary_y=True,
        rangemode="tozero",
        showgrid=False,
        tickmode="auto",
        nticks=6,
        tickformat=",.0f",
    )
    return _base(fig, height=320)


def overview_rows(frame: pl.DataFrame, *, lang: str) -> list[dict[str, Any]]:
    """The overview table's rows: statuses and reasons in words, styles vs minimum."""
    rows = []
    for r in frame.iter_rows(named=True):
        rows.append(
            {
                "location_id": r["location_id"],
                "name": r["name"],
                "kind": t(f"kind.{r['kind']}", lang),
                "region": r["region"],
                "city": r["city"],
                "rep": r["rep"],
                "group_name": r["group_name"],
                "status_code": r["status"],
                "status": t(f"status.{r['status']}", lang),
                "reasons": reasons_text(r, lang) or t("reason.ok", lang),
                "active_styles": r["active_styles"],
                "min_styles": r["min_styles"],
                "styles_vs_min": "–"
                if r["active_styles"] is None
                else f"{r['active_styles']} / {r['min_styles']}",
                "bestseller_coverage": r["bestseller_coverage"],
                "new_coverage": r["new_coverage"],
                "prev_status_code": r.get("prev_status"),
                "prev_status": t(f"status.{r['prev_status']}", lang)
                if r.get("prev_status")
                else "–",
                "status_change": t(
                    "overview.status_change",
                    lang,
                    before=t(f"status.{r['prev_status']}", lang),
                    now=t(f"status.{r['status']}", lang),
                )
                if r.get("prev_status")
                else t(f"status.{r['status']}", lang),
                "active_change": None
                if r.get("prev_active_styles") is None or r["active_styles"] is None
                else int(r["active_styles"]) - int(r["prev_active_styles"]),
            }
        )
    return rows


# ---------------------------------------------------------------- location


def location_history(frame: pl.DataFrame, *, lang: str) -> go.Figure:
    """Active styles per month (markers coloured by status) against the minimum (dashed)."""
    rows = frame.filter(pl.col("month").is_not_null())
    if rows.height == 0:
        return empty(t("common.no_rows", lang))
    months = rows["month"].to_list()
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=months,
            y=rows["min_styles"].to_list(),
            name=t("location.history.min", lang),
            mode="lines",
            line={"color": "#6b7280", "dash": "dash", "shape": "hv", "width": 2},
            hovertemplate="%{x}: %{y}<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=months,
            y=rows["active_styles"].to_list(),
            name=t("location.history.active", lang),
            mode="lines+markers",
            line={"color": BRAND, "width": 3},
            marker={
                "size": 11,
                "color": [STATUS_COLOURS.get(s or "no_count", "#9ca3af") for s in rows["status"]],
                "line": {"color": "white", "width": 2},
            },
            text=[t(f"status.{s or 'no_count'}", lang) for s in rows["status"]],
            hovertemplate="%{x}: %{y} (%{text})<extra></extra>",
        )
    )
    fig.update_xaxes(type="category")
    fig.update_yaxes(rangemode="tozero")
    return _base(fig, height=280)


def style_rows(frame: pl.DataFrame, *, lang: str) -> list[dict[str, Any]]:
    """The location's style table: segment and flags in words."""
    yes, no = t("yes", lang), ""
    return [
        {
            "style": r["style"],
            "style_name": r["style_name"],
            "category": r["category"],
            "segment_code": r["segment"],
            "segment": t(f"segment.{r['segment']}", lang),
            "on_hand": r["on_hand"],
            "units_sold": r["units_sold"],
            "sell_through": r["sell_through"],
            "broken_size": yes if r["broken_size"] else no,
            "broken_colour": yes if r["broken_colour"] else no,
            "missing_core_skus": r["missing_core_skus"] or "",
            "value_cny": r["value_cny"],
        }
        for r in frame.iter_rows(named=True)
    ]


def action_rows(frame: pl.DataFrame, *, lang: str) -> list[dict[str, Any]]:
    """The visit's action list: action and reason in words, the transfer source named."""
    rows = []
    for r in frame.iter_rows(named=True):
        source = ""
        if r["source_location_id"]:
            source = f"{r['source_name'] or ''} ({r['source_location_id']})".strip()
        rows.append(
            {
                "action_code": r["action"],
                "action": t(f"action.{r['action']}", lang),
                "style": r["style"],
                "colour": r["colour"] or "",
                "size": r["size"] or "",
                "sku": r["sku"] or "",
                "units": r["units"],
                "source": source,
                "value_cny": r["value_cny"],
                "reason": action_reason(r, lang),
            }
        )
    return rows


def visit_rows(frame: pl.DataFrame, *, lang: str) -> list[dict[str, Any]]:
    """The visit list (domain.md 6.5) of a location's action lines, in words, worst money first.

    Each row: action_code, action, style (code and name), style_sub (colour · category), sizes
    (``75B×3, 80B×2``, or the months of cover for clearance), units, source, value_cny, reason.
    """
    if frame.height == 0:
        return []
    lines = visit_lines(frame, frame.select("style", "style_name", "category"))
    rows = []
    for r in lines.iter_rows(named=True):
        name, sub = visit_sheet.style_words(r, lang)
        rows.append(
            {
                "action_code": r["action"],
                "action": t(f"action.{r['action']}", lang),
                "style": name,
                "style_sub": sub,
                "sizes": visit_sheet.sizes_words(r, lang),
                "units": r["units"],
                "source": visit_sheet.source_words(r, lang, compact=True),
                "value_cny": r["value_cny"],
                "reason": action_reason(r, lang),
            }
        )
    return rows


FOLLOW_KEYS = {
    "done": N_("follow.done"),
    "partly": N_("follow.partly"),
    "not_done": N_("follow.not_done"),
    "unknown": N_("follow.unknown"),
}
CHANGE_KEYS = {"fixed": N_("change.fixed"), "worse": N_("change.worse")}


def follow_rows(frame: pl.DataFrame, *, lang: str) -> list[dict[str, Any]]:
    """Last month's action lines with what the next count showed (domain.md 8), in words."""
    rows = []
    for r in frame.iter_rows(named=True):
        sku = " ".join(x for x in (r["colour"], r["size"]) if x)
        rows.append(
            {
                "status_code": r["follow_status"],
                "status": t(FOLLOW_KEYS.get(r["follow_status"], r["follow_status"]), lang),
                "action": t(f"action.{r['action']}", lang),
                "style": f"{r['style']} {r['style_name'] or ''}".strip(),
                "sku": sku,
                "units": r["units"],
                "received": r["received_units"],
                "value_cny": r["value_at_stake_cny"],
            }
        )
    return rows


def follow_counts(frame: pl.DataFrame) -> dict[str, int]:
    """Lines per follow status (every status, 0 when none)."""
    got = dict(frame.group_by("follow_status").len().iter_rows()) if frame.height else {}
    return {s: int(got.get(s, 0)) for s in FOLLOW_KEYS}


def change_text(frame: pl.DataFrame, *, lang: str) -> str:
    """What changed since last month: the status before and now, the change in active styles.

    Empty when the location was not classified in both months.
    """
    if frame.height == 0:
        return ""
    r = frame.row(0, named=True)
    if r["prev_status"] is None or r["status"] is None:
        return t("change.no_previous", lang)
    before = t(f"status.{r['prev_status']}", lang)
    now = t(f"status.{r['status']}", lang)
    text = t("change.status", lang, before=before, now=now)
    if r["change"] in CHANGE_KEYS:
        text += " (" + t(CHANGE_KEYS[r["change"]], lang) + ")"
    if r["prev_active_styles"] is not None and r["active_styles"] is not None:
        delta = int(r["active_styles"]) - int(r["prev_active_styles"])
        styles = t(
            "change.active_styles",
            lang,
            before=r["prev_active_styles"],
            now=r["active_styles"],
            delta=f"{delta:+d}",
        )
        text += list_sep(lang) + styles
    return text


def scorecard_rows(frame: pl.DataFrame) -> list[dict[str, Any]]:
    """Each rep's scorecard summed over the months of ``frame`` (domain.md 8), best last:
    lines, done, partly, not_done, unknown, done_share (of lines), done_value_share (of the
    value at stake), fixed, worse, months."""
    if frame.height == 0:
        return []
    totals = (
        frame.group_by("rep")
        .agg(
            pl.col("lines", "done", "partly", "not_done", "unknown").sum(),
            pl.col("value_at_stake_cny", "done_value_cny", "fixed", "worse").sum(),
            pl.col("month").n_unique().alias("months"),
        )
        .with_columns(
            (pl.col("done") / pl.col("lines")).alias("done_share"),
            pl.when(pl.col("value_at_stake_cny") > 0)
            .then(pl.col("done_value_cny") / pl.col("value_at_stake_cny"))
            .otherwise(None)
            .alias("done_value_share"),
        )
        .sort("done_value_share", "rep", nulls_last=True)
    )
    return totals.to_dicts()


def scorecard_trend(frame: pl.DataFrame, *, lang: str) -> go.Figure:
    """Share of the value at stake whose lines were done: reps down, months across (a heat map
    stays readable with many reps where lines would tangle)."""
    if frame.height == 0:
        return empty(t("reps.none", lang))
    month_list = sorted(frame["month"].unique().to_list())
    reps = figures_order(frame)
    cell = {(r["rep"], r["month"]): r["done_value_share"] for r in frame.iter_rows(named=True)}
    z = [[cell.get((rep, m)) for m in month_list] for rep in reps]
    text = [["" if v is None else f"{v:.0%}" for v in row] for row in z]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=month_list,
            y=[rep or "–" for rep in reps],
            text=text,
            texttemplate="%{text}",
            zmin=0,
            zmax=1,
            colorscale=[[0, "#d1495b"], [0.5, "#edae49"], [1, "#3c8d5a"]],
            showscale=False,
            hovertemplate="%{y} %{x}: %{text}<extra></extra>",
            xgap=2,
            ygap=2,
        )
    )
    _base(fig, height=max(220, 34 * len(reps) + 80), legend=False)
    fig.update_layout(xaxis={"type": "category", "side": "top"}, yaxis={"autorange": "reversed"})
    return fig


def figures_order(frame: pl.DataFrame) -> list[str]:
    """Reps in the scorecard table's order (lowest share of value done first)."""
    return [r["rep"] for r in scorecard_rows(frame)]


def size_run(frame: pl.DataFrame, *, style: str, lang: str) -> go.Figure:
    """On hand per size of one style at one location, one panel per colour.

    Bra sizes (``75B``) become a band x cup grid; other sizes a single row. Core sizes with
    nothing on hand are outlined in red; cells with no SKU stay blank.
    """
    if frame.height == 0:
        return empty(t("location.size_run.empty", lang))
    colours = list(dict.fromkeys(frame.sort("colour")["colour"].to_list()))
    parsed = [parse_bra_size(s) for s in frame["size"].to_list()]
    is_bra = all(p is not None for p in parsed)
    zmax = max(int(frame["on_hand"].max() or 0), 1)  # type: ignore[arg-type]
    fig = make_subplots(
        rows=1,
        cols=len(colours),
        subplot_titles=colours,
        shared_yaxes=True,
        horizontal_spacing=0.04,
    )
    missing_name = t("location.size_run.missing", lang)
    for i, colour in enumerate(colours, start=1):
        part = frame.filter(pl.col("colour") == colour)
        cells = {}
        for r in part.iter_rows(named=True):
            if is_bra:
                band, cup = parse_bra_size(r["size"])  # type: ignore[misc]
                cells[(str(band), cup)] = r
            else:
                cells[("", r["size"])] = r
        if is_bra:
            ys = [str(b) for b in sorted({int(k[0]) for k in cells})]
            xs = sorted({k[1] for k in cells})
        else:
            ys = [""]
            xs = size_order([k[1] for k in cells])
        z = [[cells[(y, x)]["on_hand"] if (y, x) in cells else None for x in xs] for y in ys]
        text = [[str(cells[(y, x)]["on_hand"]) if (y, x) in cells else "" for x in xs] for y in ys]
        hover = [
            [
                f"{cells[(y, x)]['size']}: {cells[(y, x)]['on_hand']}" if (y, x) in cells else ""
                for x in xs
            ]
            for y in ys
        ]
        fig.add_trace(
            go.Heatmap(
                z=z,
                x=xs,
                y=ys,
                text=text,
                texttemplate="%{text}",
                customdata=hover,
                hovertemplate=f"{colour} %{{customdata}}<extra></extra>",
                zmin=0,
                zmax=zmax,
                colorscale=[[0, "#fdf2f8"], [0.0001, "#fce7f3"], [1, BRAND]],
                showscale=False,
                xgap=3,
                ygap=3,
                textfont={"size": 13},
            ),
            row=1,
            col=i,
        )
        gaps = [(x, y) for (y, x), r in cells.items() if r["is_core"] and r["on_hand"] == 0]
        if gaps:
            fig.add_trace(
                go.Scatter(
                    x=[g[0] for g in gaps],
                    y=[g[1] for g in gaps],
                    mode="markers",
                    marker={
                        "symbol": "square-open",
                        "size": 34,
                        "color": STATUS_COLOURS["fail"],
                        "line": {"width": 3},
                    },
                    name=missing_name,
                    showlegend=i == 1 or not fig.data[-1].showlegend,
                    legendgroup="missing",
                    hovertemplate=f"{colour} %{{y}}%{{x}}: {missing_name}<extra></extra>",
                ),
                row=1,
                col=i,
            )
        fig.update_xaxes(
            type="category",
            title_text=t("location.size_run.cup", lang)
            if is_bra
            else t("location.size_run.size", lang),
            row=1,
            col=i,
            showgrid=False,
        )
        fig.update_yaxes(type="category", showgrid=False, row=1, col=i)
    if is_bra:
        fig.update_yaxes(title_text=t("location.size_run.band", lang), row=1, col=1)
    n_rows = len({p[0] for p in parsed if p}) if is_bra else 1
    fig.update_annotations(font={"size": 13, "family": FONT})
    fig = _base(fig, height=max(220, 110 + 44 * n_rows), legend=False)
    fig.update_layout(margin={"t": 28, "b": 8})
    return fig


def sell_through(frame: pl.DataFrame, *, lang: str) -> go.Figure:
    """Sell-through against on hand per style, coloured by segment."""
    rows = frame.filter(pl.col("sell_through").is_not_null())
    if rows.height == 0:
        return empty(t("common.no_rows", lang))
    fig = go.Figure()
    for seg in SEGMENTS:
        part = rows.filter(pl.col("segment") == seg)
        if part.height == 0:
            continue
        fig.add_trace(
            go.Scatter(
                x=part["on_hand"].to_list(),
                y=part["sell_through"].to_list(),
                mode="markers",
                name=t(f"segment.{seg}", lang),
                text=part["style"].to_list(),
                customdata=part["units_sold"].to_list(),
                marker={
                    "size": 11,
                    "color": SEGMENT_COLOURS[seg],
                    "opacity": 0.85,
                    "line": {"color": "white", "width": 1},
                },
                hovertemplate="%{text}: %{x} "
                + t("col.on_hand", lang)
                + ", %{customdata} sold, %{y:.0%}<extra></extra>",
            )
        )
    fig.update_xaxes(title_text=t("location.sell_through.x", lang), rangemode="tozero")
    fig.update_yaxes(
        title_text=t("location.sell_through.y", lang), tickformat=".0%", range=[-0.03, 1.05]
    )
    return _base(fig, height=320)


# ---------------------------------------------------------------- styles


def coverage_rows(frame: pl.DataFrame, *, lang: str) -> list[dict[str, Any]]:
    """Bestseller / new-style rows with 'x of n' coverage."""
    return [
        {
            "style": r["style"],
            "style_name": r["style_name"],
            "category": r["category"],
            "rank": r["rank"],
            "net_units": r["net_units"],
            "launch_month": r["launch_month"],
            "in_stock": f"{r['n_in_stock']} / {r['n_locations']}",
            "coverage": (r["n_in_stock"] / r["n_locations"]) if r["n_locations"] else None,
        }
        for r in frame.iter_rows(named=True)
    ]


def style_regions(frame: pl.DataFrame, *, lang: str) -> go.Figure:
    """Units sold per counted location in each area (region or city; bars) and the share of
    locations that stock the style (markers): where a style sells and where it is not shown."""
    if frame.height == 0:
        return empty(t("common.no_rows", lang))
    rows = frame.with_columns(
        (pl.col("units_sold") / pl.col("n_locations")).alias("per_location"),
        (pl.col("n_in_stock") / pl.col("n_locations")).alias("stock_share"),
    ).sort("per_location", descending=True)
    regions = rows["area"].to_list()
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    fig.add_trace(
        go.Bar(
            x=regions,
            y=rows["per_location"].to_list(),
            name=t("styles.regions.per_location", lang),
            marker={"color": BRAND},
            customdata=rows["units_sold"].to_list(),
            hovertemplate="%{x}: %{y:.1f} (%{customdata})<extra></extra>",
        ),
        secondary_y=False,
    )
    fig.add_trace(
        go.Scatter(
            x=regions,
            y=rows["stock_share"].to_list(),
            name=t("styles.regions.in_stock", lang),
            mode="markers",
            marker={"size": 14, "symbol": "diamond", "color": "#0284c7"},
            hovertemplate="%{x}: %{y:.0%}<extra></extra>",
        ),
        secondary_y=True,
    )
    fig.update_xaxes(type="category")
    fig.update_yaxes(
        title_text=t("styles.regions.per_location", lang), secondary_y=False, rangemode="tozero"
    )
    fig.update_yaxes(
        title_text=t("styles.regions.in_stock", lang),
        secondary_y=True,
        tickformat=".0%",
        range=[0, 1.05],
        showgrid=False,
        tickmode="linear",
        tick0=0,
        dtick=0.25,
    )
    return _base(fig, height=320)


# ---------------------------------------------------------------- where a style had its chance

CHANCE_STATES = ("selling", "not_selling", "never")
CHANCE_COLOURS = {"selling": "#15803d", "not_selling": "#d97706", "never": "#cbd5e1"}
NEW_STATES = ("selling", "not_selling", "starving")
NEW_COLOURS = {"selling": "#15803d", "not_selling": "#d97706", "starving": "#94a3b8"}
STUCK_COLOUR = "#dc2626"
_STATE_KEYS = {
    "selling": N_("styles.chance.selling"),
    "not_selling": N_("styles.chance.not_selling"),
    "never": N_("styles.chance.never"),
}
_NEW_STATE_KEYS = {
    "selling": N_("styles.new_chance.selling"),
    "not_selling": N_("styles.new_chance.not_selling"),
    "starving": N_("styles.new_chance.starving"),
}


def chance_areas(frame: pl.DataFrame, *, by: str) -> pl.DataFrame:
    """The rows of ``Data.style_chances`` per area (``region`` or ``group``).

    Returns:
        area (null for the stores outside the scope, last), label, stores, one column per
        state of :data:`CHANCE_STATES`, reach (share of stores that had the style), sell_through
        (over the stores that had it; null when they neither sold nor hold it) and is_stuck;
        in-scope areas by reach descending, then area.
    """
    key = "region" if by == "region" else "group_id"
    label = pl.col("region") if by == "region" else pl.coalesce("group_name", "group_id")
    states = [pl.col("n_stores").filter(pl.col("state") == s).sum().alias(s) for s in CHANCE_STATES]
    shown_units = pl.col("units_sold").sum()
    shown_on_hand = pl.col("on_hand_units").sum()
    return (
        frame.with_columns(pl.col(key).alias("area"), label.alias("label"))
        .group_by("area")
        .agg(
            pl.col("label").first(),
            pl.col("n_stores").sum().alias("stores"),
            *states,
            pl.when(shown_units + shown_on_hand > 0)
            .then(shown_units / (shown_units + shown_on_hand))
            .otherwise(None)
            .alias("sell_through"),
            pl.col("is_stuck").any().fill_null(False).alias("is_stuck"),
        )
        .with_columns(
            ((pl.col("selling") + pl.col("not_selling")) / pl.col("stores")).alias("reach"),
            pl.col("area").is_null().alias("_elsewhere"),
        )
        .sort(["_elsewhere", "reach", "area"], descending=[False, True, False])
        .drop("_elsewhere")
    )


def style_chances(frame: pl.DataFrame, *, by: str, lang: str) -> go.Figure:
    """A style's counted stores per area as one bar each: shown and selling, shown and not
    selling, never shown (shares of the area's stores, counts on hover); areas where the style
    is stuck at the distributor (``by="group"``) are marked in red; the stores outside the user's scope are one
    anonymous "elsewhere" bar."""
    areas = chance_areas(frame, by=by)
    if areas.height == 0:
        return empty(t("common.no_rows", lang))
    elsewhere = t("styles.chance.elsewhere", lang)
    labels = []
    for r in areas.iter_rows(named=True):
        name = elsewhere if r["area"] is None else str(r["label"] or r["area"])
        st = "–" if r["sell_through"] is None else pct(r["sell_through"])
        text = t("styles.chance.tick", lang, name=name, reach=pct(r["reach"]), st=st)
        if r["is_stuck"] and by != "region":
            text = f'<span style="color:{STUCK_COLOUR}"><b>⚠ {text}</b></span>'
        labels.append(text)
    stores = areas["stores"].to_list()
    traces = []
    for state in CHANCE_STATES:
        counts = areas[state].to_list()
        traces.append(
            {
                "type": "bar",
                "y": labels,
                "x": [c / n if n else 0 for c, n in zip(counts, stores, strict=True)],
                "orientation": "h",
                "name": t(_STATE_KEYS[state], lang),
                "marker": {"color": CHANCE_COLOURS[state]},
                "customdata": counts,
                "text": [str(c) if c else "" for c in counts],
                "textposition": "inside",
                "insidetextanchor": "middle",
                "hovertemplate": "%{customdata} (%{x:.0%})<extra>%{fullData.name}</extra>",
            }
        )
    # one constructor call: plotly validates once instead of once per trace and update
    fig = go.Figure(
        data=traces,
        layout={
            "barmode": "stack",
            "bargap": 0.25,
            "xaxis": {"tickformat": ".0%", "range": [0, 1.002], "dtick": 0.25},
            "yaxis": {"autorange": "reversed", "type": "category"},
        },
    )
    return _base(fig, height=70 + 30 * areas.height)


def new_style_chances(frame: pl.DataFrame, *, lang: str) -> go.Figure:
    """Each new style's stores: starving (never had it in the window), not selling, selling,
    so that "it does not sell here" can be told apart from "it was never here"."""
    if frame.height == 0:
        return empty(t("styles.new_chance.none", lang))
    per_style = (
        frame.group_by("style")
        .agg(
            pl.col("launch_month").first(),
            *[pl.col("n_stores").filter(pl.col("state") == s).sum().alias(s) for s in NEW_STATES],
        )
        .sort(["starving", "style"], descending=[True, False])
    )
    styles = per_style["style"].to_list()
    fig = go.Figure()
    for state in NEW_STATES:
        counts = per_style[state].to_list()
        fig.add_trace(
            go.Bar(
                y=styles,
                x=counts,
                orientation="h",
                name=t(_NEW_STATE_KEYS[state], lang),
                marker={"color": NEW_COLOURS[state]},
                text=[str(c) if c else "" for c in counts],
                textposition="inside",
                insidetextanchor="middle",
                hovertemplate="%{y}: %{x}<extra>%{fullData.name}</extra>",
            )
        )
    fig.update_layout(barmode="stack", bargap=0.25)
    most = max(
        1, max(sum(per_style[s].to_list()[i] for s in NEW_STATES) for i in range(len(styles)))
    )
    fig.update_xaxes(
        title_text=t("styles.new_chance.stores", lang),
        rangemode="tozero",
        tick0=0,
        dtick=max(1, math.ceil(most / 8)),  # whole stores
    )
    fig.update_yaxes(autorange="reversed", type="category")
    return _base(fig, height=70 + 26 * per_style.height)


# ---------------------------------------------------------------- order plan


def order_plan(frame: pl.DataFrame, *, lang: str, top: int = 8) -> go.Figure:
    """Units to order per region, stacked by style (the ``top`` styles, the rest as one)."""
    if frame.height == 0 or int(frame["units"].sum() or 0) == 0:
        return empty(t("common.no_rows", lang))
    by_style = (
        frame.group_by("style")
        .agg(pl.col("units").sum())
        .sort(["units", "style"], descending=[True, False])
    )
    keep = by_style.head(top)["style"].to_list()
    other = "…" if lang == "zh" else "other"
    agg = (
        frame.with_columns(
            pl.when(pl.col("style").is_in(keep))
            .then(pl.col("style"))
            .otherwise(pl.lit(other))
            .alias("_s")
        )
        .group_by("region", "_s")
        .agg(pl.col("units").sum())
    )
    regions = (
        agg.group_by("region")
        .agg(pl.col("units").sum())
        .sort(["units", "region"], descending=[True, False])["region"]
        .to_list()
    )
    palette = [
        "#9d174d",
        "#0284c7",
        "#d97706",
        "#7c3aed",
        "#0d9488",
        "#db2777",
        "#65a30d",
        "#475569",
        "#cbd5e1",
    ]
    fig = go.Figure()
    for i, style in enumerate([*keep, other]):
        part = agg.filter(pl.col("_s") == style)
        if part.height == 0:
            continue
        values = dict(zip(part["region"].to_list(), part["units"].to_list(), strict=True))
        fig.add_trace(
            go.Bar(
                x=regions,
                y=[values.get(r, 0) for r in regions],
                name=style,
                marker={"color": palette[i % len(palette)]},
                hovertemplate=f"{style} %{{x}}: %{{y:,}}<extra></extra>",
            )
        )
    fig.update_layout(barmode="stack")
    fig.update_xaxes(type="category")
    fig.update_yaxes(title_text=t("plan.total", lang))
    return _base(fig, height=340)


def plan_kpis(frame: pl.DataFrame) -> dict[str, Any]:
    """Totals of the order plan: units, styles, regions."""
    return {
        "units": int(frame["units"].sum() or 0) if frame.height else 0,
        "styles": frame.filter(pl.col("units") > 0)["style"].n_unique() if frame.height else 0,
        "regions": frame.filter(pl.col("units") > 0)["region"].n_unique() if frame.height else 0,
    }


__all__ = [
    "action_rows",
    "coverage_rows",
    "empty",
    "kpis",
    "location_history",
    "order_plan",
    "overview_rows",
    "pct",
    "plan_kpis",
    "sell_through",
    "size_run",
    "status_by",
    "style_regions",
    "style_rows",
    "trend",
]
