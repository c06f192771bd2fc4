"""Order plan (admins): what to order from the factory, by region, style and size."""

from __future__ import annotations

from typing import Any

import dash
from dash import Input, Output, State, callback, dcc, html, no_update

from dashboard import figures, ids
from dashboard.components import ui
from dashboard.context import data, lang, require_user, t
from dashboard.downloads import frame_of, send_xlsx

dash.register_page(
    __name__, path="/order-plan", name="Order plan", title="Order plan · Assortment Health", order=3
)


def layout(**_query: Any) -> html.Div:
    """The factory order plan page (admins only)."""
    user = require_user()
    if not user.is_admin:
        return ui.page(t("plan.title"), ui.empty(t("common.not_allowed"), tone="warn"))
    months = data().months()
    if not months:
        return ui.page(t("plan.title"), ui.empty(t("common.no_data")))
    regions = sorted({r for r in data().scope_locations(user)["region"].to_list() if r})
    return ui.page(
        t("plan.title"),
        html.Div(
            [
                ui.multi_picker(
                    ids.OP_REGION, t("common.region"), [{"label": r, "value": r} for r in regions]
                )
            ],
            className="filters filters-narrow card",
        ),
        dcc.Loading(html.Div(id=ids.OP_KPIS, className="kpis"), type="dot", color="#9d174d"),
        ui.section(
            t("plan.by_region"),
            dcc.Graph(
                id=ids.OP_CHART,
                config={"displayModeBar": False},
                figure=figures.placeholder(t("common.loading")),
            ),
        ),
        ui.section(
            t("plan.not_counted_title"),
            dcc.Loading(html.Div(id=ids.OP_LOCATIONS), type="dot", color="#9d174d"),
            hint=t("plan.not_counted.hint"),
        ),
        ui.section(
            t("plan.title"),
            ui.grid(
                ids.OP_GRID,
                _columns(),
                height=520,
                page_size=100,
                narrow=(["style", "style_name"], ["style_label"]),
            ),
            tools=[
                ui.download_button(ids.OP_DOWNLOAD_BTN, t("common.download_xlsx")),
                dcc.Download(id=ids.OP_DOWNLOAD),
            ],
        ),
        subtitle=t("plan.hint"),
        actions=ui.month_picker(ids.OP_MONTH, months),
    )


def _columns() -> list[dict[str, Any]]:
    return [
        {"field": "region", "headerName": t("common.region"), "minWidth": 80},
        {"field": "style", "headerName": t("common.style"), "minWidth": 84},
        {"field": "style_name", "headerName": t("common.style_name"), "minWidth": 120},
        {
            "field": "style_label",
            "headerName": t("col.style_label"),
            "hide": True,
            "minWidth": 130,
            "flex": 1,
            "wrapText": True,
            "autoHeight": True,
        },
        {"field": "size", "headerName": t("col.size"), "minWidth": 60},
        {
            "field": "units",
            "headerName": t("plan.total"),
            "filter": "agNumberColumnFilter",
            "valueFormatter": ui.NUM,
            "minWidth": 100,
            "cellClass": "cell-strong",
        },
        {
            "field": "demand_units",
            "headerName": t("plan.demand"),
            "filter": "agNumberColumnFilter",
            "valueFormatter": {
                "function": "params.value == null ? '–' : d3.format(',.1f')(params.value)"
            },
            "minWidth": 90,
        },
        {
            "field": "on_hand_units",
            "headerName": t("plan.on_hand"),
            "filter": "agNumberColumnFilter",
            "valueFormatter": ui.NUM,
            "minWidth": 100,
        },
        {"field": "category", "headerName": t("common.category"), "minWidth": 90},
    ]


# the tablet layout (code and name in one column), once the plan's rows are in
ui.fit_on_rows(ids.OP_GRID)


def _location_columns() -> list[dict[str, Any]]:
    return [
        {"field": "region", "headerName": t("common.region"), "minWidth": 90},
        {
            "field": "location",
            "headerName": t("common.location"),
            "minWidth": 180,
            "flex": 2,
            "tooltipField": "location",
        },
        {
            "field": "coverage",
            "headerName": t("plan.coverage"),
            "minWidth": 140,  # "Carried forward" whole at 820 px
            "flex": 1,
            "wrapText": True,
            "autoHeight": True,
        },
        {"field": "count_month", "headerName": t("plan.count_month"), "minWidth": 110},
    ]


@callback(
    Output(ids.OP_KPIS, "children"),
    Output(ids.OP_CHART, "figure"),
    Output(ids.OP_GRID, "rowData"),
    Output(ids.OP_LOCATIONS, "children"),
    Input(ids.OP_MONTH, "value"),
    Input(ids.OP_REGION, "value"),
)
def update_plan(month: str | None, regions: list[str]) -> tuple[Any, Any, Any, Any]:
    """Totals, the chart and the table of the order plan, and the locations it carried forward
    or left out (admins only)."""
    user = require_user()
    if not user.is_admin:
        raise PermissionError("the order plan is for admins")
    if not month:
        return None, figures.empty(t("common.no_data")), [], None
    frame = data().order_plan(user, month, regions=regions)
    missing = data().order_plan_locations(user, month, regions=regions)
    k = figures.plan_kpis(frame)
    carried = missing.filter(missing["coverage"] == "carried").height
    cards = [
        ui.kpi(t("plan.total"), f"{k['units']:,}", month, tone="neutral", kpi_id="plan-total"),
        ui.kpi(t("plan.styles"), str(k["styles"]), ""),
        ui.kpi(t("plan.regions"), str(k["regions"]), ""),
        ui.kpi(
            t("plan.kpi.not_counted"),
            f"{carried} / {missing.height - carried}",
            t("plan.not_counted.sub"),
            tone="warn" if missing.height else "neutral",
            kpi_id="plan-not-counted",
        ),
    ]
    lg = lang()
    if missing.height:
        listed: Any = ui.grid(
            ids.OP_LOCATIONS_GRID,
            _location_columns(),
            figures.plan_location_rows(missing, lang=lg),
            page_size=10,
            auto_height=True,
            filters=False,
        )
    else:
        listed = ui.empty(t("plan.all_counted", month=month))
    return cards, figures.order_plan(frame, lang=lg), figures.plan_rows(frame, lang=lg), listed


@callback(
    Output(ids.OP_DOWNLOAD, "data"),
    Input(ids.OP_DOWNLOAD_BTN, "n_clicks"),
    State(ids.OP_MONTH, "value"),
    State(ids.OP_REGION, "value"),
    prevent_initial_call=True,
)
def download(n: int, month: str | None, regions: list[str]) -> Any:
    """The order plan as Excel (admins only)."""
    user = require_user()
    if not user.is_admin:
        raise PermissionError("the order plan is for admins")
    if not n or not month:
        return no_update
    frame = data().order_plan(user, month, regions=regions)
    cols = [
        ("region", t("common.region")),
        ("style", t("common.style")),
        ("style_name", t("common.style_name")),
        ("size", t("col.size")),
        ("units", t("plan.total")),
        ("demand_units", t("plan.demand")),
        ("on_hand_units", t("plan.on_hand")),
        ("category", t("common.category")),
    ]
    rows = figures.plan_rows(frame, lang=lang())
    return send_xlsx(frame_of(rows, cols), f"order_plan_{month}.xlsx", sheet=month)
