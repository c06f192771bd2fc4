"""Reps: each rep's follow-through over the last 12 months (domain.md 8). Admins see every rep,
a rep their own scorecard; distributors do not get the page."""

from __future__ import annotations

from typing import Any

import dash
from dash import Input, Output, callback, dcc, html

from dashboard import figures, ids
from dashboard.answers import per_snapshot
from dashboard.components import ui
from dashboard.context import data, lang, require_user, t

dash.register_page(__name__, path="/reps", name="Reps", title="Reps · Assortment Health", order=4)


@per_snapshot
def layout(**_query: Any) -> html.Div:
    """The reps' scorecard page (admins and reps)."""
    user = require_user()
    if not user.sees_reps:
        return ui.page(t("reps.title"), ui.empty(t("common.not_allowed"), tone="warn"))
    months = data().months()
    if not months:
        return ui.page(t("reps.title"), ui.empty(t("common.no_data")))
    return ui.page(
        t("reps.title"),
        ui.section(
            t("reps.scorecard"),
            html.Div(id=ids.REPS_TABLE),
            hint=t("reps.hint"),
        ),
        ui.section(
            t("reps.trend"),
            dcc.Graph(
                id=ids.REPS_TREND,
                config={"displayModeBar": False},
                figure=figures.placeholder(t("common.loading")),
            ),
            hint=t("reps.trend_hint"),
        ),
        subtitle=t("reps.subtitle"),
        actions=ui.month_picker(ids.REPS_MONTH, months),
    )


def scorecard_table(rows: list[dict[str, Any]]) -> Any:
    """The scorecard as a table that wraps (every column in sight on a tablet)."""
    if not rows:
        return ui.empty(t("reps.none"))
    heads = [
        (t("reps.rep"), False),
        (t("reps.lines"), True),
        (t("follow.done"), True),
        (t("follow.partly"), True),
        (t("follow.not_done"), True),
        (t("follow.unknown"), True),
        (t("reps.done_share"), True),
        (t("reps.done_value"), True),
        (t("col.fixed"), True),
        (t("col.worse"), True),
    ]
    head = html.Thead(html.Tr([html.Th(h, className="n" if n else None) for h, n in heads]))
    body = html.Tbody(
        [
            html.Tr(
                [
                    html.Td(r["rep"] or "–"),
                    html.Td(f"{r['lines']:,}", className="n"),
                    html.Td(f"{r['done']:,}", className="n"),
                    html.Td(f"{r['partly']:,}", className="n"),
                    html.Td(f"{r['not_done']:,}", className="n"),
                    html.Td(f"{r['unknown']:,}", className="n"),
                    html.Td(_pct(r["done_share"]), className="n"),
                    html.Td(_pct(r["done_value_share"]), className="n cell-strong"),
                    html.Td(str(r["fixed"]), className="n"),
                    html.Td(str(r["worse"]), className="n"),
                ]
            )
            for r in rows
        ]
    )
    return html.Table([head, body], className="visit-table", id="reps-table")


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


@callback(
    Output(ids.REPS_TABLE, "children"),
    Output(ids.REPS_TREND, "figure"),
    Input(ids.REPS_MONTH, "value"),
)
@per_snapshot
def update_reps(month: str | None) -> tuple[Any, Any]:
    """The scorecard table and trend (one scoped query)."""
    user = require_user()
    if not user.sees_reps or not month:
        return ui.empty(t("reps.none")), figures.empty(t("reps.none"))
    frame = data().rep_scorecard(user, month)
    return scorecard_table(figures.scorecard_rows(frame)), figures.scorecard_trend(
        frame, lang=lang()
    )
