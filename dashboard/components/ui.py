"""Small layout pieces shared by the pages: cards, sections, empty states, grids, pickers."""

from __future__ import annotations

from typing import Any

import dash_ag_grid as dag
from dash import Input, clientside_callback, dcc, html

from assortment.i18n import whole
from dashboard.context import lang, t

# AG Grid's own words in Chinese (the grid's menus, filters and pager)
AG_LOCALE_ZH = {
    "page": "页",
    "more": "更多",
    "to": "至",
    "of": "共",
    "next": "下一页",
    "last": "末页",
    "first": "首页",
    "previous": "上一页",
    "loadingOoo": "加载中…",
    "noRowsToShow": "没有数据",
    "filterOoo": "筛选…",
    "equals": "等于",
    "notEqual": "不等于",
    "contains": "包含",
    "notContains": "不包含",
    "startsWith": "开头是",
    "endsWith": "结尾是",
    "blank": "为空",
    "notBlank": "不为空",
    "lessThan": "小于",
    "greaterThan": "大于",
    "lessThanOrEqual": "小于等于",
    "greaterThanOrEqual": "大于等于",
    "inRange": "介于",
    "andCondition": "且",
    "orCondition": "或",
    "applyFilter": "应用",
    "resetFilter": "重置",
    "clearFilter": "清除",
    "cancelFilter": "取消",
    "pageSizeSelectorLabel": "每页：",
    "ariaPageSizeSelectorLabel": "每页行数",
    "sortAscending": "升序",
    "sortDescending": "降序",
    "pinColumn": "固定列",
    "autosizeThisColumn": "自动列宽",
    "autosizeAllColumns": "全部自动列宽",
    "resetColumns": "重置列",
}

PCT = {"function": "params.value == null ? '–' : d3.format('.0%')(params.value)"}
NUM = {"function": "params.value == null ? '–' : d3.format(',')(params.value)"}


def cny(value: float | None) -> str:
    """An amount in yuan as ``1,234`` (``–`` when unknown), as the grids' CNY formatter shows it."""
    return "–" if value is None else f"{whole(value):,}"


CNY = {"function": "params.value == null ? '–' : d3.format(',.0f')(params.value)"}


def page(title: str, *children: Any, subtitle: str | None = None, actions: Any = None) -> html.Div:
    """A page: a title row (with optional controls on the right) and its content."""
    head = [
        html.Div(
            [html.H1(title), html.P(subtitle, className="subtitle") if subtitle else None],
            className="page-title",
        )
    ]
    if actions is not None:
        head.append(html.Div(actions, className="page-actions"))
    return html.Div([html.Div(head, className="page-head"), *children], className="page")


def section(
    title: str | Any,
    *children: Any,
    hint: str | None = None,
    tools: Any = None,
    className: str = "",
) -> html.Section:
    """A white card with a title, an optional hint line and tools on the right."""
    head = html.Div(
        [
            html.Div([html.H2(title), html.P(hint, className="hint") if hint else None]),
            html.Div(tools, className="section-tools") if tools is not None else None,
        ],
        className="section-head",
    )
    return html.Section([head, *children], className=f"card {className}".strip())


def kpi(
    label: str, value: str, sub: str = "", *, tone: str = "neutral", kpi_id: str | None = None
) -> html.Div:
    """A KPI card: a big number, a label and a line of context."""
    props: dict[str, Any] = {"className": f"kpi kpi-{tone}"}
    if kpi_id:
        props["id"] = kpi_id
    return html.Div(
        [
            html.Div(label, className="kpi-label"),
            html.Div(value, className="kpi-value"),
            html.Div(sub, className="kpi-sub"),
        ],
        **props,
    )


def empty(message: str, *, tone: str = "info") -> html.Div:
    """An empty (or not-allowed) state in words."""
    return html.Div(message, className=f"empty empty-{tone}", role="status")


def alert(message: Any, *, tone: str = "info", alert_id: str | None = None) -> html.Div:
    """A coloured message box (info, success, warn, error)."""
    props: dict[str, Any] = {"className": f"alert alert-{tone}", "role": "alert"}
    if alert_id:
        props["id"] = alert_id
    return html.Div(message, **props)


def status_pill(status: str | None) -> html.Span:
    """The status as a coloured pill."""
    code = status or "no_count"
    return html.Span(t(f"status.{code}"), className=f"pill pill-{code}")


def month_picker(picker_id: str, months: list[str], value: str | None = None) -> html.Div:
    """A labelled month dropdown (newest first; default the latest)."""
    return html.Div(
        [
            html.Label(t("common.month"), htmlFor=picker_id),
            dcc.Dropdown(
                id=picker_id,
                options=[{"label": m, "value": m} for m in months],
                value=value or (months[0] if months else None),
                clearable=False,
                searchable=False,
                className="picker",
            ),
        ],
        className="field field-month",
    )


def multi_picker(picker_id: str, label: str, options: list[dict[str, str]]) -> html.Div:
    """A labelled multi-select (empty means all)."""
    return html.Div(
        [
            html.Label(label, htmlFor=picker_id),
            dcc.Dropdown(
                id=picker_id,
                options=options,
                value=[],
                multi=True,
                placeholder=t("common.all"),
                className="picker",
            ),
        ],
        className="field",
    )


def download_button(button_id: str, label: str) -> html.Button:
    """A small button that triggers a server-side download."""
    return html.Button(["⤓ ", label], id=button_id, className="btn btn-small", n_clicks=0)


def fit_on_rows(grid_id: str) -> None:
    """Apply a ``narrow`` grid's tablet layout once its rows arrive from a callback (the grid's
    own size events do not reach a grid drawn before its rows); call at a page's import."""
    clientside_callback(
        f"function(rows) {{ window.dashAgGridFunctions.fitWhenReady('{grid_id}'); }}",
        Input(grid_id, "rowData"),
        prevent_initial_call=True,
    )


def grid(
    grid_id: str,
    columns: list[dict[str, Any]],
    rows: list[dict[str, Any]] | None = None,
    *,
    height: int = 460,
    page_size: int | None = None,
    clickable: bool = False,
    row_id: str | None = None,
    floating_filter: bool = True,
    auto_height: bool = False,
    filters: bool = True,
    narrow: tuple[list[str], list[str]] | None = None,
) -> dag.AgGrid:
    """A sortable, filterable AG Grid with the dashboard's defaults and the user's language.

    ``narrow`` = (wide, narrow) column ids: below 1000 px of grid width (a tablet) the ``wide``
    columns are hidden and the ``narrow`` ones shown (``fitColumns`` in
    ``assets/dashAgGridFunctions.js``), so the table fits its card instead of scrolling.
    """
    options: dict[str, Any] = {
        "animateRows": False,
        "enableCellTextSelection": True,
        "ensureDomOrder": True,
        "tooltipShowDelay": 300,
        "suppressMovableColumns": True,
    }
    if page_size:
        options.update(
            pagination=True, paginationPageSize=page_size, paginationPageSizeSelector=False
        )
    if auto_height:
        options["domLayout"] = "autoHeight"
    options["localeText"] = {
        **(AG_LOCALE_ZH if lang() == "zh" else {}),
        "noRowsToShow": t("common.no_rows"),
    }
    props: dict[str, Any] = {}
    if narrow is not None:
        options["context"] = {"gridId": grid_id, "wide": narrow[0], "narrow": narrow[1]}
        fit = ["fitColumns(params)"]
        props["eventListeners"] = {"gridSizeChanged": fit, "firstDataRendered": fit}
    if row_id:
        props["getRowId"] = f"params.data.{row_id}"
    return dag.AgGrid(
        id=grid_id,
        columnDefs=columns,
        rowData=rows or [],
        defaultColDef={
            "sortable": True,
            "filter": filters,
            "resizable": True,
            "floatingFilter": floating_filter and filters,
            "minWidth": 80,
            "suppressHeaderMenuButton": True,
            # the floating filter row filters already: a second filter button in the header
            # only takes the width a tablet needs for the column's name
            "suppressHeaderFilterButton": True,
            "wrapHeaderText": True,
            "autoHeaderHeight": True,
        },
        dashGridOptions=options,
        columnSize="responsiveSizeToFit",
        className="grid grid-clickable" if clickable else "grid",
        style={"width": "100%"} if auto_height else {"height": f"{height}px", "width": "100%"},
        **props,
    )


def scope_line(user: Any, locations: Any) -> str:
    """What the user is looking at, in words ('Your 12 locations (rep 张伟)').

    Counts active locations, as the status cards do (closed ones are not checked); closed
    locations in scope are named as such after the count.
    """
    active = locations.filter(locations["status"] == "active")
    n_closed = locations.height - active.height
    closed = t("scope.closed", n=n_closed) if n_closed else ""
    if user.role == "admin":
        return t("scope.admin", n=active.height) + closed
    if user.role == "rep":
        return t("scope.rep", n=active.height, scope=user.scope) + closed
    own = locations.filter(locations["location_id"] == user.scope)
    name = own["name"][0] if own.height else user.scope
    stores = active.filter(active["kind"] == "store").height
    return t("scope.distributor", name=name, stores=stores) + closed
