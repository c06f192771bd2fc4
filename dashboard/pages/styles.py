"""Styles: the network's bestsellers and new styles with their coverage, the locations lacking
a style, how a style sells region by region, where it was given a chance (and where it is stuck
at the distributor), and each new style's stores: starving, not selling, selling."""

from __future__ import annotations

from typing import Any

import dash
from dash import Input, Output, State, callback, ctx, dcc, html, no_update

from dashboard import figures, ids
from dashboard.answers import per_snapshot
from dashboard.components import ui
from dashboard.context import data, lang, require_user, t

dash.register_page(
    __name__, path="/styles", name="Styles", title="Styles · Assortment Health", order=1
)


@per_snapshot
def layout(**_query: Any) -> html.Div:
    """The styles page for the signed-in user."""
    user = require_user()
    months = data().months()
    if not months:
        return ui.page(t("styles.title"), ui.empty(t("common.no_data")))
    lists = data().styles(user, months[0])
    best = lists.filter(lists["list"] == "bestseller")
    first = best["style"][0] if best.height else (lists["style"][0] if lists.height else None)
    catalogue = data().style_list()
    options = [
        {"label": figures.style_label(r), "value": r["style"]}
        for r in catalogue.iter_rows(named=True)
    ]
    return ui.page(
        t("styles.title"),
        html.Div(
            [
                ui.section(
                    t("styles.bestsellers"),
                    ui.grid(
                        ids.ST_BEST_GRID,
                        _columns("bestseller"),
                        clickable=True,
                        row_id="style",
                        auto_height=True,
                        filters=False,
                    ),
                ),
                ui.section(
                    t("styles.new"),
                    ui.grid(
                        ids.ST_NEW_GRID,
                        _columns("new"),
                        clickable=True,
                        row_id="style",
                        auto_height=True,
                        filters=False,
                    ),
                ),
            ],
            className="two-col",
        ),
        html.Div(
            [
                html.Label(t("styles.pick"), htmlFor=ids.ST_PICK),
                dcc.Dropdown(
                    id=ids.ST_PICK,
                    options=options,
                    value=first,
                    clearable=False,
                    className="picker",
                ),
                html.Span(t("styles.pick_hint"), className="hint"),
            ],
            className="card field field-inline style-pick",
        ),
        html.Div(
            [
                ui.section(
                    html.Span(id=ids.ST_LACKING_TITLE),
                    html.Div(
                        ui.grid(
                            ids.ST_LACKING_GRID,
                            _lacking_columns(),
                            page_size=10,
                            clickable=True,
                            row_id="location_id",
                            auto_height=True,
                        ),
                        id=ids.ST_LACKING_BOX,
                    ),
                    html.Div(id=ids.ST_LACKING_NOTE),
                ),
                ui.section(
                    html.Span(t("styles.regions_title"), id=ids.ST_REGIONS_TITLE),
                    dcc.Graph(
                        id=ids.ST_REGIONS,
                        config={"displayModeBar": False},
                        figure=figures.placeholder(t("common.loading")),
                    ),
                ),
            ],
            className="two-col",
        ),
        ui.section(
            html.Span(t("styles.chance_title"), id=ids.ST_CHANCE_TITLE),
            html.Div(
                [
                    html.Div(
                        [
                            html.H3(t("styles.chance.by_region"), className="subhead"),
                            dcc.Graph(
                                id=ids.ST_CHANCE_REGIONS,
                                config={"displayModeBar": False},
                                figure=figures.placeholder(t("common.loading")),
                            ),
                        ]
                    ),
                    html.Div(
                        [
                            html.H3(t("styles.chance.by_group"), className="subhead"),
                            dcc.Graph(
                                id=ids.ST_CHANCE_GROUPS,
                                config={"displayModeBar": False},
                                figure=figures.placeholder(t("common.loading")),
                            ),
                        ]
                    ),
                ],
                className="two-col",
            ),
            hint=t("styles.chance_hint"),
        ),
        ui.section(
            t("styles.new_chance_title"),
            dcc.Graph(
                id=ids.ST_NEW_CHANCES,
                config={"displayModeBar": False},
                figure=figures.placeholder(t("common.loading")),
            ),
            hint=t("styles.new_chance_hint"),
        ),
        actions=ui.month_picker(ids.ST_MONTH, months),
    )


def _columns(which: str) -> list[dict[str, Any]]:
    first = (
        {"field": "rank", "headerName": t("styles.rank"), "maxWidth": 80, "minWidth": 70}
        if which == "bestseller"
        else {"field": "launch_month", "headerName": t("styles.launch"), "minWidth": 90}
    )
    cols = [
        first,
        {"field": "style", "headerName": t("common.style"), "minWidth": 90},
        {
            # the rest of the card's width, and a second line rather than an ellipsis when a
            # long name does not fit beside the others (two lists side by side at 1400 px)
            "field": "style_name",
            "headerName": t("common.style_name"),
            "minWidth": 120,
            "flex": 1,
            "wrapText": True,
            "autoHeight": True,
        },
        {"field": "in_stock", "headerName": t("styles.coverage"), "minWidth": 90},
        {
            "field": "coverage",
            "headerName": t("styles.coverage_share"),
            "valueFormatter": ui.PCT,
            "minWidth": 90,
            "cellClassRules": {"cell-low": "params.value != null && params.value < 0.8"},
        },
    ]
    if which == "bestseller":
        cols.insert(
            3,
            {
                "field": "net_units",
                "headerName": t("styles.net_units"),
                "valueFormatter": ui.NUM,
                "minWidth": 100,
            },
        )
    return cols


def _lacking_columns() -> list[dict[str, Any]]:
    return [
        {
            "field": "name",
            "headerName": t("col.name"),
            "minWidth": 140,
            "flex": 2,
            "cellClass": "cell-link",
            "wrapText": True,  # a company's whole name, not "广州雅黛商贸有…"
            "autoHeight": True,
        },
        {"field": "location_id", "headerName": t("col.id"), "minWidth": 100},
        {"field": "kind", "headerName": t("common.kind"), "minWidth": 80},
        {"field": "region", "headerName": t("common.region"), "minWidth": 80},
        {"field": "rep", "headerName": t("common.rep"), "minWidth": 80},
        {"field": "status", "headerName": t("common.status"), "minWidth": 80},
    ]


@callback(
    Output(ids.ST_BEST_GRID, "rowData"),
    Output(ids.ST_NEW_GRID, "rowData"),
    Input(ids.ST_MONTH, "value"),
)
@per_snapshot
def update_lists(month: str | None) -> tuple[Any, Any]:
    """Bestsellers and new styles of the month with their coverage (one scoped query)."""
    user = require_user()
    if not month:
        return [], []
    frame = data().styles(user, month)
    lg = lang()
    best = frame.filter(frame["list"] == "bestseller")
    new = frame.filter(frame["list"] == "new")
    return figures.coverage_rows(best, lang=lg), figures.coverage_rows(new, lang=lg)


@callback(
    Output(ids.ST_PICK, "value"),
    Input(ids.ST_BEST_GRID, "cellClicked"),
    Input(ids.ST_NEW_GRID, "cellClicked"),
    prevent_initial_call=True,
)
def pick_style(best: dict[str, Any] | None, new: dict[str, Any] | None) -> Any:
    """A click in either list picks that style."""
    cell = best if ctx.triggered_id == ids.ST_BEST_GRID else new
    return cell.get("rowId") if cell and cell.get("rowId") else no_update


@callback(
    Output(ids.ST_LACKING_TITLE, "children"),
    Output(ids.ST_LACKING_GRID, "rowData"),
    Output(ids.ST_LACKING_BOX, "hidden"),
    Output(ids.ST_LACKING_NOTE, "children"),
    Input(ids.ST_PICK, "value"),
    Input(ids.ST_MONTH, "value"),
)
@per_snapshot
def update_lacking(style: str | None, month: str | None) -> tuple[Any, Any, Any, Any]:
    """The counted locations in scope without the style in stock (one scoped query)."""
    user = require_user()
    if not style or not month:
        return t("styles.pick_hint"), [], True, None
    frame = data().style_lacking(user, month, style)
    # hundreds of rows share a few words: each looked up once
    kinds = {k: t(f"kind.{k}") for k in frame["kind"].unique().to_list()}
    statuses = {s: t(f"status.{s}") for s in frame["status"].unique().to_list()}
    rows = [
        {**r, "kind": kinds[r["kind"]], "status": statuses[r["status"]]}
        for r in frame.iter_rows(named=True)
    ]
    if not rows:
        note = ui.alert(t("styles.lacking_none"), tone="success")
        return t("styles.lacking_none_title", style=style), rows, True, note
    return t("styles.lacking", style=style, n=len(rows)), rows, False, None


@callback(
    Output(ids.ST_REGIONS_TITLE, "children"),
    Output(ids.ST_REGIONS, "figure"),
    Input(ids.ST_PICK, "value"),
    Input(ids.ST_MONTH, "value"),
)
@per_snapshot
def update_regions(style: str | None, month: str | None) -> tuple[Any, Any]:
    """How the style sells in each region of the user's scope (one scoped query)."""
    user = require_user()
    if not style or not month:
        return t("styles.regions_title"), figures.empty(t("styles.pick_hint"))
    # a scope within one region (most reps and distributors) compares its cities instead
    regions = data().scope_locations(user)["region"].drop_nulls().unique()
    by = "city" if regions.len() <= 1 else "region"
    frame = data().style_regions(user, month, style, by=by)
    title = (
        t("styles.regions_city", style=style) if by == "city" else t("styles.regions", style=style)
    )
    return title, figures.style_regions(frame, lang=lang())


@callback(
    Output(ids.ST_CHANCE_TITLE, "children"),
    Output(ids.ST_CHANCE_REGIONS, "figure"),
    Output(ids.ST_CHANCE_GROUPS, "figure"),
    Input(ids.ST_PICK, "value"),
    Input(ids.ST_MONTH, "value"),
)
@per_snapshot
def update_chances(style: str | None, month: str | None) -> tuple[Any, Any, Any]:
    """Where the style was given a chance, by region and by distributor group (one scoped
    query; stores outside the scope are one anonymous "elsewhere" bar)."""
    user = require_user()
    if not style or not month:
        blank = figures.empty(t("styles.pick_hint"))
        return t("styles.chance_title"), blank, blank
    frame = data().style_chances(user, month, style)
    lg = lang()
    return (
        t("styles.chance", style=style),
        figures.style_chances(frame, by="region", lang=lg),
        figures.style_chances(frame, by="group", lang=lg),
    )


@callback(Output(ids.ST_NEW_CHANCES, "figure"), Input(ids.ST_MONTH, "value"))
@per_snapshot
def update_new_chances(month: str | None) -> Any:
    """Each new style's stores in scope: starving, not selling, selling (one scoped query)."""
    user = require_user()
    if not month:
        return figures.empty(t("common.no_data"))
    return figures.new_style_chances(data().new_style_chances(user, month), lang=lang())


@callback(
    Output(ids.NAV, "href", allow_duplicate=True),
    Input(ids.ST_LACKING_GRID, "cellClicked"),
    State(ids.ST_MONTH, "value"),
    prevent_initial_call=True,
)
def open_location(cell: dict[str, Any] | None, month: str | None) -> Any:
    """A click on a lacking location opens its page."""
    if not cell or not cell.get("rowId"):
        return no_update
    return f"/location/{cell['rowId']}?month={month}" if month else f"/location/{cell['rowId']}"
