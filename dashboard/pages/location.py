"""Location: status and reasons, styles vs minimum over time, the style list, size runs,
sell-through, and the action list for the next visit."""

from __future__ import annotations

from typing import Any

import dash
from dash import Input, Output, State, callback, dcc, html, no_update

from assortment import months, vocab
from assortment.i18n import reason_text
from assortment.report import visit_sheet
from assortment.visit import visit_lines
from dashboard import figures, ids
from dashboard.answers import per_snapshot
from dashboard.components import ui
from dashboard.context import data, lang, require_user, t
from dashboard.downloads import frame_of, send_xlsx

dash.register_page(
    __name__,
    path_template="/location/<location_id>",
    name="Location",
    title="Location · Assortment Health",
)


@per_snapshot
def layout(location_id: str | None = None, month: str | None = None, **_query: Any) -> html.Div:
    """The page of one location (only when it is in the user's scope)."""
    user = require_user()
    info = data().location(user, location_id or "")
    if info.height == 0:
        return ui.page(
            t("common.location"),
            ui.empty(t("location.not_found"), tone="warn"),
            html.P(dcc.Link(t("common.back_overview"), href="/")),
        )
    loc = info.row(0, named=True)
    months = data().months()
    month = month if month in months else (months[0] if months else None)
    meta = html.Div(
        [
            _meta(t("location.meta.kind"), t(f"kind.{loc['kind']}")),
            _meta(
                t("location.meta.distributor"),
                f"{loc['group_name'] or ''} ({loc['distributor_id'] or loc['location_id']})",
            ),
            _meta(t("common.region"), loc["region"] or "–"),
            _meta(
                t("location.meta.city"),
                " ".join(x for x in (loc["province"], loc["city"]) if x) or "–",
            ),
            _meta(t("location.meta.rep"), loc["rep"] or "–"),
        ],
        className="meta",
    )
    title = f"{loc['name']} · {loc['location_id']}"
    if not months:
        return ui.page(title, meta, ui.empty(t("common.no_data")))
    lookback = data().lookback_months()
    return ui.page(
        title,
        dcc.Store(id=ids.LOC_ID, data=loc["location_id"]),
        meta,
        html.Div(
            [
                ui.section(
                    t("common.status"),
                    dcc.Loading(html.Div(id=ids.LOC_SUMMARY), type="dot", color="#9d174d"),
                    className="summary-card",
                ),
                ui.section(
                    t("location.history"),
                    dcc.Graph(
                        id=ids.LOC_HISTORY,
                        config={"displayModeBar": False},
                        figure=figures.placeholder(t("common.loading")),
                    ),
                    hint=t("location.history.hint"),
                ),
            ],
            className="two-col two-col-narrow-left",
        ),
        ui.section(
            t("location.actions"),
            html.Div(id=ids.LOC_ACTIONS_NOTE),
            html.Div(
                [html.Div(id=ids.LOC_VISIT), html.P(t("visit.value_note"), className="hint")],
                id=ids.LOC_ACTIONS_BOX,
            ),
            tools=[
                ui.download_button(ids.LOC_VISIT_PDF_BTN, t("visit.download_pdf")),
                dcc.Loading(dcc.Download(id=ids.LOC_VISIT_PDF), type="dot", color="#9d174d"),
                ui.download_button(ids.LOC_ACTIONS_DOWNLOAD_BTN, t("common.download_xlsx")),
                dcc.Download(id=ids.LOC_ACTIONS_DOWNLOAD),
            ],
        ),
        ui.section(
            t("follow.title"),
            dcc.Loading(html.Div(id=ids.LOC_FOLLOW), type="dot", color="#9d174d"),
            hint=t("follow.hint"),
        ),
        html.Div(
            [
                ui.section(
                    t("location.size_run"),
                    dcc.Graph(
                        id=ids.LOC_SIZE_RUN,
                        config={"displayModeBar": False},
                        figure=figures.placeholder(t("common.loading")),
                    ),
                    hint=t("location.size_run.hint"),
                    tools=html.Div(
                        dcc.Dropdown(
                            id=ids.LOC_SIZE_STYLE,
                            clearable=False,
                            className="picker",
                            placeholder=t("location.size_run.pick"),
                        ),
                        className="field field-inline",
                    ),
                ),
                ui.section(
                    t("location.sell_through"),
                    dcc.Graph(
                        id=ids.LOC_SELL_THROUGH,
                        config={"displayModeBar": False},
                        figure=figures.placeholder(t("common.loading")),
                    ),
                ),
            ],
            className="two-col",
        ),
        ui.section(
            t("location.styles"),
            ui.grid(
                ids.LOC_STYLES_GRID,
                _style_columns(lookback),
                page_size=25,
                auto_height=True,
                narrow=(list(WIDE_STYLE_COLUMNS), list(NARROW_STYLE_COLUMNS)),
            ),
            tools=[
                ui.download_button(ids.LOC_STYLES_DOWNLOAD_BTN, t("common.download_xlsx")),
                dcc.Download(id=ids.LOC_STYLES_DOWNLOAD),
            ],
        ),
        actions=ui.month_picker(ids.LOC_MONTH, months, month),
    )


def _meta(label: str, value: str) -> html.Div:
    return html.Div(
        [html.Span(label, className="meta-label"), html.Span(value, className="meta-value")],
        className="meta-item",
    )


#: On a tablet (fitColumns in assets/dashAgGridFunctions.js) the style table hides these ...
WIDE_STYLE_COLUMNS = (
    "style",
    "style_name",
    "broken_size",
    "broken_colour",
    "missing_core_skus",
    "category",
    "value_cny",
)
#: ... and shows these instead: code and name in one column, the gaps in words in another.
NARROW_STYLE_COLUMNS = ("style_label", "gaps")


def _style_columns(lookback: int) -> list[dict[str, Any]]:
    seg_rules = {
        f"cell-seg cell-seg-{s}": f"params.data.segment_code == '{s}'" for s in vocab.SEGMENTS
    }
    flag = {"cell-flag": "params.value != ''"}
    return [
        {"field": "style", "headerName": t("common.style"), "pinned": "left", "minWidth": 100},
        {
            "field": "style_label",
            "headerName": t("col.style_label"),
            "pinned": "left",
            "hide": True,
            "minWidth": 130,
            "wrapText": True,
            "autoHeight": True,
        },
        {"field": "style_name", "headerName": t("common.style_name"), "minWidth": 130},
        {
            "field": "segment",
            "headerName": t("col.segment"),
            "cellClassRules": seg_rules,
            "minWidth": 110,
        },
        {
            "field": "on_hand",
            "headerName": t("col.on_hand"),
            "filter": "agNumberColumnFilter",
            "minWidth": 90,
        },
        {
            "field": "units_sold",
            "headerName": t("col.units_sold", months=lookback),
            "filter": "agNumberColumnFilter",
            "minWidth": 110,
        },
        {
            "field": "sell_through",
            "headerName": t("col.sell_through"),
            "filter": "agNumberColumnFilter",
            "valueFormatter": ui.PCT,
            "minWidth": 100,
        },
        {
            "field": "broken_size",
            "headerName": t("col.broken_size"),
            "cellClassRules": flag,
            "minWidth": 90,
        },
        {
            "field": "broken_colour",
            "headerName": t("col.broken_colour"),
            "cellClassRules": flag,
            "minWidth": 90,
        },
        {
            "field": "missing_core_skus",
            "headerName": t("col.missing_core"),
            "minWidth": 160,
            "flex": 1,
            "tooltipField": "missing_core_skus",
        },
        {"field": "category", "headerName": t("common.category"), "minWidth": 90},
        {
            "field": "value_cny",
            "headerName": t("col.value"),
            "filter": "agNumberColumnFilter",
            "valueFormatter": ui.CNY,
            "minWidth": 100,
        },
        {
            "field": "gaps",
            "headerName": t("col.gaps"),
            "hide": True,
            "minWidth": 150,
            "flex": 1,
            "wrapText": True,
            "autoHeight": True,
        },
    ]


def _summary(row: dict[str, Any] | None) -> html.Div:
    lg = lang()
    if row is None or row.get("status") is None:
        return html.Div(
            [ui.status_pill("no_count"), html.P(t("reason.no_count"), className="reason-line")]
        )
    reasons = [reason_text(code, row, lg) for code in row["reasons"] or []]
    if row["status"] == "no_count":
        reasons = [t("reason.no_count")]
    items = [html.Li(r) for r in reasons] or [html.Li(t("reason.ok"), className="ok")]
    figures_line = html.Div(
        [
            ui.kpi(
                t("location.history.active"),
                "–" if row["active_styles"] is None else str(row["active_styles"]),
                t("location.history.min") + f" {row['min_styles']}",
            ),
            ui.kpi(t("col.bestseller_cov"), ui_pct(row["bestseller_coverage"]), ""),
            ui.kpi(t("col.new_cov"), ui_pct(row["new_coverage"]), ""),
        ],
        className="kpis kpis-compact",
    )
    return html.Div(
        [ui.status_pill(row["status"]), html.Ul(items, className="reasons"), figures_line],
        id="location-status",
    )


def ui_pct(value: float | None) -> str:
    """A share as a percentage ('–' when unknown)."""
    return "–" if value is None else f"{value:.0%}"


@callback(
    Output(ids.LOC_SUMMARY, "children"),
    Output(ids.LOC_HISTORY, "figure"),
    Input(ids.LOC_MONTH, "value"),
    State(ids.LOC_ID, "data"),
)
@per_snapshot
def update_summary(month: str | None, location_id: str | None) -> tuple[Any, Any]:
    """Status and reasons of the month, and the history of active styles (one scoped query)."""
    user = require_user()
    info = data().location(user, location_id or "")
    if info.height == 0:
        return ui.empty(t("location.not_found"), tone="warn"), figures.empty(
            t("location.not_found")
        )
    row = next((r for r in info.iter_rows(named=True) if r["month"] == month), None)
    return _summary(row), figures.location_history(info, lang=lang())


@callback(
    Output(ids.LOC_STYLES_GRID, "rowData"),
    Output(ids.LOC_SELL_THROUGH, "figure"),
    Output(ids.LOC_SIZE_STYLE, "options"),
    Output(ids.LOC_SIZE_STYLE, "value"),
    Input(ids.LOC_MONTH, "value"),
    State(ids.LOC_ID, "data"),
    State(ids.LOC_SIZE_STYLE, "value"),
)
@per_snapshot
def update_styles(
    month: str | None, location_id: str | None, picked: str | None
) -> tuple[Any, Any, Any, Any]:
    """The style list, the sell-through chart and the size-run picker (one scoped query)."""
    user = require_user()
    if not month:
        return [], figures.empty(t("common.no_data")), [], None
    frame = data().location_styles(user, location_id or "", month)
    lg = lang()
    options = [
        {
            "label": figures.style_label(r)
            + " · "
            + t(f"segment.{r['segment']}")
            + (" · " + t("col.broken_size") if r["broken_size"] else ""),
            "value": r["style"],
        }
        for r in frame.iter_rows(named=True)
    ]
    styles = [o["value"] for o in options]
    if picked not in styles:
        picked = _first_to_show(frame)
    return figures.style_rows(frame, lang=lg), figures.sell_through(frame, lang=lg), options, picked


# the tablet layout of the style table (ui.grid's narrow columns), once its rows are in
ui.fit_on_rows(ids.LOC_STYLES_GRID)


def _first_to_show(frame: Any) -> str | None:
    """The style whose size run is shown first: a broken bra, else any broken style, else a
    bra in stock, else the first style."""
    if frame.height == 0:
        return None
    ranked = frame.with_columns(
        (~frame["broken_size"]).alias("_not_broken"),
        (frame["category"] != "bra").fill_null(True).alias("_not_bra"),
        (frame["on_hand"] <= 0).alias("_empty"),
    ).sort(["_not_broken", "_not_bra", "_empty"], maintain_order=True)
    return str(ranked["style"][0])


@callback(
    Output(ids.LOC_SIZE_RUN, "figure"),
    Input(ids.LOC_SIZE_STYLE, "value"),
    State(ids.LOC_MONTH, "value"),
    State(ids.LOC_ID, "data"),
)
@per_snapshot
def update_size_run(style: str | None, month: str | None, location_id: str | None) -> Any:
    """The size run of the chosen style (one scoped query)."""
    user = require_user()
    if not style or not month:
        return figures.empty(t("location.size_run.empty"))
    frame = data().size_run(user, location_id or "", month, style)
    return figures.size_run(frame, style=style, lang=lang())


def visit_table(rows: list[dict[str, Any]]) -> html.Table:
    """The visit list as a table whose cells wrap: every column stays in sight at 820 px."""
    head = html.Thead(
        html.Tr(
            [
                html.Th("#", className="n"),
                html.Th(t("col.action")),
                html.Th(t("common.style")),
                html.Th(t("visit.col.sizes")),
                html.Th(t("col.units"), className="n"),
                html.Th(t("visit.col.from")),
                html.Th(t("visit.col.value"), className="n"),
                html.Th(t("col.reason")),
            ]
        )
    )
    body = html.Tbody(
        [
            html.Tr(
                [
                    html.Td(str(i), className="n"),
                    html.Td(r["action"], className=f"cell-action cell-action-{r['action_code']}"),
                    html.Td(
                        [r["style"], html.Div(r["style_sub"], className="visit-sub")],
                        className="visit-style",
                    ),
                    html.Td(r["sizes"], className="visit-sizes"),
                    html.Td(f"{r['units']:,}", className="n"),
                    html.Td(r["source"], className="visit-from"),
                    html.Td(ui.cny(r["value_cny"]), className="n"),
                    html.Td(r["reason"], className="visit-reason"),
                ]
            )
            for i, r in enumerate(rows, start=1)
        ]
    )
    return html.Table([head, body], className="visit-table")


@callback(
    Output(ids.LOC_VISIT, "children"),
    Output(ids.LOC_ACTIONS_NOTE, "children"),
    Output(ids.LOC_ACTIONS_BOX, "hidden"),
    Input(ids.LOC_MONTH, "value"),
    State(ids.LOC_ID, "data"),
)
@per_snapshot
def update_actions(month: str | None, location_id: str | None) -> tuple[Any, Any, Any]:
    """The visit list for the next visit (one scoped query)."""
    user = require_user()
    if not month:
        return None, None, True
    frame = data().location_actions(user, location_id or "", month)
    if frame.height == 0:
        return None, ui.alert(t("location.actions.none"), tone="success"), True
    return visit_table(figures.visit_rows(frame, lang=lang())), None, False


def follow_block(change: str, counts: dict[str, int], rows: list[dict[str, Any]]) -> html.Div:
    """What changed since last month, and last month's lines with their follow status."""
    parts: list[Any] = [html.P(change, className="follow-change", id="location-change")]
    if not rows:
        parts.append(ui.empty(t("follow.none")))
        return html.Div(parts)
    parts.append(
        html.P(
            " · ".join(t(figures.FOLLOW_KEYS[s]) + f" {n}" for s, n in counts.items()),
            className="follow-counts",
        )
    )
    head = html.Thead(
        html.Tr(
            [
                html.Th(t("follow.status")),
                html.Th(t("col.action")),
                html.Th(t("common.style")),
                html.Th(t("follow.sku")),
                html.Th(t("col.units"), className="n"),
                html.Th(t("follow.received"), className="n"),
                html.Th(t("visit.col.value"), className="n"),
            ]
        )
    )
    body = html.Tbody(
        [
            html.Tr(
                [
                    html.Td(r["status"], className=f"follow follow-{r['status_code']}"),
                    html.Td(r["action"]),
                    html.Td(r["style"], className="visit-style"),
                    html.Td(r["sku"]),
                    html.Td(f"{r['units']:,}", className="n"),
                    html.Td("–" if r["received"] is None else f"{r['received']:,}", className="n"),
                    html.Td(ui.cny(r["value_cny"]), className="n"),
                ]
            )
            for r in rows
        ]
    )
    table = html.Table([head, body], className="visit-table", id="location-follow-table")
    parts.append(html.Div(table, className="follow-scroll"))
    return html.Div(parts)


@callback(
    Output(ids.LOC_FOLLOW, "children"),
    Input(ids.LOC_MONTH, "value"),
    State(ids.LOC_ID, "data"),
)
@per_snapshot
def update_follow(month: str | None, location_id: str | None) -> Any:
    """Last month's actions judged by this month's count (one scoped query), and what changed
    (from the location's monthly rows, read for the status above)."""
    user = require_user()
    if not month:
        return None
    follow = data().location_follow(user, location_id or "", month)
    change = figures.change_row(data().location(user, location_id or ""), month)
    lg = lang()
    return follow_block(
        figures.change_text(change, lang=lg),
        figures.follow_counts(follow),
        figures.follow_rows(follow, lang=lg),
    )


@callback(
    Output(ids.LOC_VISIT_PDF, "data"),
    Input(ids.LOC_VISIT_PDF_BTN, "n_clicks"),
    State(ids.LOC_MONTH, "value"),
    State(ids.LOC_ID, "data"),
    prevent_initial_call=True,
)
def download_visit_sheet(n: int, month: str | None, location_id: str | None) -> Any:
    """The one-page visit sheet as PDF (scoped like the page; printed by headless Chromium)."""
    user = require_user()
    if not n or not month or not location_id:
        return no_update
    info = data().location(user, location_id)
    if info.height == 0:
        return no_update
    loc = info.row(0, named=True)
    frame = data().location_actions(user, location_id, month)
    lg = lang()
    lines = visit_lines(frame, frame.select("style", "style_name", "category"))
    page = visit_sheet.sheet_html(loc, lines, month=month, lang=lg)
    pdf = visit_sheet.print_sheet(
        page,
        footer_text=visit_sheet.footer(loc, month=month, lang=lg),
        month=months.parse(month),
    )
    return dcc.send_bytes(pdf, f"visit_{location_id}_{month}.{lg}.pdf")


def _styles_export(location_id: str, month: str) -> Any:
    user = require_user()
    frame = data().location_styles(user, location_id, month)
    rows = figures.style_rows(frame, lang=lang())
    cols = [
        ("style", t("common.style")),
        ("style_name", t("common.style_name")),
        ("category", t("common.category")),
        ("segment", t("col.segment")),
        ("on_hand", t("col.on_hand")),
        ("units_sold", t("col.units_sold", months=data().lookback_months())),
        ("sell_through", t("col.sell_through")),
        ("broken_size", t("col.broken_size")),
        ("broken_colour", t("col.broken_colour")),
        ("missing_core_skus", t("col.missing_core")),
        ("value_cny", t("col.value")),
    ]
    return send_xlsx(frame_of(rows, cols), f"styles_{location_id}_{month}.xlsx", sheet=month)


@callback(
    Output(ids.LOC_STYLES_DOWNLOAD, "data"),
    Input(ids.LOC_STYLES_DOWNLOAD_BTN, "n_clicks"),
    State(ids.LOC_MONTH, "value"),
    State(ids.LOC_ID, "data"),
    prevent_initial_call=True,
)
def download_styles(n: int, month: str | None, location_id: str | None) -> Any:
    """The style list as Excel (scoped like the page)."""
    if not n or not month or not location_id:
        return no_update
    return _styles_export(location_id, month)


@callback(
    Output(ids.LOC_ACTIONS_DOWNLOAD, "data"),
    Input(ids.LOC_ACTIONS_DOWNLOAD_BTN, "n_clicks"),
    State(ids.LOC_MONTH, "value"),
    State(ids.LOC_ID, "data"),
    prevent_initial_call=True,
)
def download_actions(n: int, month: str | None, location_id: str | None) -> Any:
    """The visit's action list as Excel (scoped like the page)."""
    user = require_user()
    if not n or not month or not location_id:
        return no_update
    frame = data().location_actions(user, location_id, month)
    rows = figures.action_rows(frame, lang=lang())
    cols = [
        ("action", t("col.action")),
        ("style", t("common.style")),
        ("colour", t("col.colour")),
        ("size", t("col.size")),
        ("sku", t("col.sku")),
        ("units", t("col.units")),
        ("source", t("col.source")),
        ("value_cny", t("col.value")),
        ("reason", t("col.reason")),
    ]
    return send_xlsx(frame_of(rows, cols), f"actions_{location_id}_{month}.xlsx", sheet=month)
