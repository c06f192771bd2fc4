"""The Dash app factory: pages, the shell layout, the security hooks; ``server`` for WSGI."""

from __future__ import annotations

import logging
import os
import uuid
from pathlib import Path

import dash
from dash import _callback as dash_callbacks
from dash import set_props

from assortment import i18n
from assortment.config import Settings
from assortment.errors import AssortmentError, PublishError
from assortment.sessions import AuthState
from dashboard import answers, ids, security
from dashboard.components import shell
from dashboard.context import Services, lang
from dashboard.data import Data

HERE = Path(__file__).resolve().parent
log = logging.getLogger("dashboard")
DEFAULT_MAX_UPLOAD_MB = 50


def on_callback_error(exc: Exception) -> None:
    """Every callback's exceptions end here: words in the toast, the traceback in the log."""
    answers.mark_failed()  # an answer with an error in it is never kept
    if isinstance(exc, PublishError):  # its words name server paths: those go to the log
        log.error("stored but not published: %s", exc)
        message = i18n.t("common.not_published", lang())
    elif isinstance(exc, AssortmentError):
        message = str(exc)
    elif isinstance(exc, PermissionError):
        message = i18n.t("common.not_allowed", lang())
    else:
        ref = uuid.uuid4().hex[:8]
        log.error("callback error %s", ref, exc_info=exc)
        message = i18n.t("common.error", lang(), ref=ref)
    set_props(ids.TOAST_TEXT, {"children": message})
    set_props(ids.TOAST, {"className": "toast toast-show"})


def _adopt_page_callbacks(app: dash.Dash) -> None:
    """Pages register their callbacks globally (``dash.callback``) when ``Dash()`` executes
    them, and Dash hands them to whichever app serves a first request. Hand them to *this*
    app now, so the factory can build any number of apps in one process (the tests do)
    without one app taking another's callbacks."""
    app.callback_map.update(dash_callbacks.GLOBAL_CALLBACK_MAP)
    app._callback_list.extend(dash_callbacks.GLOBAL_CALLBACK_LIST)  # noqa: SLF001
    app._inline_scripts.extend(dash_callbacks.GLOBAL_INLINE_SCRIPTS)  # noqa: SLF001
    dash_callbacks.GLOBAL_CALLBACK_MAP.clear()
    dash_callbacks.GLOBAL_CALLBACK_LIST.clear()
    dash_callbacks.GLOBAL_INLINE_SCRIPTS.clear()


def create_app(settings: Settings) -> dash.Dash:
    """A fresh dashboard over ``settings``' database (one per server or test)."""
    max_mb = int(os.environ.get("ASSORTMENT_MAX_UPLOAD_MB", DEFAULT_MAX_UPLOAD_MB))
    services = Services(
        settings=settings,
        data=Data(settings),
        secret=security.secret_key(settings),
        max_upload_mb=max_mb,
        auth_state=AuthState(settings),
    )
    app = dash.Dash(
        "dashboard",
        use_pages=True,
        pages_folder=str(HERE / "pages"),
        assets_folder=str(HERE / "assets"),
        title=i18n.t("app.title", "en"),
        update_title=None,  # type: ignore[arg-type]
        suppress_callback_exceptions=True,
        serve_locally=True,
        compress=False,
        enable_mcp=False,
        on_error=on_callback_error,
        meta_tags=[{"name": "viewport", "content": "width=device-width, initial-scale=1"}],
    )
    _adopt_page_callbacks(app)
    security.install(app.server, services)
    answers.install(app, services.data)
    app.layout = shell.shell
    shell.register(app)
    return app
