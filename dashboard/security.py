"""The web edge: sign-in and sign-out, sessions, CSRF on every POST, the request size limit,
the language switch and plain-words error pages (Flask hooks on the Dash server)."""

from __future__ import annotations

import hmac
import logging
import os
import secrets
import threading
import time
import uuid
from collections import defaultdict, deque
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import flask
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from assortment import i18n
from assortment.config import Settings
from dashboard import auth
from dashboard.auth import User
from dashboard.context import EXTENSION, Services, lang

log = logging.getLogger("dashboard")

CSRF_COOKIE = "_csrf_token"  # read by dash-renderer, sent back as X-CSRFToken (see getCSRFHeader)
CSRF_HEADER = "X-CSRFToken"
SESSION_HOURS = 12
_PUBLIC_PREFIXES = ("/login", "/lang/", "/assets/", "/_favicon.ico", "/favicon.ico")
_FAILURES_MAX, _FAILURES_WINDOW_S = 10, 600


def secret_key(settings: Settings) -> bytes:
    """ASSORTMENT_SECRET_KEY, else ``<data dir>/secret_key`` (created once, mode 0600)."""
    env = os.environ.get("ASSORTMENT_SECRET_KEY")
    if env:
        return env.encode("utf-8")
    path = Path(settings.data_dir) / "secret_key"
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text("ascii").strip().encode("ascii")
    with os.fdopen(fd, "w") as fh:
        fh.write(secrets.token_hex(32))
    return path.read_text("ascii").strip().encode("ascii")


class _Throttle:
    """Failed sign-ins per client address in a sliding window."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._fails: dict[str, deque[float]] = defaultdict(deque)

    def blocked(self, key: str) -> bool:
        with self._lock:
            q = self._fails[key]
            now = time.monotonic()
            while q and now - q[0] > _FAILURES_WINDOW_S:
                q.popleft()
            return len(q) >= _FAILURES_MAX

    def fail(self, key: str) -> None:
        with self._lock:
            self._fails[key].append(time.monotonic())

    def clear(self, key: str) -> None:
        with self._lock:
            self._fails.pop(key, None)


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


_LOGIN_PAGE = """<!doctype html>
<html lang="{{ 'zh-CN' if lang == 'zh' else 'en' }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }} · {{ app }}</title>
<link rel="stylesheet" href="/assets/style.css">
</head>
<body class="login-body">
<main class="login-card">
  <div class="brand brand-login"><span class="brand-mark">AH</span><span>{{ app }}</span></div>
  <p class="login-tagline">{{ tagline }}</p>
  {% if message %}<div class="alert alert-{{ tone }}" role="alert">{{ message }}</div>{% endif %}
  <form method="post" action="/login" class="login-form" autocomplete="on">
    <input type="hidden" name="csrf_token" value="{{ csrf }}">
    <input type="hidden" name="next" value="{{ next }}">
    <label for="username">{{ l_user }}</label>
    <input id="username" name="username" type="text" autocomplete="username" required autofocus
      value="{{ username }}">
    <label for="password">{{ l_password }}</label>
    <input id="password" name="password" type="password" autocomplete="current-password" required>
    <button type="submit" id="login-submit" class="btn btn-primary">{{ l_submit }}</button>
  </form>
  <div class="lang-switch login-lang">
    <a href="/lang/en?next={{ self_url }}" class="{{ 'active' if lang == 'en' else '' }}">EN</a>
    <a href="/lang/zh?next={{ self_url }}" class="{{ 'active' if lang == 'zh' else '' }}">中文</a>
  </div>
</main>
</body>
</html>"""

_ERROR_PAGE = """<!doctype html>
<html><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ app }}</title><link rel="stylesheet" href="/assets/style.css"></head>
<body class="login-body"><main class="login-card">
<div class="brand brand-login"><span class="brand-mark">AH</span><span>{{ app }}</span></div>
<div class="alert alert-error" role="alert">{{ message }}</div>
<p><a href="/">{{ back }}</a></p></main></body></html>"""


def install(server: flask.Flask, services: Services) -> None:
    """Attach sessions, sign-in, CSRF checks, size limits and error pages to the Flask server."""
    server.extensions[EXTENSION] = services
    server.secret_key = services.secret
    secure = os.environ.get("ASSORTMENT_SECURE_COOKIES", "").lower() in ("1", "true", "yes")
    server.config.update(
        SESSION_COOKIE_NAME="assortment_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=secure,
        PERMANENT_SESSION_LIFETIME=timedelta(hours=SESSION_HOURS),
        # base64 in a JSON callback body is 4/3 of the file, plus the envelope
        MAX_CONTENT_LENGTH=int(services.max_upload_mb * 1024 * 1024 * 4 / 3) + 1024 * 1024,
    )
    throttle = _Throttle()

    def load_user() -> User | None:
        name = flask.session.get("user")
        if not name:
            return None
        row = services.data.users().get(name)
        if row is None:
            return None
        if not hmac.compare_digest(
            str(flask.session.get("pw", "")),
            auth.hash_fingerprint(row["password_hash"], services.secret),
        ):
            return None  # password changed: every older session ends
        return User(
            username=row["username"],
            role=row["role"],
            scope=row["scope"],
            display_name=row["display_name"],
        )

    @server.before_request
    def guard() -> flask.typing.ResponseReturnValue | None:
        path = flask.request.path
        flask.g.user = None
        lang()
        if path.startswith(_PUBLIC_PREFIXES):
            if flask.request.method == "POST" and not _csrf_ok():
                return _login_page(i18n.t("login.expired", lang()), status=400)
            return None
        user = load_user()
        if user is None:
            if flask.session.get("user"):
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

    def _csrf_ok() -> bool:
        expected = flask.session.get("csrf")
        sent = flask.request.headers.get(CSRF_HEADER)
        if sent is None and flask.request.mimetype == "application/x-www-form-urlencoded":
            sent = flask.request.form.get("csrf_token")
        return bool(expected) and bool(sent) and hmac.compare_digest(str(expected), str(sent))

    @server.after_request
    def headers(response: flask.Response) -> flask.Response:
        token = flask.session.get("csrf")
        if token and flask.request.cookies.get(CSRF_COOKIE) != token:
            response.set_cookie(
                CSRF_COOKIE, token, httponly=False, samesite="Lax", secure=secure, path="/"
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
        html = flask.render_template_string(
            _LOGIN_PAGE,
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

    @server.route("/login", methods=["GET", "POST"])
    def login() -> flask.typing.ResponseReturnValue:
        lg = lang()
        if flask.request.method == "GET":
            if load_user() is not None:
                return flask.redirect(_safe_next(flask.request.args.get("next")))
            msg = i18n.t("login.signed_out", lg) if flask.request.args.get("out") else ""
            if not services.data.users():
                return _login_page(i18n.t("login.no_users", lg), tone="info")
            return _login_page(msg, tone="info")
        who = flask.request.remote_addr or "?"
        username = (flask.request.form.get("username") or "").strip()
        if throttle.blocked(who):
            return _login_page(i18n.t("login.throttled", lg), status=429, username=username)
        row = services.data.users().get(username)
        ok = auth.verify_password(
            flask.request.form.get("password") or "", row["password_hash"] if row else None
        )
        if not ok or row is None:
            throttle.fail(who)
            log.info("failed sign-in for %r from %s", username, who)
            return _login_page(i18n.t("login.failed", lg), status=401, username=username)
        throttle.clear(who)
        flask.session.clear()
        flask.session.permanent = True
        flask.session["user"] = username
        flask.session["pw"] = auth.hash_fingerprint(row["password_hash"], services.secret)
        flask.session["csrf"] = secrets.token_urlsafe(32)
        log.info("%s signed in from %s", username, who)
        return flask.redirect(_safe_next(flask.request.form.get("next")))

    @server.route("/logout", methods=["POST"])
    def logout() -> flask.typing.ResponseReturnValue:
        flask.session.clear()
        response = flask.redirect("/login?out=1")
        response.delete_cookie(CSRF_COOKIE, path="/")
        return response

    @server.route("/lang/<code>")
    def set_lang(code: str) -> flask.typing.ResponseReturnValue:
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
                secure=secure,
                path="/",
            )
        return response

    @server.errorhandler(RequestEntityTooLarge)
    def too_large(_exc: RequestEntityTooLarge) -> flask.typing.ResponseReturnValue:
        message = i18n.t("common.too_large", lang(), limit=services.max_upload_mb)
        if _is_api(flask.request.path):
            return flask.jsonify({"message": message}), 413
        return _error_page(message, 413)

    @server.errorhandler(Exception)
    def any_error(exc: Exception) -> flask.typing.ResponseReturnValue:
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

    def _error_page(message: str, status: int) -> flask.Response:
        lg = lang()
        html = flask.render_template_string(
            _ERROR_PAGE,
            app=i18n.t("app.title", lg),
            message=message,
            back=i18n.t("common.back_overview", lg),
        )
        return flask.Response(html, status=status, mimetype="text/html")
