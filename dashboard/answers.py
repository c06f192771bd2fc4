"""Answers of read-only callbacks kept per snapshot: the same request from anyone with the same
role and scope is answered from memory, without running the callback or encoding its JSON.

Why: with many users the server's CPU per request decides every user's wait (a closed loop of
N users waits about N / throughput), and most requests repeat one another: the latest month's
overview of a scope, a page's layout, a style's charts. ``Data`` already keeps query results
and some derived tables per snapshot; what is left of a warm request is Dash's dispatch, the
figure builders and plotly's JSON encoder. Keeping the encoded answer skips all three.

What makes an answer safe to keep:

* The callback (or a page's ``layout``) is marked :func:`per_snapshot`: its answer depends only
  on its inputs and state, the user's role and scope, the language and the published data. No
  writes, no downloads, no username, no clock. Unmarked callbacks always run.
* The key is (snapshot, role, scope, language, the request body as sent). The snapshot is read
  with ``Data.version`` (one ``stat`` of ``snapshots/CURRENT``) on every request, so a request
  that starts after any process published new data never gets an answer made from older data:
  the old answers are dropped as soon as a new snapshot is seen.
* Only a full success is kept: status 200 and no error reported by the callback (the toast).
  Anything else runs again next time.

Each worker process keeps its own answers, at most ``ASSORTMENT_ANSWER_CACHE_MB`` (default 64;
0 turns the cache off), the least recently used going first.
"""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

import dash
import flask
from dash import _pages as dash_pages

from assortment.config import env_int
from dashboard.context import current_user, lang
from dashboard.data import Data

__all__ = ["AnswerCache", "install", "mark_failed", "per_snapshot"]

F = TypeVar("F", bound=Callable[..., Any])

MARK = "_answer_per_snapshot"
EXTENSION = "assortment_answers"  # the app's cache in ``server.extensions`` (for tests, metrics)
DISPATCH = "/_dash-update-component"
DEFAULT_MB = 64
_PAGES_CONTENT = "_pages_content"  # the output of Dash's page router (a page's layout)
_FAILED = "answer_failed"


def per_snapshot(func: F) -> F:
    """Mark a callback (under ``@callback``) or a page's ``layout`` whose answer depends only on
    its inputs, the user's role and scope, the language and the published data."""
    setattr(func, MARK, True)
    return func


def mark_failed() -> None:
    """The callback of this request reported an error: its answer is not kept."""
    if flask.has_request_context():
        setattr(flask.g, _FAILED, True)


class AnswerCache:
    """Encoded answers by key, for one snapshot at a time, within ``max_bytes``."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._answers: OrderedDict[tuple[Any, ...], bytes] = OrderedDict()
        self._bytes = 0
        self._version = ""
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def _forget_older(self, version: str) -> None:
        if version != self._version:
            self._answers.clear()
            self._bytes = 0
            self._version = version

    def get(self, version: str, key: tuple[Any, ...]) -> bytes | None:
        """The answer kept for ``key`` under snapshot ``version``, or None."""
        with self._lock:
            self._forget_older(version)
            answer = self._answers.get(key)
            if answer is None:
                self.misses += 1
                return None
            self._answers.move_to_end(key)
            self.hits += 1
            return answer

    def put(self, version: str, key: tuple[Any, ...], answer: bytes) -> None:
        """Keep ``answer`` (unless it alone is over a quarter of the allowance)."""
        if len(answer) > self.max_bytes // 4:
            return
        with self._lock:
            self._forget_older(version)
            old = self._answers.pop(key, None)
            self._bytes -= len(old) if old is not None else 0
            self._answers[key] = answer
            self._bytes += len(answer)
            while self._bytes > self.max_bytes:
                _, dropped = self._answers.popitem(last=False)
                self._bytes -= len(dropped)

    def __len__(self) -> int:
        return len(self._answers)


def _marked(app: dash.Dash, body: dict[str, Any]) -> bool:
    """Whether the callback this body asks for is marked :func:`per_snapshot` (for the page
    router: the layout of the page its path leads to)."""
    entry = app.callback_map.get(body.get("output", ""))
    if entry is None:
        return False
    if body["output"].startswith(f"..{_PAGES_CONTENT}.children"):
        path = next(
            (i.get("value") for i in body.get("inputs") or [] if i.get("property") == "pathname"),
            None,
        )
        if not isinstance(path, str):
            return False
        page, _ = dash_pages._path_to_page(app.strip_relative_path(path))  # noqa: SLF001
        return bool(getattr(page.get("layout"), MARK, False))
    return bool(getattr(entry.get("callback"), MARK, False))


def install(app: dash.Dash, data: Data, *, max_mb: int | None = None) -> AnswerCache | None:
    """Answer marked callbacks of ``app`` from an :class:`AnswerCache` (after the security
    checks, which run before any view). Returns the cache (None when turned off)."""
    mb = env_int("ASSORTMENT_ANSWER_CACHE_MB", DEFAULT_MB) if max_mb is None else max_mb
    if mb <= 0:
        return None
    cache = AnswerCache(mb * 1024 * 1024)
    server = app.server
    dispatch = server.view_functions[DISPATCH]

    @functools.wraps(dispatch)
    def answer() -> Any:
        user = current_user()
        body = flask.request.get_json(silent=True)
        if user is None or not isinstance(body, dict) or not _marked(app, body):
            return dispatch()
        version = data.version()
        key = (user.role, user.scope, lang(), flask.request.get_data())
        kept = cache.get(version, key)
        if kept is not None:
            return flask.Response(kept, mimetype="application/json")
        response = dispatch()
        if (
            isinstance(response, flask.Response)
            and response.status_code == 200
            and not flask.g.get(_FAILED)
        ):
            cache.put(version, key, response.get_data())
        return response

    server.view_functions[DISPATCH] = answer
    server.extensions[EXTENSION] = cache
    return cache
