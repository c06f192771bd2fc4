"""Figure and table builders: pure functions of polars frames and a language, no database,
no Dash. Tested without a browser (tests/test_dashboard_figures.py)."""

from __future__ import annotations

import functools
import json
import math
from typing import Any

import plotly.graph_objects as go
import polars as pl

from assortment import months
from assortment.i18n import N_, action_reason, list_sep, paren, pct, reasons_text, t, word
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
_TEMPLATE_JSON: dict[str, Any] = TEMPLATE.to_plotly_json()
_AXIS_STYLE = {"automargin": True, "gridcolor": "#eef0f3", "zeroline": False}

#: A figure as plotly.js reads it: ``{"data": [trace, ...], "layout": {...}}``. The builders
#: write these dicts directly: plotly's ``graph_objects`` validate every property on every
#: update (a size run cost 60 ms of CPU that way, the overview's chart 30 ms); tests check the
#: dicts against plotly's schema by wrapping them in ``go.Figure``.
Figure = dict[str, Any]


def _figure(
    data: list[dict[str, Any]],
    layout: dict[str, Any] | None = None,
    *,
    height: int = 320,
    legend: bool = True,
) -> Figure:
    """Traces and layout in the house style: our template, font, margins, horizontal legend,
    every axis with automargin and light grid lines."""
    lay = dict(layout or {})
    lay.setdefault("xaxis", {})
    lay.setdefault("yaxis", {})
    for name in list(lay):
        if name.startswith(("xaxis", "yaxis")):
            lay[name] = {**lay[name], **_AXIS_STYLE}
    lay.update(
        template=_TEMPLATE_JSON,
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
        hoverlabel={**lay.get("hoverlabel", {}), "font": {"family": FONT}},
    )
    return {"data": data, "layout": lay}


def _secondary_y_layout() -> dict[str, Any]:
    """Axes of one plot with a second y axis on the right (what ``make_subplots`` with
    ``secondary_y`` lays out): traces on it say ``"yaxis": "y2"``."""
    return {
        "xaxis": {"anchor": "y", "domain": [0.0, 0.94]},
        "yaxis": {"anchor": "x", "domain": [0.0, 1.0]},
        "yaxis2": {"anchor": "x", "overlaying": "y", "side": "right"},
    }


@functools.lru_cache(maxsize=64)
def _placeholder(message: str, height: int) -> str:
    return json.dumps(empty(message, height=height))


def placeholder(message: str, *, height: int = 260) -> dict[str, Any]:
    """``empty(message)``, built once per message (a fresh copy: page layouts may keep it)."""
    return json.loads(_placeholder(message, height))


def empty(message: str, *, height: int = 260) -> Figure:
    """A blank figure carrying a message (no data, nothing picked)."""
    return _figure(
        [],
        {
            "annotations": [
                {
                    "text": message,
                    "showarrow": False,
                    "x": 0.5,
                    "y": 0.5,
                    "xref": "paper",
                    "yref": "paper",
                    "font": {"size": 14, "color": "#6b7280"},
                }
            ],
            "xaxis": {"visible": False},
            "yaxis": {"visible": False},
        },
        height=height,
        legend=False,
    )


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


def status_by(frame: pl.DataFrame, *, by: str, lang: str) -> Figure:
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
    groups = counts["_g"].to_list()
    traces = [
        {
            "type": "bar",
            "y": groups,
            "x": counts[s].to_list(),
            "name": t(f"status.{s}", lang),
            "orientation": "h",
            "marker": {"color": STATUS_COLOURS[s]},
            "hovertemplate": "%{y}: %{x} " + t(f"status.{s}", lang) + "<extra></extra>",
        }
        for s in STATUSES
    ]
    return _figure(
        traces, {"barmode": "stack", "bargap": 0.25}, height=max(260, 60 + 26 * counts.height)
    )


def trend(frame: pl.DataFrame, *, lang: str) -> Figure:
    """Failing locations (bars) and average active styles vs minimum (lines) per month."""
    if frame.height == 0:
        return empty(t("common.no_rows", lang))
    months = frame["month"].to_list()
    traces: list[dict[str, Any]] = [
        {
            "type": "bar",
            "x": months,
            "y": frame["n_fail"].to_list(),
            "name": t("overview.trend.failing", lang),
            "marker": {"color": STATUS_COLOURS["fail"]},
            "opacity": 0.85,
            "hovertemplate": "%{x}: %{y}<extra></extra>",
            "xaxis": "x",
            "yaxis": "y",
        },
        {
            "type": "scatter",
            "x": months,
            "y": frame["avg_active_styles"].to_list(),
            "name": t("overview.trend.active", lang),
            "mode": "lines+markers",
            "line": {"color": BRAND, "width": 3},
            "hovertemplate": "%{x}: %{y:.1f}<extra></extra>",
            "xaxis": "x",
            "yaxis": "y2",
        },
        {
            "type": "scatter",
            "x": months,
            "y": frame["avg_min_styles"].to_list(),
            "name": t("overview.trend.min", lang),
            "mode": "lines",
            "line": {"color": "#6b7280", "width": 2, "dash": "dash"},
            "hovertemplate": "%{x}: %{y:.1f}<extra></extra>",
            "xaxis": "x",
            "yaxis": "y2",
        },
    ]
    top = int(frame["n_fail"].max() or 0)  # type: ignore[arg-type]
    layout = _secondary_y_layout()
    layout["xaxis"]["type"] = "category"
    layout["yaxis"].update(
        title={"text": t("overview.trend.failing", lang)},
        rangemode="tozero",
        tickformat=",d",
        tickmode="linear",
        tick0=0,
        dtick=max(1, -(-top // 5)),
    )
    layout["yaxis2"].update(
        title={"text": t("overview.trend.active", lang)},
        rangemode="tozero",
        showgrid=False,
        tickmode="auto",
        nticks=6,
        tickformat=",.0f",
    )
    return _figure(traces, layout, height=320)


def overview_rows(frame: pl.DataFrame, *, lang: str) -> list[dict[str, Any]]:
    """The overview table's rows: statuses and reasons in words, styles vs minimum.

    Thousands of rows share a handful of words: each word (and each row's reasons, keyed by
    the figures they quote) is looked up once per call.
    """
    words: dict[str, str] = {}

    def word(key: str) -> str:
        got = words.get(key)
        if got is None:
            got = words[key] = t(key, lang)
        return got

    changes: dict[tuple[str, str], str] = {}
    reasons: dict[tuple[Any, ...], str] = {}
    reason_keys = (
        "status",
        "active_styles",
        "min_styles",
        "bestseller_coverage",
        "new_coverage",
        "broken_size_share",
        "slow_stock_share",
    )
    ok = word("reason.ok")
    rows = []
    for r in frame.iter_rows(named=True):
        status, prev, active = r["status"], r.get("prev_status"), r["active_styles"]
        if r["reasons"] or status == "no_count":
            key = (tuple(r["reasons"] or ()), *(r.get(k) for k in reason_keys))
            text = reasons.get(key)
            if text is None:
                text = reasons[key] = reasons_text(r, lang) or ok
        else:
            text = ok
        if prev:
            change = changes.get((prev, status))
            if change is None:
                change = changes[(prev, status)] = t(
                    "overview.status_change",
                    lang,
                    before=word(f"status.{prev}"),
                    now=word(f"status.{status}"),
                )
        else:
            change = word(f"status.{status}")
        prev_active = r.get("prev_active_styles")
        rows.append(
            {
                "location_id": r["location_id"],
                "name": r["name"],
                "kind": word(f"kind.{r['kind']}"),
                "region": r["region"],
                "city": r["city"],
                "rep": r["rep"],
                "group_name": r["group_name"],
                "status_code": status,
                "status": word(f"status.{status}"),
                "reasons": text,
                "active_styles": active,
                "min_styles": r["min_styles"],
                "styles_vs_min": "–" if active is None else f"{active} / {r['min_styles']}",
                "bestseller_coverage": r["bestseller_coverage"],
                "new_coverage": r["new_coverage"],
                "prev_status_code": prev,
                "prev_status": word(f"status.{prev}") if prev else "–",
                "status_change": change,
                "active_change": None
                if prev_active is None or active is None
                else int(active) - int(prev_active),
            }
        )
    return rows


# ---------------------------------------------------------------- location


def location_history(frame: pl.DataFrame, *, lang: str) -> Figure:
    """Active styles per month (markers coloured by status) against the minimum (dashed)."""
    rows = frame.filter(pl.col("month").is_not_null())
    if rows.height == 0:
        return empty(t("common.no_rows", lang))
    months = rows["month"].to_list()
    statuses = rows["status"].to_list()
    traces = [
        {
            "type": "scatter",
            "x": months,
            "y": rows["min_styles"].to_list(),
            "name": t("location.history.min", lang),
            "mode": "lines",
            "line": {"color": "#6b7280", "dash": "dash", "shape": "hv", "width": 2},
            "hovertemplate": "%{x}: %{y}<extra></extra>",
        },
        {
            "type": "scatter",
            "x": months,
            "y": rows["active_styles"].to_list(),
            "name": t("location.history.active", lang),
            "mode": "lines+markers",
            "line": {"color": BRAND, "width": 3},
            "marker": {
                "size": 11,
                "color": [STATUS_COLOURS.get(s or "no_count", "#9ca3af") for s in statuses],
                "line": {"color": "white", "width": 2},
            },
            "text": [t(f"status.{s or 'no_count'}", lang) for s in statuses],
            "hovertemplate": "%{x}: %{y} (%{text})<extra></extra>",
        },
    ]
    layout = {"xaxis": {"type": "category"}, "yaxis": {"rangemode": "tozero"}}
    return _figure(traces, layout, height=280)


def style_label(row: dict[str, Any]) -> str:
    """A style as the lists and pickers name it: its code and name (``BR26A01 乳胶无钢圈文胸``)."""
    return f"{row['style']} {row['style_name'] or ''}".strip()


def style_rows(frame: pl.DataFrame, *, lang: str) -> list[dict[str, Any]]:
    """The location's style table: segment and flags in words; on a tablet ``style_label``
    (code and name) and ``gaps`` (broken size, broken colour, missing core SKUs in words)
    stand for the columns the narrow layout hides."""
    yes, no = t("yes", lang), ""
    return [
        {
            "style_label": style_label(r),
            "gaps": _gaps(r, lang),
            "style": r["style"],
            "style_name": r["style_name"],
            "category": word("category", r["category"], lang),
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


def _gaps(row: dict[str, Any], lang: str) -> str:
    """A style's gaps at a location in words: "Broken size · Missing core sizes: 75B, 80B"."""
    flags = (("col.broken_size", row["broken_size"]), ("col.broken_colour", row["broken_colour"]))
    words = [t(key, lang) for key, on in flags if on]
    if row["missing_core_skus"]:
        words.append(t("location.missing_core", lang, skus=row["missing_core_skus"]))
    return " · ".join(words)


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
                "style": style_label(r),
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


_CHANGE_SCHEMA = {
    "prev_status": pl.String,
    "status": pl.String,
    "prev_active_styles": pl.Int64,
    "active_styles": pl.Int64,
    "change": pl.String,
}


def change_row(location: pl.DataFrame, month: str) -> pl.DataFrame:
    """Status and active styles in the month before ``month`` and in ``month``, and whether
    the location got fixed or worse (``change``), from ``Data.location``'s monthly rows.

    Returns:
        One row (prev_status, status, prev_active_styles, active_styles, change), or none when
        the location was classified in neither month (or is out of scope: no rows).
    """
    now = months.parse(month)
    by_month = {r["month"]: r for r in location.iter_rows(named=True) if r["month"]}
    cur, prev = by_month.get(months.fmt(now)), by_month.get(months.fmt(months.add(now, -1)))
    rows = []
    if cur is not None or prev is not None:
        rows.append(
            {
                "prev_status": prev and prev["status"],
                "status": cur and cur["status"],
                "prev_active_styles": prev and prev["active_styles"],
                "active_styles": cur and cur["active_styles"],
                "change": cur and cur["change"],
            }
        )
    return pl.DataFrame(rows, schema=_CHANGE_SCHEMA)


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
        text += paren(t(CHANGE_KEYS[r["change"]], lang), lang)
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


JUDGED = pl.col("unknown") < pl.col("lines")
"""A rep's month is judged once some of its lines are (the month after is counted); until
then every line is unknown and its shares are not 0% but not known yet."""


def scorecard_rows(frame: pl.DataFrame) -> list[dict[str, Any]]:
    """Each rep's scorecard summed over the months of ``frame`` (domain.md 8), best last:
    lines, done, partly, not_done, unknown, done_share (of lines), done_value_share (of the
    value at stake), fixed, worse, months. The shares leave out the months not judged yet
    (:data:`JUDGED`): the latest month's lines would otherwise count as not done."""
    if frame.height == 0:
        return []
    judged = pl.when(JUDGED)
    totals = (
        frame.group_by("rep")
        .agg(
            pl.col("lines", "done", "partly", "not_done", "unknown").sum(),
            pl.col("fixed", "worse").sum(),
            judged.then(pl.col("lines")).otherwise(0).sum().alias("_judged_lines"),
            judged.then(pl.col("value_at_stake_cny")).otherwise(0.0).sum().alias("_stake"),
            judged.then(pl.col("done_value_cny")).otherwise(0.0).sum().alias("_done_value"),
            pl.col("month").n_unique().alias("months"),
        )
        .with_columns(
            pl.when(pl.col("_judged_lines") > 0)
            .then(pl.col("done") / pl.col("_judged_lines"))
            .otherwise(None)
            .alias("done_share"),
            pl.when(pl.col("_stake") > 0)
            .then(pl.col("_done_value") / pl.col("_stake"))
            .otherwise(None)
            .alias("done_value_share"),
        )
        .drop("_judged_lines", "_stake", "_done_value")
        .sort("done_value_share", "rep", nulls_last=True)
    )
    return totals.to_dicts()


def scorecard_trend(frame: pl.DataFrame, *, lang: str) -> Figure:
    """Share of the value at stake whose lines were done: reps down, months across (a heat map
    stays readable with many reps where lines would tangle)."""
    if frame.height == 0:
        return empty(t("reps.none", lang))
    month_list = sorted(frame["month"].unique().to_list())
    reps = figures_order(frame)
    cell = {
        (r["rep"], r["month"]): (r["done_value_share"], r["judged"])
        for r in frame.with_columns(JUDGED.alias("judged")).iter_rows(named=True)
    }
    waiting = t("reps.not_judged", lang)  # every line waits for the next count
    z: list[list[float | None]] = []
    text: list[list[str]] = []
    for rep in reps:
        shares = [cell.get((rep, m), (None, True)) for m in month_list]
        z.append([v if judged else None for v, judged in shares])
        text.append(
            [waiting if not judged else "" if v is None else f"{v:.0%}" for v, judged in shares]
        )
    trace = {
        "type": "heatmap",
        "z": z,
        "x": month_list,
        "y": [rep or "–" for rep in reps],
        "text": text,
        "texttemplate": "%{text}",
        "zmin": 0,
        "zmax": 1,
        "colorscale": [[0, "#d1495b"], [0.5, "#edae49"], [1, "#3c8d5a"]],
        "showscale": False,
        "hovertemplate": "%{y} %{x}: %{text}<extra></extra>",
        "xgap": 2,
        "ygap": 2,
    }
    layout = {"xaxis": {"type": "category", "side": "top"}, "yaxis": {"autorange": "reversed"}}
    return _figure([trace], layout, height=max(220, 34 * len(reps) + 80), legend=False)


def figures_order(frame: pl.DataFrame) -> list[str]:
    """Reps in the scorecard table's order (lowest share of value done first)."""
    return [r["rep"] for r in scorecard_rows(frame)]


def _panels_layout(titles: list[str], *, spacing: float = 0.04) -> dict[str, Any]:
    """Axes of side-by-side panels sharing one y axis, each titled (what ``make_subplots``
    with ``shared_yaxes`` lays out): panel i's traces say ``"xaxis": "x<i>"``."""
    n = len(titles)
    width = (1 - spacing * (n - 1)) / n
    layout: dict[str, Any] = {"annotations": []}
    for i, title in enumerate(titles, start=1):
        left = (i - 1) * (width + spacing)
        domain = [left, min(1.0, left + width)]
        sfx = "" if i == 1 else str(i)
        layout[f"xaxis{sfx}"] = {"anchor": f"y{sfx}", "domain": domain}
        layout[f"yaxis{sfx}"] = {"anchor": f"x{sfx}", "domain": [0.0, 1.0]}
        if i > 1:
            layout[f"yaxis{sfx}"].update(matches="y", showticklabels=False)
        layout["annotations"].append(
            {
                "font": {"size": 13, "family": FONT},
                "showarrow": False,
                "text": title,
                "x": (domain[0] + domain[1]) / 2,
                "xanchor": "center",
                "xref": "paper",
                "y": 1.0,
                "yanchor": "bottom",
                "yref": "paper",
            }
        )
    return layout


def size_run(frame: pl.DataFrame, *, style: str, lang: str) -> Figure:
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
    layout = _panels_layout(colours)
    missing_name = t("location.size_run.missing", lang)
    axis_title = t("location.size_run.cup", lang) if is_bra else t("location.size_run.size", lang)
    traces: list[dict[str, Any]] = []
    by_colour: dict[str, list[dict[str, Any]]] = {c: [] for c in colours}
    for r in frame.iter_rows(named=True):
        by_colour[r["colour"]].append(r)
    shown_missing = False
    for i, colour in enumerate(colours, start=1):
        sfx = "" if i == 1 else str(i)
        cells = {}
        for r in by_colour[colour]:
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
        traces.append(
            {
                "type": "heatmap",
                "z": z,
                "x": xs,
                "y": ys,
                "text": text,
                "texttemplate": "%{text}",
                "customdata": hover,
                "hovertemplate": f"{colour} %{{customdata}}<extra></extra>",
                "zmin": 0,
                "zmax": zmax,
                "colorscale": [[0, "#fdf2f8"], [0.0001, "#fce7f3"], [1, BRAND]],
                "showscale": False,
                "xgap": 3,
                "ygap": 3,
                "textfont": {"size": 13},
                "xaxis": f"x{sfx}",
                "yaxis": f"y{sfx}",
            }
        )
        gaps = [(x, y) for (y, x), r in cells.items() if r["is_core"] and r["on_hand"] == 0]
        if gaps:
            traces.append(
                {
                    "type": "scatter",
                    "x": [g[0] for g in gaps],
                    "y": [g[1] for g in gaps],
                    "mode": "markers",
                    "marker": {
                        "symbol": "square-open",
                        "size": 34,
                        "color": STATUS_COLOURS["fail"],
                        "line": {"width": 3},
                    },
                    "name": missing_name,
                    "showlegend": not shown_missing,
                    "legendgroup": "missing",
                    "hovertemplate": f"{colour} %{{y}}%{{x}}: {missing_name}<extra></extra>",
                    "xaxis": f"x{sfx}",
                    "yaxis": f"y{sfx}",
                }
            )
            shown_missing = True
        layout[f"xaxis{sfx}"].update(type="category", title={"text": axis_title}, showgrid=False)
        layout[f"yaxis{sfx}"].update(type="category", showgrid=False)
    if is_bra:
        layout["yaxis"]["title"] = {"text": t("location.size_run.band", lang)}
    n_rows = len({p[0] for p in parsed if p}) if is_bra else 1
    fig = _figure(traces, layout, height=max(220, 110 + 44 * n_rows), legend=False)
    fig["layout"]["margin"].update(t=28, b=8)
    return fig


def sell_through(frame: pl.DataFrame, *, lang: str) -> Figure:
    """Sell-through against on hand per style, coloured by segment."""
    rows = frame.filter(pl.col("sell_through").is_not_null())
    if rows.height == 0:
        return empty(t("common.no_rows", lang))
    on_hand = t("col.on_hand", lang)
    sold = t("location.sell_through.sold", lang)
    x_max = max(float(rows["on_hand"].max() or 0), 1.0)  # type: ignore[arg-type]
    traces = []
    for seg in SEGMENTS:
        part = rows.filter(pl.col("segment") == seg)
        if part.height == 0:
            continue
        traces.append(
            {
                "type": "scatter",
                "x": part["on_hand"].to_list(),
                "y": part["sell_through"].to_list(),
                "mode": "markers",
                "name": t(f"segment.{seg}", lang),
                "text": part["style"].to_list(),
                "customdata": part["units_sold"].to_list(),
                "marker": {
                    "size": 11,
                    "color": SEGMENT_COLOURS[seg],
                    "opacity": 0.85,
                    "line": {"color": "white", "width": 1},
                },
                "hovertemplate": "%{text} · "
                + on_hand
                + " %{x} · "
                + sold
                + " %{customdata} · %{y:.0%}<extra></extra>",
            }
        )
    layout = {
        # a little room left of 0 and above the largest: markers at the edge are not cut in half
        "xaxis": {
            "title": {"text": t("location.sell_through.x", lang)},
            "range": [-0.04 * x_max, 1.06 * x_max],
        },
        "yaxis": {
            "title": {"text": t("location.sell_through.y", lang)},
            "tickformat": ".0%",
            "range": [-0.03, 1.05],
        },
    }
    return _figure(traces, layout, height=320)


# ---------------------------------------------------------------- styles


def coverage_rows(frame: pl.DataFrame, *, lang: str) -> list[dict[str, Any]]:
    """Bestseller / new-style rows with 'x of n' coverage."""
    return [
        {
            "style": r["style"],
            "style_name": r["style_name"],
            "category": word("category", r["category"], lang),
            "rank": r["rank"],
            "net_units": r["net_units"],
            "launch_month": r["launch_month"],
            "in_stock": f"{r['n_in_stock']} / {r['n_locations']}",
            "coverage": (r["n_in_stock"] / r["n_locations"]) if r["n_locations"] else None,
        }
        for r in frame.iter_rows(named=True)
    ]


def style_regions(frame: pl.DataFrame, *, lang: str) -> Figure:
    """Units sold per counted location in each area (region or city; bars) and the share of
    locations that stock the style (markers): where a style sells and where it is not shown."""
    if frame.height == 0:
        return empty(t("common.no_rows", lang))
    rows = frame.with_columns(
        (pl.col("units_sold") / pl.col("n_locations")).alias("per_location"),
        (pl.col("n_in_stock") / pl.col("n_locations")).alias("stock_share"),
    ).sort("per_location", descending=True)
    regions = rows["area"].to_list()
    traces = [
        {
            "type": "bar",
            "x": regions,
            "y": rows["per_location"].to_list(),
            "name": t("styles.regions.per_location", lang),
            "marker": {"color": BRAND},
            "customdata": rows["units_sold"].to_list(),
            "hovertemplate": "%{x}: %{y:.1f} (%{customdata})<extra></extra>",
            "xaxis": "x",
            "yaxis": "y",
        },
        {
            "type": "scatter",
            "x": regions,
            "y": rows["stock_share"].to_list(),
            "name": t("styles.regions.in_stock", lang),
            "mode": "markers",
            "marker": {"size": 14, "symbol": "diamond", "color": "#0284c7"},
            "hovertemplate": "%{x}: %{y:.0%}<extra></extra>",
            "xaxis": "x",
            "yaxis": "y2",
        },
    ]
    layout = _secondary_y_layout()
    layout["xaxis"]["type"] = "category"
    layout["yaxis"].update(
        title={"text": t("styles.regions.per_location", lang)}, rangemode="tozero"
    )
    layout["yaxis2"].update(
        title={"text": t("styles.regions.in_stock", lang)},
        tickformat=".0%",
        range=[0, 1.05],
        showgrid=False,
        tickmode="linear",
        tick0=0,
        dtick=0.25,
    )
    return _figure(traces, layout, height=320)


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


def style_chances(frame: pl.DataFrame, *, by: str, lang: str) -> Figure:
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
                "textangle": 0,  # counts read across, never turned on their side
                "hovertemplate": "%{customdata} (%{x:.0%})<extra>%{fullData.name}</extra>",
            }
        )
    layout = {
        "barmode": "stack",
        "bargap": 0.25,
        "xaxis": {"tickformat": ".0%", "range": [0, 1.002], "dtick": 0.25},
        "yaxis": {"autorange": "reversed", "type": "category"},
    }
    fig = _figure(traces, layout, height=130 + 30 * areas.height)
    # long area names leave a narrow plot, where the legend wraps onto up to three rows:
    # room above the plot for them, so the legend never lies over the first bar; room on the
    # right for the 100% tick's label
    fig["layout"]["margin"] = {**fig["layout"]["margin"], "t": 96, "r": 24}
    return fig


def new_style_chances(frame: pl.DataFrame, *, lang: str) -> Figure:
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
    traces = []
    for state in NEW_STATES:
        counts = per_style[state].to_list()
        traces.append(
            {
                "type": "bar",
                "y": styles,
                "x": counts,
                "orientation": "h",
                "name": t(_NEW_STATE_KEYS[state], lang),
                "marker": {"color": NEW_COLOURS[state]},
                "text": [str(c) if c else "" for c in counts],
                "textposition": "inside",
                "insidetextanchor": "middle",
                "textangle": 0,  # counts read across, never turned on their side
                "hovertemplate": "%{y}: %{x}<extra>%{fullData.name}</extra>",
            }
        )
    most = max(
        1, max(sum(per_style[s].to_list()[i] for s in NEW_STATES) for i in range(len(styles)))
    )
    layout = {
        "barmode": "stack",
        "bargap": 0.25,
        "xaxis": {
            "title": {"text": t("styles.new_chance.stores", lang)},
            "rangemode": "tozero",
            "tick0": 0,
            "dtick": max(1, math.ceil(most / 8)),  # whole stores
        },
        "yaxis": {"autorange": "reversed", "type": "category"},
    }
    return _figure(traces, layout, height=70 + 26 * per_style.height)


# ---------------------------------------------------------------- order plan


def order_plan(frame: pl.DataFrame, *, lang: str, top: int = 8) -> Figure:
    """Units to order per region, stacked by style (the ``top`` styles, the rest as one)."""
    if frame.height == 0 or int(frame["units"].sum() or 0) == 0:
        return empty(t("common.no_rows", lang))
    by_style = (
        frame.group_by("style")
        .agg(pl.col("units").sum())
        .sort(["units", "style"], descending=[True, False])
    )
    keep = by_style.head(top)["style"].to_list()
    other = t("plan.other_styles", lang)  # the styles beyond the top ones, as one
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
    traces = []
    for i, style in enumerate([*keep, other]):
        part = agg.filter(pl.col("_s") == style)
        if part.height == 0:
            continue
        values = dict(zip(part["region"].to_list(), part["units"].to_list(), strict=True))
        traces.append(
            {
                "type": "bar",
                "x": regions,
                "y": [values.get(r, 0) for r in regions],
                "name": style,
                "marker": {"color": palette[i % len(palette)]},
                "hovertemplate": f"{style} %{{x}}: %{{y:,}}<extra></extra>",
            }
        )
    layout = {
        "barmode": "stack",
        "xaxis": {"type": "category"},
        "yaxis": {"title": {"text": t("plan.total", lang)}},
    }
    return _figure(traces, layout, height=340)


def plan_rows(frame: pl.DataFrame, *, lang: str) -> list[dict[str, Any]]:
    """The order plan's table rows: the stored columns, the category in words; on a tablet
    ``style_label`` (code and name) stands for the two columns the narrow layout hides."""
    return [
        {
            **r,
            "category": word("category", r["category"], lang),
            "style_label": style_label(r),
        }
        for r in frame.iter_rows(named=True)
    ]


def plan_location_rows(frame: pl.DataFrame, *, lang: str) -> list[dict[str, Any]]:
    """The locations the order plan carried forward or left out (``order_plan_locations``):
    the location as code and name, how it takes part in words, the month of its latest count
    (or "never")."""
    return [
        {
            "region": r["region"],
            "location": f"{r['location_id']} {r['name'] or ''}".strip(),
            "coverage": word("plan.coverage", r["coverage"], lang),
            "count_month": r["count_month"] or t("plan.never_counted", lang),
        }
        for r in frame.iter_rows(named=True)
    ]


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
    "plan_location_rows",
    "plan_rows",
    "sell_through",
    "size_run",
    "status_by",
    "style_label",
    "style_regions",
    "style_rows",
    "trend",
]
