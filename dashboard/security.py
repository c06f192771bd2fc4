"""The web edge as a Flask blueprint: sign-in and sign-out, sessions revocable on the server,
CSRF on every POST, the request size limit, the language switch and plain-words error pages.

Sessions and the sign-in throttle live in ``assortment.sessions`` (shared by every thread and
process of the server); the pages are Jinja templates in ``dashboard/templates/``.
"""

from __future__ import annotations

import hmac
import logging
import os
import secrets
import uuid
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import flask
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from assortment import i18n, users
from assortment.config import Settings
from assortment.users import User
from dashboard.context import EXTENSION, Services, lang, services

log = logging.getLogger("dashboard")

CSRF_COOKIE = "_csrf_token"  # read by dash-renderer, sent back as X-CSRFToken (see getCSRFHeader)
CSRF_HEADER = "X-CSRFToken"
SESSION_KEY = "sid"  # the session token in Flask's signed cookie; its state is server-side
_PUBLIC_PREFIXES = ("/login", "/lang/", "/assets/", "/_favicon.ico", "/favicon.ico")

bp = flask.Blueprint("security", __name__, template_folder="templates")


def _secure_cookies() -> bool:
    return os.environ.get("ASSORTMENT_SECURE_COOKIES", "").lower() in ("1", "true", "yes")


def secret_key(settings: Settings) -> bytes:
    """ASSORTMENT_SECRET_KEY, else ``<data dir>/secret_key`` (created once, mode 0600)."""
    env = os.environ.get("ASSORTMENT_SECRET_KEY")
    if env:
        return env.encode("utf-8")
    path = Path(settings.data_dir) / "secret_key"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        # written whole under a private name, then linked into place: of several processes
        # starting at once exactly one key wins, and nobody reads a half-written file
        tmp = path.with_name(f".secret_key.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return path.read_text("ascii").strip().encode("ascii")


def _safe_next(target: str | None) -> str:
    """Only same-site paths: '/x?y' stays, 'https://evil', '//evil' become '/'."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/") or target.startswith("//"):
        return "/"
    return parts.path + (f"?{parts.query}" if parts.query else "")


_DISPATCH = "/_dash-update-component"
_MALFORMED = (KeyError, TypeError, AttributeError, ValueError, IndexError)


def _malformed(why: str) -> flask.typing.ResponseReturnValue:
    """400 for a callback request Dash cannot read, logged in one line (no traceback)."""
    log.warning("malformed callback request from %s: %s", flask.request.remote_addr, str(why)[:200])
    return flask.jsonify({"message": "malformed request"}), 400


def _is_api(path: str) -> bool:
    return path.startswith("/_dash-") or path.startswith("/_reload-hash")


def _csrf_token() -> str:
    token = flask.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        flask.session["csrf"] = token
    return str(token)


def install(server: flask.Flask, services_: Services) -> None:
    """Configure the Flask server's sessions and size limit and register the blueprint."""
    server.extensions[EXTENSION] = services_
    server.secret_key = services_.secret
    server.config.update(
        SESSION_COOKIE_NAME="assortment_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=_secure_cookies(),
        PERMANENT_SESSION_LIFETIME=timedelta(hours=services_.auth_state.session_s / 3600),
        # the cookie is written at sign-in and sign-out only: never renewed (the session's
        # expiry is kept on the server), and a late answer to a page the browser already left
        # cannot put an old cookie back over a newer one
        SESSION_REFRESH_EACH_REQUEST=False,
        # base64 in a JSON callback body is 4/3 of the file, plus the envelope
        MAX_CONTENT_LENGTH=int(services_.max_upload_mb * 1024 * 1024 * 4 / 3) + 1024 * 1024,
    )
    server.register_blueprint(bp)


def load_user() -> User | None:
    """The user of this request's session, or None when it ended, expired or never existed
    (signed out, password changed, user removed)."""
    svc = services()
    name = svc.auth_state.session_user(flask.session.get(SESSION_KEY))
    if name is None:
        return None
    row = svc.data.users().get(name)
    if row is None:
        return None
    return User(
        username=row["username"],
        role=row["role"],
        scope=row["scope"],
        display_name=row["display_name"],
    )


def _csrf_ok() -> bool:
    expected = flask.session.get("csrf")
    sent = flask.request.headers.get(CSRF_HEADER)
    if sent is None and flask.request.mimetype == "application/x-www-form-urlencoded":
        sent = flask.request.form.get("csrf_token")
    return bool(expected) and bool(sent) and hmac.compare_digest(str(expected), str(sent))


@bp.before_app_request
def guard() -> flask.typing.ResponseReturnValue | None:
    """Every request: public paths pass (POSTs CSRF-checked), the rest need a live session."""
    path = flask.request.path
    flask.g.user = None
    lang()
    if path.startswith(_PUBLIC_PREFIXES):
        if flask.request.method == "POST" and not _csrf_ok():
            return _login_page(i18n.t("login.expired", lang()), status=400)
        return None
    user = load_user()
    if user is None:
        if flask.session.get(SESSION_KEY):
            # an ended session's cookie is dropped, never renewed (an anonymous session, which
            # only holds the sign-in form's CSRF token, is kept for that form)
            flask.session.clear()
        if _is_api(path):
            return flask.jsonify(
                {"message": i18n.t("common.session_expired", lang()), "signin": "/login"}
            ), 401
        return flask.redirect(f"/login?next={flask.request.full_path.rstrip('?')}")
    flask.g.user = user
    if flask.request.method not in ("GET", "HEAD", "OPTIONS") and not _csrf_ok():
        return flask.jsonify({"message": "missing or wrong CSRF token"}), 403
    if path == _DISPATCH and flask.request.method == "POST":
        body = flask.request.get_json(silent=True)
        if not isinstance(body, dict) or not isinstance(body.get("output"), str):
            return _malformed("the body is not a callback request")
    return None


@bp.after_app_request
def headers(response: flask.Response) -> flask.Response:
    """The CSRF cookie for dash-renderer and the security headers."""
    token = flask.session.get("csrf")
    if token and flask.request.cookies.get(CSRF_COOKIE) != token:
        response.set_cookie(
            CSRF_COOKIE, token, httponly=False, samesite="Lax", secure=_secure_cookies(), path="/"
        )
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Content-Security-Policy", "frame-ancestors 'none'")
    return response


def _login_page(
    message: str = "", *, tone: str = "error", status: int = 200, username: str = ""
) -> flask.Response:
    lg = lang()
    nxt = _safe_next(flask.request.values.get("next"))
    html = flask.render_template(
        "login.html",
        lang=lg,
        app=i18n.t("app.title", lg),
        tagline=i18n.t("app.tagline", lg),
        title=i18n.t("login.title", lg),
        l_user=i18n.t("login.username", lg),
        l_password=i18n.t("login.password", lg),
        l_submit=i18n.t("login.submit", lg),
        message=message,
        tone=tone,
        csrf=_csrf_token(),
        next=nxt,
        self_url=f"/login?next={nxt}",
        username=username,
    )
    return flask.Response(html, status=status, mimetype="text/html")


def _error_page(message: str, status: int) -> flask.Response:
    lg = lang()
    html = flask.render_template(
        "error.html",
        lang=lg,
        app=i18n.t("app.title", lg),
        message=message,
        back=i18n.t("common.back_overview", lg),
    )
    return flask.Response(html, status=status, mimetype="text/html")


@bp.route("/login", methods=["GET", "POST"])
def login() -> flask.typing.ResponseReturnValue:
    """The sign-in form; a POST is throttled per account and address before any check."""
    lg = lang()
    svc = services()
    if flask.request.method == "GET":
        if load_user() is not None:
            return flask.redirect(_safe_next(flask.request.args.get("next")))
        msg = i18n.t("login.signed_out", lg) if flask.request.args.get("out") else ""
        if not svc.data.users():
            return _login_page(i18n.t("login.no_users", lg), tone="info")
        return _login_page(msg, tone="info")
    who = flask.request.remote_addr or "?"
    username = (flask.request.form.get("username") or "").strip()
    ticket = svc.auth_state.attempt(username, who)
    if ticket is None:
        log.info("sign-in for %r from %s refused: too many attempts", username, who)
        return _login_page(i18n.t("login.throttled", lg), status=429, username=username)
    row = svc.data.users().get(username)
    ok = users.verify_password(
        flask.request.form.get("password") or "", row["password_hash"] if row else None
    )
    if not ok or row is None:
        log.info("failed sign-in for %r from %s", username, who)
        return _login_page(i18n.t("login.failed", lg), status=401, username=username)
    svc.auth_state.succeeded(ticket)
    old = flask.session.get(SESSION_KEY)
    if old:
        svc.auth_state.end_session(old)
    flask.session.clear()
    flask.session.permanent = True
    flask.session[SESSION_KEY] = svc.auth_state.open_session(username)
    flask.session["csrf"] = secrets.token_urlsafe(32)
    log.info("%s signed in from %s", username, who)
    return flask.redirect(_safe_next(flask.request.form.get("next")))


@bp.route("/logout", methods=["POST"])
def logout() -> flask.typing.ResponseReturnValue:
    """End the session on the server (a copied cookie stops working) and in the browser."""
    services().auth_state.end_session(flask.session.get(SESSION_KEY))
    flask.session.clear()
    response = flask.redirect("/login?out=1")
    response.delete_cookie(CSRF_COOKIE, path="/")
    return response


@bp.route("/lang/<code>")
def set_lang(code: str) -> flask.typing.ResponseReturnValue:
    """Switch the language (a cookie) and go back where the user was."""
    target = flask.request.args.get("next")
    if not target:
        ref = urlsplit(flask.request.referrer or "")
        same = ref.netloc == flask.request.host
        target = (ref.path + (f"?{ref.query}" if ref.query else "")) if same else "/"
    response = flask.redirect(_safe_next(target))
    if code in i18n.LANGS:
        response.set_cookie(
            i18n.LANG_COOKIE,
            code,
            max_age=365 * 24 * 3600,
            samesite="Lax",
            secure=_secure_cookies(),
            path="/",
        )
    return response


@bp.app_errorhandler(RequestEntityTooLarge)
def too_large(_exc: RequestEntityTooLarge) -> flask.typing.ResponseReturnValue:
    """A too-large upload: the limit in words."""
    message = i18n.t("common.too_large", lang(), limit=services().max_upload_mb)
    if _is_api(flask.request.path):
        return flask.jsonify({"message": message}), 413
    return _error_page(message, 413)


@bp.app_errorhandler(Exception)
def any_error(exc: Exception) -> flask.typing.ResponseReturnValue:
    """Any other error: words and a reference for the user, the traceback in the log."""
    if isinstance(exc, HTTPException) and exc.code and exc.code < 500:
        if flask.request.path == _DISPATCH:
            return _malformed(exc.description or exc.name)
        return _error_page(exc.description or exc.name, exc.code)
    if flask.request.path == _DISPATCH and isinstance(exc, _MALFORMED):
        # a callback's own errors go to the app's on_error; what reaches this point
        # is Dash failing to read the request (unknown output, wrong shapes)
        return _malformed(f"{type(exc).__name__}: {exc}")
    ref = uuid.uuid4().hex[:8]
    log.exception("error %s on %s %s", ref, flask.request.method, flask.request.path)
    message = i18n.t("common.error", lang(), ref=ref)
    if _is_api(flask.request.path):
        return flask.jsonify({"message": message}), 500
    return _error_page(message, 500)
