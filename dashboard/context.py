"""Per-app services and the current request's user and language, for pages and callbacks
(pages never import the app object: they ask Flask's ``current_app``)."""

from __future__ import annotations

from dataclasses import dataclass

import flask

from assortment import i18n
from assortment.config import Settings
from assortment.sessions import AuthState
from assortment.users import User
from dashboard.data import Data

EXTENSION = "assortment"


@dataclass
class Services:
    """What one dashboard app holds: its settings, its reader, its secrets and sign-in state."""

    settings: Settings
    data: Data
    secret: bytes
    max_upload_mb: int
    auth_state: AuthState


def services() -> Services:
    """The services of the app serving this request."""
    return flask.current_app.extensions[EXTENSION]


def data() -> Data:
    """The scoped, cached reader of the app serving this request."""
    return services().data


def current_user() -> User | None:
    """The signed-in user of this request (None outside a signed-in request)."""
    if not flask.has_request_context():
        return None
    return flask.g.get("user")


def require_user() -> User:
    """The signed-in user; PermissionError when none (the security hook makes this rare)."""
    user = current_user()
    if user is None:
        raise PermissionError("not signed in")
    return user


def lang() -> str:
    """The language of this request: cookie, else Accept-Language, else English."""
    if not flask.has_request_context():
        return i18n.DEFAULT_LANG
    cached = flask.g.get("lang")
    if cached:
        return str(cached)
    chosen = i18n.pick_lang(
        flask.request.cookies.get(i18n.LANG_COOKIE), flask.request.accept_languages
    )
    flask.g.lang = chosen
    return chosen


def t(key: str, **values: object) -> str:
    """``i18n.t`` in the language of this request."""
    return i18n.t(key, lang(), **values)
