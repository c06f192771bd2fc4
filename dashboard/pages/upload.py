"""Upload: check a stock or sales file before anything is stored, load it on confirmation
(distributors only for their own locations), refresh the month's results; upload history."""

from __future__ import annotations

from typing import Any

import dash
from dash import Input, Output, State, callback, clientside_callback, dcc, html, no_update

from assortment.errors import RowError
from assortment.i18n import row_problem
from assortment.ingest.load import CountDropError
from assortment.users import User
from dashboard import ids, uploads
from dashboard.components import ui
from dashboard.context import data, lang, require_user, services, t
from dashboard.downloads import send_csv

dash.register_page(
    __name__, path="/upload", name="Upload", title="Upload · Assortment Health", order=2
)

LIMIT_STORE = "upload-limit"


def layout(**_query: Any) -> html.Div:
    """The upload page (distributors and admins)."""
    user = require_user()
    if not user.can_upload:
        return ui.page(t("upload.title"), ui.empty(t("common.not_allowed"), tone="warn"))
    limit_mb = services().max_upload_mb
    kinds = [
        {"label": t("upload.kind.stock"), "value": "stock"},
        {"label": t("upload.kind.sales"), "value": "sales"},
    ]
    return ui.page(
        t("upload.title"),
        dcc.Store(
            id=LIMIT_STORE,
            data={
                "bytes": limit_mb * 1024 * 1024,
                "message": t("upload.too_large", limit=limit_mb),
            },
        ),
        dcc.Store(id=ids.UP_FILE_DATA),
        dcc.Store(id=ids.UP_TOKEN),
        ui.section(
            t("upload.step1"),
            html.Div(
                [
                    html.Div(
                        [
                            html.Label(t("upload.kind"), htmlFor=ids.UP_KIND),
                            dcc.RadioItems(
                                id=ids.UP_KIND,
                                options=kinds,
                                value="stock",
                                inline=True,
                                className="segmented",
                            ),
                        ],
                        className="field",
                    ),
                ],
                className="row-wrap",
            ),
            dcc.Upload(
                id=ids.UP_FILE,
                children=html.Div(
                    [
                        html.Span("⇪", className="drop-icon"),
                        t("upload.drop"),
                        html.A(t("upload.browse"), className="link"),
                    ]
                ),
                className="dropzone",
                className_active="dropzone dropzone-active",
                className_reject="dropzone dropzone-reject",
                accept=".csv,.xlsx,.xlsm,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                multiple=False,
            ),
            html.Div(id=ids.UP_FILE_NOTE, className="note"),
            html.P(t("upload.waiting"), className="hint"),
            tools=[
                ui.download_button(ids.UP_TEMPLATE_BTN, t("upload.template")),
                dcc.Download(id=ids.UP_TEMPLATE_DOWNLOAD),
            ],
        ),
        ui.section(
            t("upload.step2"),
            dcc.Loading(
                html.Div(html.P(t("upload.nothing_yet"), className="hint"), id=ids.UP_RESULT),
                type="dot",
                color="#9d174d",
            ),
            html.Div(
                [
                    ui.grid(ids.UP_ERRORS_GRID, _error_columns(), page_size=20, auto_height=True),
                    html.Div(
                        [
                            ui.download_button(ids.UP_ERRORS_BTN, t("upload.errors_download")),
                            dcc.Download(id=ids.UP_ERRORS_DOWNLOAD),
                        ],
                        className="row-end",
                    ),
                ],
                id="upload-errors-box",
                hidden=True,
            ),
        ),
        ui.section(
            t("upload.step3"),
            html.Div(
                dcc.Checklist(
                    id=ids.UP_ACCEPT_DROP,
                    options=[{"label": " " + t("upload.accept_drop"), "value": "yes"}],
                    value=[],
                    className="accept-drop",
                ),
                id=ids.UP_DROP_BOX,
                hidden=True,
            ),
            html.Button(
                t("upload.confirm_idle"),
                id=ids.UP_CONFIRM,
                className="btn btn-primary",
                disabled=True,
                n_clicks=0,
            ),
            dcc.Loading(html.Div(id=ids.UP_DONE), type="dot", color="#9d174d"),
        ),
        ui.section(
            t("upload.history"),
            ui.grid(
                ids.UP_HISTORY_GRID,
                _history_columns(),
                page_size=15,
                auto_height=True,
                narrow=(list(HISTORY_WIDE), ["details"]),
            ),
        ),
    )


def _error_columns() -> list[dict[str, Any]]:
    return [
        {
            "field": "row",
            "headerName": t("upload.err.row"),
            "filter": "agNumberColumnFilter",
            "maxWidth": 110,
        },
        {"field": "column", "headerName": t("upload.err.column"), "minWidth": 110},
        {"field": "value", "headerName": t("upload.err.value"), "minWidth": 110},
        {
            "field": "reason",
            "headerName": t("upload.err.reason"),
            "minWidth": 300,
            "flex": 2,
            "tooltipField": "reason",
        },
    ]


HISTORY_WIDE = ("kind", "n_rows", "n_locations", "loaded_by")
"""Columns a tablet sees gathered in one (type · rows · locations · by)."""


def _history_columns() -> list[dict[str, Any]]:
    rules = {
        f"cell-result-{r}": f"params.data.result_code == '{r}'"
        for r in ("loaded", "unchanged", "rejected")
    }
    return [
        {
            "field": "loaded_at",
            "headerName": t("upload.history.when"),
            "minWidth": 110,
            "wrapText": True,
            "autoHeight": True,
            "filter": "agTextColumnFilter",
            "cellDataType": "text",
        },
        {
            "field": "file_name",
            "headerName": t("upload.history.file"),
            "minWidth": 150,
            "flex": 1,
            "wrapText": True,
            "autoHeight": True,
            "tooltipField": "file_name",
        },
        {"field": "kind", "headerName": t("upload.history.kind"), "minWidth": 80},
        {
            "field": "result",
            "headerName": t("upload.history.result"),
            "cellClassRules": rules,
            "minWidth": 90,
        },
        {
            "field": "n_rows",
            "headerName": t("upload.history.rows"),
            "valueFormatter": ui.NUM,
            "minWidth": 80,
        },
        {"field": "months", "headerName": t("upload.history.months"), "minWidth": 90},
        {"field": "n_locations", "headerName": t("upload.history.locations"), "minWidth": 80},
        {"field": "loaded_by", "headerName": t("upload.history.by"), "minWidth": 90},
        {
            "field": "message",
            "headerName": t("upload.history.message"),
            "minWidth": 150,
            "flex": 1,
            "tooltipField": "message",
            "wrapText": True,
            "autoHeight": True,
        },
        {
            # on a tablet: the four columns named in HISTORY_WIDE in one (fitColumns)
            "colId": "details",
            "headerName": t("upload.history.details"),
            "hide": True,
            "valueGetter": {"function": f"joinFields(params.data, {list(HISTORY_WIDE)})"},
            "minWidth": 110,
            "wrapText": True,
            "autoHeight": True,
        },
    ]


# the size check happens in the browser, before the file travels
clientside_callback(
    """
    function(contents, name, limit) {
        if (!contents) { return [window.dash_clientside.no_update, '']; }
        var bytes = Math.floor((contents.length - contents.indexOf(',') - 1) * 3 / 4);
        if (bytes > limit.bytes) { return [null, limit.message]; }
        return [{name: name, contents: contents, at: Date.now()}, ''];
    }
    """,
    Output(ids.UP_FILE_DATA, "data"),
    Output(ids.UP_FILE_NOTE, "children"),
    Input(ids.UP_FILE, "contents"),
    State(ids.UP_FILE, "filename"),
    State(LIMIT_STORE, "data"),
    prevent_initial_call=True,
)


@callback(
    Output(ids.UP_RESULT, "children"),
    Output(ids.UP_ERRORS_GRID, "rowData"),
    Output("upload-errors-box", "hidden"),
    Output(ids.UP_CONFIRM, "disabled"),
    Output(ids.UP_CONFIRM, "children"),
    Output(ids.UP_TOKEN, "data"),
    Output(ids.UP_DONE, "children"),
    Output(ids.UP_DROP_BOX, "hidden"),
    Output(ids.UP_ACCEPT_DROP, "value"),
    Input(ids.UP_FILE_DATA, "data"),
    Input(ids.UP_KIND, "value"),
    prevent_initial_call=True,
)
def check_file(file: dict[str, Any] | None, kind: str) -> tuple[Any, ...]:
    """Validate the chosen file (nothing stored) and show what was found; a file whose
    counts drop shows the tick box (and its answer starts unticked)."""
    found = _check_file(file, kind)
    drop_box_hidden = found[7] if len(found) == 8 else True
    return (*found[:7], drop_box_hidden, [])


def problem_rows(errors: list[RowError], user: User, lg: str) -> list[dict[str, Any]]:
    """The problems of a file as grid rows, in the user's language and for their role."""
    return [
        {
            "row": e.row,
            "column": e.column,
            "value": e.value,
            "reason": row_problem(
                e.code, e.reason, e.params, lg, loads_master_data=user.role == "admin"
            ),
        }
        for e in errors
    ]


def _check_file(file: dict[str, Any] | None, kind: str) -> tuple[Any, ...]:
    user = require_user()
    if not user.can_upload:
        raise PermissionError("uploads are for distributors and admins")
    if not file or not file.get("contents"):
        return None, [], True, True, t("upload.confirm_idle"), None, None
    lg = lang()
    name = str(file.get("name") or "upload.csv")
    raw = uploads.decode_contents(file["contents"])
    if len(raw) > services().max_upload_mb * 1024 * 1024:
        return (
            ui.alert(t("upload.too_large", limit=services().max_upload_mb), tone="error"),
            [],
            True,
            True,
            t("upload.confirm_idle"),
            None,
            None,
        )
    found = uploads.check(data(), user, kind, name, raw)
    idle = t("upload.confirm_idle")
    if found.problem:
        return (
            ui.alert(t("upload.unreadable", error=found.problem), tone="error"),
            [],
            True,
            True,
            idle,
            None,
            None,
        )
    if found.errors:
        rows = problem_rows(found.errors, user, lg)
        text = (
            t("upload.rejected_one", file=name)
            if found.total_errors == 1
            else t("upload.rejected", file=name, n=f"{found.total_errors:,}")
        )
        message = ui.alert(text, tone="error", alert_id="upload-rejected")
        return message, rows, False, True, idle, found.token, None
    assert found.result is not None
    res = found.result
    summary = html.Div(
        [
            ui.kpi(t("upload.rows"), f"{res.n_rows:,}", name),
            ui.kpi(t("upload.months"), ", ".join(res.months) or "–", ""),
            ui.kpi(
                t("upload.locations"),
                str(len(res.locations)),
                ", ".join(res.locations[:6]) + (" …" if len(res.locations) > 6 else ""),
            ),
        ],
        className="kpis kpis-compact",
    )
    if found.out_of_scope:
        shown = ", ".join(found.out_of_scope[:10]) + (" …" if len(found.out_of_scope) > 10 else "")
        return (
            html.Div(
                [
                    ui.alert(
                        t("upload.out_of_scope", file=name, locations=shown),
                        tone="error",
                        alert_id="upload-out-of-scope",
                    ),
                    summary,
                ]
            ),
            [],
            True,
            True,
            idle,
            None,
            None,
        )
    if found.unchanged:
        uploads.drop(data().settings, found.token)
        same = ui.alert(
            t("upload.unchanged_check", file=name), tone="info", alert_id="upload-unchanged"
        )
        return html.Div([same, summary]), [], True, True, idle, None, None
    confirm_text = t("upload.confirm", rows=f"{res.n_rows:,}")
    if found.drops:
        share = f"{data().settings.rules().count_drop_share:.0%}"
        warning = html.Div(
            [
                ui.alert(
                    t("upload.drop_warning", file=name, n=len(found.drops), share=share),
                    tone="warn",
                    alert_id="upload-drop",
                ),
                html.Ul(
                    [
                        html.Li(
                            t(
                                "upload.drop_line",
                                location=d.location_id,
                                month=d.month,
                                before=d.before,
                                after=d.after,
                            )
                        )
                        for d in found.drops
                    ],
                    className="drop-list",
                ),
            ]
        )
        # the Load button waits for the tick box (see tick_accept_drop)
        return html.Div([warning, summary]), [], True, True, confirm_text, found.token, None, False
    ok = ui.alert(t("upload.valid", file=name), tone="success", alert_id="upload-valid")
    return (
        html.Div([ok, summary]),
        [],
        True,
        False,
        confirm_text,
        found.token,
        None,
    )


@callback(
    Output(ids.UP_CONFIRM, "disabled", allow_duplicate=True),
    Input(ids.UP_ACCEPT_DROP, "value"),
    State(ids.UP_DROP_BOX, "hidden"),
    State(ids.UP_TOKEN, "data"),
    prevent_initial_call=True,
)
def tick_accept_drop(ticked: list[str] | None, hidden: bool, token: str | None) -> Any:
    """A file whose counts drop loads only once the person ticks "the count is complete"."""
    if hidden or not token:
        return no_update
    return not ticked


@callback(
    Output(ids.UP_DONE, "children", allow_duplicate=True),
    Output(ids.UP_CONFIRM, "disabled", allow_duplicate=True),
    Input(ids.UP_CONFIRM, "n_clicks"),
    State(ids.UP_TOKEN, "data"),
    State(ids.UP_ACCEPT_DROP, "value"),
    prevent_initial_call=True,
)
def confirm_load(n: int, token: str | None, ticked: list[str] | None = None) -> tuple[Any, Any]:
    """Store the checked file and refresh the classification of its months."""
    user = require_user()
    if not n or not token:
        return no_update, no_update
    try:
        loaded = uploads.confirm(data(), user, token, accept_drop=bool(ticked))
    except uploads.OutOfScopeError as exc:
        shown = ", ".join(exc.locations[:10])
        return ui.alert(
            t("upload.out_of_scope", file=exc.file_name, locations=shown), tone="error"
        ), True
    except CountDropError as exc:
        return ui.alert(
            t("upload.held", file=exc.file_name, n=len(exc.drops)),
            tone="error",
            alert_id="upload-held",
        ), False
    res = loaded.result
    if res.result == "unchanged":
        lines = [
            ui.alert(
                t("upload.unchanged", file=res.file_name), tone="info", alert_id="upload-unchanged"
            )
        ]
    else:
        lines = [
            ui.alert(
                t(
                    "upload.loaded",
                    file=res.file_name,
                    rows=f"{res.n_rows:,}",
                    months=", ".join(res.months),
                ),
                tone="success",
                alert_id="upload-loaded",
            )
        ]
    lines += [ui.alert(t("upload.classified", month=m), tone="success") for m in loaded.classified]
    lines += [
        ui.alert(t("upload.classify_failed", month=m, error=e), tone="warn")
        for m, e in loaded.classify_errors.items()
    ]
    if not loaded.published:
        lines.append(
            ui.alert(
                t("upload.not_published", file=res.file_name),
                tone="warn",
                alert_id="upload-not-published",
            )
        )
    return html.Div(lines), True


@callback(
    Output(ids.UP_HISTORY_GRID, "rowData"),
    Input(ids.UP_DONE, "children"),
)
def update_history(_done: Any) -> Any:
    """The loads the user may see, newest first (one scoped query)."""
    user = require_user()
    if not user.can_upload:
        return []
    frame = data().upload_history(user)
    return [
        {
            **r,
            "result_code": r["result"],
            "result": t(f"upload.result.{r['result']}"),
            "kind": t(f"upload.kind_short.{r['kind']}"),
            # a load without a user name came from the command line (no USER there)
            "loaded_by": r["loaded_by"] or t("upload.by_cli"),
        }
        for r in frame.iter_rows(named=True)
    ]


@callback(
    Output(ids.UP_ERRORS_DOWNLOAD, "data"),
    Input(ids.UP_ERRORS_BTN, "n_clicks"),
    State(ids.UP_TOKEN, "data"),
    State(ids.UP_KIND, "value"),
    prevent_initial_call=True,
)
def download_errors(n: int, token: str | None, kind: str) -> Any:
    """Every problem of the rejected file as CSV (re-checked from the file kept aside)."""
    user = require_user()
    if not n or not token:
        return no_update
    name, errors = uploads.problems(data().settings, user, token)
    rows = problem_rows(errors, user, lang())
    frame = uploads.error_frame(
        [RowError(r["row"], r["column"], r["value"], r["reason"]) for r in rows]
    )
    return send_csv(frame, f"problems_{name.rsplit('.', 1)[0]}.csv")


@callback(
    Output(ids.UP_TEMPLATE_DOWNLOAD, "data"),
    Input(ids.UP_TEMPLATE_BTN, "n_clicks"),
    State(ids.UP_KIND, "value"),
    prevent_initial_call=True,
)
def download_template(n: int, kind: str) -> Any:
    """A template for the chosen file type, with the user's own location codes."""
    user = require_user()
    if not n:
        return no_update
    kind = kind if kind in uploads.KINDS else "stock"
    locs = data().scope_locations(user)
    own = [x for x in locs["location_id"].to_list() if x != user.scope] or locs[
        "location_id"
    ].to_list()
    months = data().months()
    month = months[0] if months else "2026-01"
    return send_csv(
        uploads.template(kind, own, data().template_skus(), month), f"{kind}_template.csv"
    )
