"""The page shell: header with navigation, the user, the language switch and sign-out;
the error toast; the page container."""

from __future__ import annotations

import dash
import flask
from dash import ALL, Input, Output, State, dcc, html

from assortment.i18n import N_
from dashboard import ids
from dashboard.context import current_user, lang, t

NAV_PAGES = (
    ("overview", "/", N_("nav.overview"), None),
    ("styles", "/styles", N_("nav.styles"), None),
    ("upload", "/upload", N_("nav.upload"), "can_upload"),
    ("order_plan", "/order-plan", N_("nav.order_plan"), "is_admin"),
    ("reps", "/reps", N_("nav.reps"), "sees_reps"),
)
# shown beside the user's name rather than in the page navigation: managing sign-ins is
# an account matter, not a view of the data
ACCOUNT_PAGES = (("users", "/users", N_("nav.users"), "is_admin"),)


def _nav_links(pages: tuple[tuple[str, str, str, str | None], ...] = NAV_PAGES) -> list[dcc.Link]:
    user = current_user()
    links = []
    for key, href, label, needs in pages:
        if user is None or (needs and not getattr(user, needs)):
            continue
        links.append(
            dcc.Link(
                t(label), href=href, id={"type": "nav-link", "page": key}, className="nav-link"
            )
        )
    return links


def _user_box() -> html.Div:
    user = current_user()
    lg = lang()
    switch = html.Div(
        [
            html.A("EN", href="/lang/en", className="active" if lg == "en" else "", id="lang-en"),
            html.A("中文", href="/lang/zh", className="active" if lg == "zh" else "", id="lang-zh"),
        ],
        className="lang-switch",
        title=t(N_("nav.language")),
    )
    if user is None:
        return html.Div([switch], className="user-box")
    token = flask.session.get("csrf", "") if flask.has_request_context() else ""
    return html.Div(
        [
            html.Div(
                [
                    html.Span(user.label, className="user-name", id="user-name"),
                    html.Span(t(f"role.{user.role}"), className="user-role"),
                ],
                className="user-id",
            ),
            *_nav_links(ACCOUNT_PAGES),
            switch,
            html.Form(
                [
                    dcc.Input(type="hidden", name="csrf_token", value=token, id="sign-out-token"),
                    html.Button(
                        t(N_("nav.sign_out")),
                        type="submit",
                        className="btn btn-ghost",
                        id="sign-out",
                    ),
                ],
                action="/logout",
                method="POST",
                className="sign-out",
            ),
        ],
        className="user-box",
    )


def shell() -> html.Div:
    """The layout around every page (built per page load, in the user's language)."""
    return html.Div(
        [
            dcc.Location(id=ids.NAV, refresh="callback-nav"),
            html.Header(
                html.Div(
                    [
                        dcc.Link(
                            [
                                html.Span("AH", className="brand-mark"),
                                html.Span(t("app.title"), className="brand-name"),
                            ],
                            href="/",
                            className="brand",
                        ),
                        html.Nav(_nav_links(), className="nav"),
                        _user_box(),
                    ],
                    className="header-inner",
                ),
                className="app-header",
            ),
            html.Div(
                [
                    html.Span(id=ids.TOAST_TEXT),
                    html.Button("×", id=ids.TOAST_CLOSE, className="toast-close"),
                ],
                id=ids.TOAST,
                className="toast",
                role="alert",
            ),
            html.Main(dash.page_container, className="app-main"),
        ],
        className="app",
        lang="zh-CN" if lang() == "zh" else "en",
    )


def register(app: dash.Dash) -> None:
    """The shell's own (clientside) callbacks, attached to ``app``."""
    # highlight the navigation link of the current page
    app.clientside_callback(
        """
        function(pathname, hrefs) {
            return hrefs.map(function(href) {
                var on = href === '/' ? pathname === '/' : (pathname || '').indexOf(href) === 0;
                return on ? 'nav-link active' : 'nav-link';
            });
        }
        """,
        Output({"type": "nav-link", "page": ALL}, "className"),
        Input("_pages_location", "pathname"),
        State({"type": "nav-link", "page": ALL}, "href"),
    )
    # the close button of the error toast
    app.clientside_callback(
        """
        function(n) { return n ? 'toast' : window.dash_clientside.no_update; }
        """,
        Output(ids.TOAST, "className", allow_duplicate=True),
        Input(ids.TOAST_CLOSE, "n_clicks"),
        prevent_initial_call=True,
    )
