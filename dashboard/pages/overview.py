"""Overview: the month's status of every location in the user's scope, filters, KPIs, trend."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import dash
from dash import Input, Output, State, callback, dcc, html, no_update

from assortment import vocab
from assortment.i18n import pct
from dashboard import figures, ids
from dashboard.answers import per_snapshot
from dashboard.components import ui
from dashboard.context import data, lang, require_user, t
from dashboard.downloads import frame_of, send_xlsx

dash.register_page(__name__, path="/", name="Overview", title="Assortment Health", order=0)

FILTERS = [
    Input(ids.OV_REGION, "value"),
    Input(ids.OV_GROUP, "value"),
    Input(ids.OV_REP, "value"),
    Input(ids.OV_STATUS, "value"),
]


def _options(values: list[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"label": label, "value": value} for value, label in values]


@per_snapshot
def layout(**_query: Any) -> html.Div:
    """The overview page for the signed-in user."""
    user = require_user()
    months = data().months()
    locs = data().scope_locations(user)
    subtitle = ui.scope_line(user, locs)
    if not months:
        return ui.page(t("overview.title"), ui.empty(t("common.no_data")), subtitle=subtitle)
    active = locs.filter(locs["status"] == "active")
    regions = sorted({r for r in active["region"].to_list() if r})
    groups = sorted(
        {
            (g, n or g)
            for g, n in zip(
                active["group_id"].to_list(), active["group_name"].to_list(), strict=True
            )
            if g
        },
        key=lambda x: x[0],
    )
    reps = sorted({r for r in active["rep"].to_list() if r})
    statuses = [(s, t(f"status.{s}")) for s in vocab.STATUSES]
    filters = html.Div(
        [
            ui.month_picker(ids.OV_MONTH, months),
            ui.multi_picker(ids.OV_REGION, t("common.region"), _options([(r, r) for r in regions])),
            html.Div(
                ui.multi_picker(
                    ids.OV_GROUP,
                    t("common.distributor"),
                    _options([(g, f"{n} ({g})") for g, n in groups]),
                ),
                hidden=user.role == "distributor",
            ),
            html.Div(
                ui.multi_picker(ids.OV_REP, t("common.rep"), _options([(r, r) for r in reps])),
                hidden=user.role == "rep",
            ),
            ui.multi_picker(ids.OV_STATUS, t("common.status"), _options(statuses)),
        ],
        className="filters card",
    )
    by_options = _by_options(len(regions), len(reps), len(groups))
    return ui.page(
        t("overview.title"),
        filters,
        dcc.Loading(
            html.Div(id=ids.OV_KPIS, className="kpis"), type="dot", color="#9d174d", delay_show=300
        ),
        html.Div(
            [
                ui.section(
                    # with the choice hidden the title names the one grouping drawn
                    t("overview.by").strip(" ：:")
                    if len(by_options) > 1
                    else t(
                        "report.status_by",
                        unit=by_options[0]["label"] if by_options else t("overview.by.region"),
                    ),
                    dcc.Graph(
                        id=ids.OV_STATUS_CHART,
                        config={"displayModeBar": False},
                        figure=figures.placeholder(t("common.loading")),
                    ),
                    tools=dcc.RadioItems(
                        id=ids.OV_BY,
                        options=by_options or [{"label": "", "value": "region"}],
                        value=by_options[0]["value"] if by_options else "region",
                        inline=True,
                        className="segmented",
                        style={"display": "none"} if len(by_options) < 2 else None,
                    ),
                ),
                ui.section(
                    t("overview.trend"),
                    dcc.Graph(
                        id=ids.OV_TREND,
                        config={"displayModeBar": False},
                        figure=figures.placeholder(t("common.loading")),
                    ),
                ),
            ],
            className="two-col",
        ),
        ui.section(
            t("overview.table"),
            ui.grid(
                ids.OV_GRID,
                _columns(),
                page_size=25,
                clickable=True,
                row_id="location_id",
                auto_height=True,
                narrow=(list(WIDE_COLUMNS), ["where"]),
            ),
            hint=t("overview.table_hint"),
            tools=[
                ui.download_button(ids.OV_DOWNLOAD_BTN, t("common.download_xlsx")),
                dcc.Download(id=ids.OV_DOWNLOAD),
            ],
        ),
        subtitle=subtitle,
    )


def _by_options(n_regions: int, n_reps: int, n_groups: int) -> list[dict[str, str]]:
    """The "Status by" choices that draw more than one bar in the user's scope.

    A rep sees one rep, a distributor one distributor (and often one region): a toggle that
    would draw a single bar is left out, and with fewer than two choices none is shown.
    """
    choices = [
        ("region", t("overview.by.region"), n_regions),
        ("rep", t("overview.by.rep"), n_reps),
        ("group_name", t("overview.by.distributor"), n_groups),
    ]
    return [{"label": label, "value": value} for value, label, n in choices if n > 1]


WIDE_COLUMNS = ("location_id", "kind", "region", "group_name", "rep")
"""Columns a tablet sees gathered in one "where" column (code · kind · region · group · rep)."""


def _columns() -> list[dict[str, Any]]:
    status_rules = {
        f"cell-status cell-{s}": f"params.data.status_code == '{s}'" for s in vocab.STATUSES
    }
    # In the text columns the filter box takes the whole column width (no menu button beside it),
    # so it stays usable in the narrow ones; number columns keep the button for < and >.
    text = {"suppressFloatingFilterButton": True}
    return [
        {
            "field": "name",
            "headerName": t("col.name"),
            "pinned": "left",
            "minWidth": 120,
            "cellClass": "cell-link",
            "tooltipField": "name",
            "wrapText": True,
            "autoHeight": True,
            **text,
        },
        {"field": "location_id", "headerName": t("col.id"), "minWidth": 90, **text},
        {
            "field": "status",
            "headerName": t("common.status"),
            "cellClassRules": status_rules,
            # month over month: last month's status first when it differed (Pass → Fail), as
            # the location page and the reports write a change
            "valueFormatter": {
                "function": "(params.data.prev_status_code"
                " && params.data.prev_status_code != params.data.status_code"
                " ? params.data.prev_status + ' → ' : '') + params.value"
            },
            "tooltipField": "status_change",
            "minWidth": 86,
            "wrapText": True,
            "autoHeight": True,
            **text,
        },
        {
            "field": "reasons",
            "headerName": t("col.reasons"),
            "minWidth": 124,
            "flex": 2,
            "tooltipField": "reasons",
            "wrapText": True,
            "autoHeight": True,
            **text,
        },
        {
            "field": "active_styles",
            "headerName": t("col.active_vs_min"),
            "filter": "agNumberColumnFilter",
            "valueFormatter": {
                "function": "params.value == null ? '–' : "
                "params.value + ' / ' + params.data.min_styles"
                " + (params.data.active_change == null ? '' : ' ('"
                " + (params.data.active_change > 0 ? '+' : (params.data.active_change < 0 ? '−' : '±'))"
                " + Math.abs(params.data.active_change) + ')')"
            },
            "minWidth": 100,
            "wrapText": True,
            "autoHeight": True,
        },
        {
            "field": "bestseller_coverage",
            "headerName": t("col.bestseller_cov"),
            "filter": "agNumberColumnFilter",
            "valueFormatter": ui.PCT,
            "minWidth": 106,  # "Bestsellers" on one line
        },
        {
            "field": "new_coverage",
            "headerName": t("col.new_cov"),
            "filter": "agNumberColumnFilter",
            "valueFormatter": ui.PCT,
            "minWidth": 80,
        },
        {"field": "kind", "headerName": t("common.kind"), "minWidth": 90, **text},
        {"field": "region", "headerName": t("common.region"), "minWidth": 80, **text},
        {
            "field": "group_name",
            "headerName": t("col.group"),
            "minWidth": 130,
            "tooltipField": "group_name",
            "wrapText": True,
            "autoHeight": True,
            **text,
        },
        {"field": "rep", "headerName": t("common.rep"), "minWidth": 70, **text},
        {
            # on a tablet: the five columns above in one (fitColumns hides them there)
            "colId": "where",
            "headerName": t("col.where"),
            "hide": True,
            "valueGetter": {"function": f"joinFields(params.data, {list(WIDE_COLUMNS)})"},
            "minWidth": 100,
            "wrapText": True,
            "autoHeight": True,
            **text,
        },
    ]


def _kpi_cards(k: dict[str, Any]) -> list[html.Div]:
    n = k["n"]

    def share(x: int) -> str:
        return (
            t("overview.kpi.of_locations", n=n)
            if not n
            else f"{x / n:.0%} · " + t("overview.kpi.of_locations", n=n)
        )

    def before(status: str) -> str:
        prev = k.get(f"prev_n_{status}")
        if prev is None:
            return ""
        now = k[f"n_{status}"]
        d = now - prev
        delta = f"+{d}" if d > 0 else (f"−{-d}" if d < 0 else "±0")
        return " · " + t("overview.kpi.prev", n=prev, delta=delta)

    statuses = [
        ui.kpi(
            t(f"overview.kpi.{status}"),
            str(k[f"n_{status}"]),
            share(k[f"n_{status}"]) + before(status),
            tone=status,
            kpi_id=f"kpi-{status.replace('_', '-')}",
        )
        for status in ("pass", "warn", "fail", "no_count")
    ]
    return [
        *statuses,
        ui.kpi(
            t("overview.kpi.at_min"),
            pct(k["share_at_min"]),
            t("overview.kpi.at_min_sub", n=k["n_at_min"], total=k["n_counted"]),
            kpi_id="kpi-at-min",
        ),
        ui.kpi(
            t("overview.kpi.bestseller"),
            pct(k["bestseller_coverage"]),
            t("overview.kpi.avg_sub"),
            kpi_id="kpi-bestseller",
        ),
        ui.kpi(
            t("overview.kpi.new"),
            pct(k["new_coverage"]),
            t("overview.kpi.avg_sub"),
            kpi_id="kpi-new",
        ),
    ]


@callback(
    Output(ids.OV_KPIS, "children"),
    Output(ids.OV_STATUS_CHART, "figure"),
    Output(ids.OV_GRID, "rowData"),
    Input(ids.OV_MONTH, "value"),
    *FILTERS,
    Input(ids.OV_BY, "value"),
)
@per_snapshot
def update_overview(
    month: str | None,
    regions: list[str],
    groups: list[str],
    reps: list[str],
    statuses: list[str],
    by: str,
) -> tuple[Any, Any, Any]:
    """KPIs, status chart and location table of the month (one scoped query)."""
    user = require_user()
    if not month:
        return ui.empty(t("common.no_data")), figures.empty(t("common.no_data")), []
    lg = lang()
    by = by if by in ("region", "rep", "group_name") else "region"
    filters = {"regions": regions, "groups": groups, "reps": reps, "statuses": statuses}

    def build() -> tuple[dict[str, Any], Any, list[dict[str, Any]]]:
        frame = data().overview(user, month, **filters)
        return (
            figures.kpis(frame),
            figures.status_by(frame, by=by, lang=lg),
            figures.overview_rows(frame, lang=lg),
        )

    # 2,000 rows in words cost more than their query: built once per snapshot and request
    kpis, chart, rows = data().derived(
        "overview", build, **user.params(), month=month, by=by, lang=lg, **filters
    )
    return _kpi_cards(kpis), chart, rows


@callback(Output(ids.OV_TREND, "figure"), *FILTERS)
@per_snapshot
def update_trend(
    regions: list[str], groups: list[str], reps: list[str], statuses: list[str]
) -> Any:
    """Failing locations and average active styles over the months (one scoped query)."""
    user = require_user()
    frame = data().trend(user, regions=regions, groups=groups, reps=reps, statuses=statuses)
    return figures.trend(frame, lang=lang())


@callback(
    Output(ids.NAV, "href"),
    Input(ids.OV_GRID, "cellClicked"),
    State(ids.OV_MONTH, "value"),
    prevent_initial_call=True,
)
def open_location(cell: dict[str, Any] | None, month: str | None) -> Any:
    """A click on a row opens that location's page (the page itself checks the scope)."""
    if not cell or not cell.get("rowId"):
        return no_update
    href = f"/location/{quote(str(cell['rowId']), safe='')}"
    return f"{href}?month={month}" if month else href


@callback(
    Output(ids.OV_DOWNLOAD, "data"),
    Input(ids.OV_DOWNLOAD_BTN, "n_clicks"),
    State(ids.OV_MONTH, "value"),
    *[State(f.component_id, f.component_property) for f in FILTERS],
    prevent_initial_call=True,
)
def download(
    n: int,
    month: str | None,
    regions: list[str],
    groups: list[str],
    reps: list[str],
    statuses: list[str],
) -> Any:
    """The filtered location table as Excel."""
    user = require_user()
    if not n or not month:
        return no_update
    frame = data().overview(
        user, month, regions=regions, groups=groups, reps=reps, statuses=statuses
    )
    rows = figures.overview_rows(frame, lang=lang())
    cols = [
        ("location_id", t("col.id")),
        ("name", t("col.name")),
        ("kind", t("common.kind")),
        ("region", t("common.region")),
        ("group_name", t("col.group")),
        ("rep", t("common.rep")),
        ("status", t("common.status")),
        ("reasons", t("col.reasons")),
        ("active_styles", t("location.history.active")),
        ("min_styles", t("location.history.min")),
        ("bestseller_coverage", t("col.bestseller_cov")),
        ("new_coverage", t("col.new_cov")),
    ]
    return send_xlsx(frame_of(rows, cols), f"locations_{month}.xlsx", sheet=month)
