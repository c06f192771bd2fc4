"""Users (admins): who may sign in, add and remove users, set a new password."""

from __future__ import annotations

from typing import Any

import dash
from dash import Input, Output, State, callback, dcc, html, no_update

from assortment import users as user_store
from assortment.errors import UsageError
from assortment.users import User
from dashboard import ids
from dashboard.components import ui
from dashboard.context import data, require_user, services, t

dash.register_page(
    __name__, path="/users", name="Users", title="Users · Assortment Health", order=4
)


def _admin() -> User:
    """The signed-in admin; PermissionError for anyone else (checked in every callback)."""
    user = require_user()
    if not user.is_admin:
        raise PermissionError("user management is for admins")
    return user


def layout(**_query: Any) -> html.Div:
    """The users page (admins only)."""
    user = require_user()
    if not user.is_admin:
        return ui.page(t("users.title"), ui.empty(t("common.not_allowed"), tone="warn"))
    return ui.page(
        t("users.title"),
        dcc.Store(id=ids.US_ADD_DONE, data=0),
        dcc.Store(id=ids.US_REMOVE_DONE, data=0),
        ui.section(
            t("users.list"),
            ui.grid(ids.US_GRID, _columns(), height=360, row_id="username"),
        ),
        ui.section(t("users.add"), _add_form()),
        ui.section(t("users.manage"), _manage_form()),
        subtitle=t("users.hint"),
    )


def _columns() -> list[dict[str, Any]]:
    return [
        {"field": "username", "headerName": t("users.username"), "minWidth": 120},
        {"field": "role_label", "headerName": t("users.role"), "minWidth": 90},
        {"field": "scope", "headerName": t("users.scope"), "minWidth": 110},
        {"field": "display_name", "headerName": t("users.display_name"), "minWidth": 130},
    ]


def _field(label: str, control: Any, control_id: str) -> html.Div:
    return html.Div([html.Label(label, htmlFor=control_id), control], className="field")


def _text(input_id: str, *, password: bool = False) -> dcc.Input:
    return dcc.Input(
        id=input_id,
        type="password" if password else "text",
        value="",
        autoComplete="new-password" if password else "off",
        className="text-input",
    )


def _add_form() -> html.Div:
    roles = [{"label": t(f"role.{r}"), "value": r} for r in user_store.ROLES]
    return html.Div(
        [
            html.Div(
                [
                    _field(t("users.username"), _text(ids.US_USERNAME), ids.US_USERNAME),
                    _field(
                        t("users.role"),
                        dcc.Dropdown(
                            id=ids.US_ROLE,
                            options=roles,
                            value="rep",
                            clearable=False,
                            searchable=False,
                            className="picker",
                        ),
                        ids.US_ROLE,
                    ),
                    _field(
                        t("users.scope"),
                        dcc.Dropdown(
                            id=ids.US_SCOPE,
                            options=[],
                            placeholder=t("users.scope_hint"),
                            className="picker",
                        ),
                        ids.US_SCOPE,
                    ),
                    _field(t("users.display_name"), _text(ids.US_DISPLAY), ids.US_DISPLAY),
                    _field(
                        t("users.password"), _text(ids.US_PASSWORD, password=True), ids.US_PASSWORD
                    ),
                ],
                className="filters",
            ),
            html.Div(
                html.Button(
                    t("users.add"), id=ids.US_ADD_BTN, className="btn btn-primary", n_clicks=0
                ),
                className="users-actions",
            ),
            html.Div(id=ids.US_ADD_MSG),
        ]
    )


def _manage_form() -> html.Div:
    return html.Div(
        [
            html.Div(
                [
                    _field(
                        t("users.pick"),
                        dcc.Dropdown(id=ids.US_PICK, options=[], className="picker"),
                        ids.US_PICK,
                    ),
                    _field(
                        t("users.new_password"),
                        _text(ids.US_NEW_PASSWORD, password=True),
                        ids.US_NEW_PASSWORD,
                    ),
                ],
                className="filters",
            ),
            html.Div(
                [
                    dcc.ConfirmDialogProvider(
                        html.Button(t("users.remove"), className="btn", id=ids.US_REMOVE_BTN),
                        id=ids.US_REMOVE,
                        message=t("users.remove_confirm"),
                    ),
                    html.Button(
                        t("users.set_password"), id=ids.US_PW_BTN, className="btn", n_clicks=0
                    ),
                ],
                className="users-actions",
            ),
            html.Div(id=ids.US_REMOVE_MSG),
            html.Div(id=ids.US_PW_MSG),
        ]
    )


def _failed(exc: UsageError) -> html.Div:
    return ui.alert(str(exc), tone="error")


@callback(
    Output(ids.US_GRID, "rowData"),
    Output(ids.US_PICK, "options"),
    Input(ids.US_ADD_DONE, "data"),
    Input(ids.US_REMOVE_DONE, "data"),
)
def list_users(_added: Any, _removed: Any) -> tuple[Any, Any]:
    """The users table and the user picker (never the password hashes; admins only)."""
    _admin()
    rows = [
        {
            "username": u["username"],
            "role": u["role"],
            "role_label": t(f"role.{u['role']}"),
            "scope": u["scope"],
            "display_name": u["display_name"],
        }
        for u in user_store.list_users(services().settings)
    ]
    return rows, [{"label": r["username"], "value": r["username"]} for r in rows]


@callback(
    Output(ids.US_SCOPE, "options"),
    Output(ids.US_SCOPE, "value"),
    Output(ids.US_SCOPE, "disabled"),
    Input(ids.US_ROLE, "value"),
)
def scope_options(role: str | None) -> tuple[Any, Any, Any]:
    """For a rep the rep names of the locations, for a distributor the distributors."""
    user = _admin()
    if role not in ("rep", "distributor"):
        return [], None, True
    locations = data().scope_locations(user)
    if role == "rep":
        reps = sorted({r for r in locations["rep"].to_list() if r})
        return [{"label": r, "value": r} for r in reps], None, False
    dists = locations.filter(locations["kind"] == "distributor").sort("location_id")
    options = [
        {"label": f"{d['location_id']} · {d['name']}", "value": d["location_id"]}
        for d in dists.iter_rows(named=True)
    ]
    return options, None, False


@callback(
    Output(ids.US_ADD_MSG, "children"),
    Output(ids.US_ADD_DONE, "data"),
    Output(ids.US_PASSWORD, "value"),
    Input(ids.US_ADD_BTN, "n_clicks"),
    State(ids.US_USERNAME, "value"),
    State(ids.US_ROLE, "value"),
    State(ids.US_SCOPE, "value"),
    State(ids.US_DISPLAY, "value"),
    State(ids.US_PASSWORD, "value"),
    prevent_initial_call=True,
)
def add_user(
    n: int | None,
    username: str | None,
    role: str | None,
    scope: str | None,
    display_name: str | None,
    password: str | None,
) -> tuple[Any, Any, Any]:
    """Add a user (admins only); a UsageError comes back in words."""
    _admin()
    if not n:
        return no_update, no_update, no_update
    name = (username or "").strip()
    try:
        user_store.add_user(
            services().settings,
            name,
            password or "",
            role=role or "",
            scope=scope or None,
            display_name=(display_name or "").strip() or None,
        )
    except UsageError as exc:
        return _failed(exc), no_update, no_update
    data().refresh()
    return ui.alert(t("users.added", name=name), tone="success"), n, ""


@callback(
    Output(ids.US_REMOVE_MSG, "children"),
    Output(ids.US_REMOVE_DONE, "data"),
    Output(ids.US_PICK, "value"),
    Input(ids.US_REMOVE, "submit_n_clicks"),
    State(ids.US_PICK, "value"),
    prevent_initial_call=True,
)
def remove_user(n: int | None, username: str | None) -> tuple[Any, Any, Any]:
    """Remove the picked user after the confirm dialog (admins only; never oneself)."""
    user = _admin()
    if not n:
        return no_update, no_update, no_update
    if not username:
        return ui.alert(t("users.pick_first"), tone="warn"), no_update, no_update
    if username == user.username:
        return ui.alert(t("users.not_self"), tone="error"), no_update, no_update
    try:
        user_store.remove_user(services().settings, username)
    except UsageError as exc:
        return _failed(exc), no_update, no_update
    data().refresh()
    return ui.alert(t("users.removed", name=username), tone="success"), n, None


@callback(
    Output(ids.US_PW_MSG, "children"),
    Output(ids.US_NEW_PASSWORD, "value"),
    Input(ids.US_PW_BTN, "n_clicks"),
    State(ids.US_PICK, "value"),
    State(ids.US_NEW_PASSWORD, "value"),
    prevent_initial_call=True,
)
def set_password(n: int | None, username: str | None, password: str | None) -> tuple[Any, Any]:
    """Set the picked user's password (admins only; signs out their sessions)."""
    _admin()
    if not n:
        return no_update, no_update
    if not username:
        return ui.alert(t("users.pick_first"), tone="warn"), no_update
    try:
        user_store.set_password(services().settings, username, password or "")
    except UsageError as exc:
        return _failed(exc), no_update
    data().refresh()
    return ui.alert(t("users.password_set", name=username), tone="success"), ""
