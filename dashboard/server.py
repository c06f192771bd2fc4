"""Serve the dashboard from several processes: gunicorn's pre-fork master and N worker processes
of M threads each, sharing one listening socket and the snapshot store.

Why processes, and why this way:

* A callback is mostly Python (Dash, plotly, polars glue), so one process uses little more than
  one core however many threads it has; serving from N processes is what uses N cores.
* The read side is snapshots (``store``): every worker opens the published snapshot read-only
  and notices a new one on its next read, so workers share the store without talking to each
  other. Writes (uploads, user management) take the writers' ``flock`` as the command line does,
  so two workers never write at once; sign-in sessions and the throttle live in
  ``auth.sqlite`` (WAL, safe across processes); the cookie signing key is one file created once;
  an upload checked by one worker is kept in ``uploads/`` and may be confirmed by another.
* gunicorn's master binds the socket, forks the workers after its own imports (each worker
  builds its app and opens its own connections after the fork: nothing is shared but the
  socket), replaces a worker that dies (a crash, the OOM killer, ``kill -9``) and stops them
  all on SIGTERM or SIGINT. A worker that cannot even start (a broken install) stops the
  whole server with a message instead of restarting in a loop.
* Workers use gunicorn's threaded worker (``gthread``): a long request (an upload being
  classified) occupies one thread, not the process, and the worker keeps telling the master
  it is alive while its threads work.
* No keep-alive by default: a worker accepts a connection only when one of its threads is free
  (``worker_connections`` = threads), so a request goes to whichever worker can start it at
  once instead of queueing behind a busy worker that happened to accept its connection
  earlier. On loopback or behind a reverse proxy (which keeps the browsers' connections alive
  itself) a new connection per request costs well under a millisecond.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable, Iterable
from typing import Any

from assortment.config import Settings
from assortment.errors import EnvironmentProblemError

__all__ = ["default_workers", "serve", "wsgi_app"]

log = logging.getLogger("dashboard")

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

MAX_DEFAULT_WORKERS = 8
WORKER_TIMEOUT_S = 60  # a worker silent this long (its main loop stuck) is replaced
GRACEFUL_TIMEOUT_S = 30  # on stop, requests in flight get this long to finish


def default_workers() -> int:
    """One worker per core (2 on the development machine), at most 8: a callback is CPU work,
    so more processes than cores only add memory and contention."""
    return max(1, min(os.cpu_count() or 1, MAX_DEFAULT_WORKERS))


class TrustedProxy:
    """WSGI middleware: behind a reverse proxy, the client's own address (for the sign-in
    throttle and the log) is the last ``X-Forwarded-For`` entry, the one the proxy added, and
    only when the request comes from the proxy's address; from anyone else the header is
    dropped (a client cannot pick its own address)."""

    def __init__(self, app: WSGIApp, proxy: str) -> None:
        self.app = app
        self.proxy = proxy

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        forwarded = environ.pop("HTTP_X_FORWARDED_FOR", None)
        if self.proxy and forwarded and environ.get("REMOTE_ADDR") == self.proxy:
            client = forwarded.split(",")[-1].strip()
            if client:
                environ["REMOTE_ADDR"] = client
        return self.app(environ, start_response)


def wsgi_app(settings: Settings) -> WSGIApp:
    """The dashboard as one worker serves it: a fresh app over ``settings``, behind the
    trusted-proxy middleware (``ASSORTMENT_TRUSTED_PROXY``)."""
    from dashboard.app import create_app

    app = create_app(settings)
    proxy = os.environ.get("ASSORTMENT_TRUSTED_PROXY", "").strip()
    return TrustedProxy(app.server, proxy)


def _bind_address(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _check_port(host: str, port: int) -> None:
    """Say in words when the address cannot be listened on (gunicorn would retry for 5 s and
    print a traceback-like log)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise EnvironmentProblemError(
                f"cannot listen on {host}:{port}: {exc.strerror or exc} (another server, or an"
                " earlier one still stopping, uses that port; choose another with --port or"
                " ASSORTMENT_PORT)"
            ) from None


def _options(*, host: str, port: int, threads: int, workers: int) -> dict[str, Any]:
    proxy = os.environ.get("ASSORTMENT_TRUSTED_PROXY", "").strip()

    def when_ready(_arbiter: Any) -> None:
        print(
            f"Assortment Health dashboard on http://{_bind_address(host, port)}  ({workers}"
            f" worker process{'es' if workers != 1 else ''} x {threads} threads)",
            flush=True,
        )

    def on_exit(_arbiter: Any) -> None:
        print("Assortment Health dashboard stopped", flush=True)

    return {
        "bind": [_bind_address(host, port)],
        "workers": workers,
        "worker_class": "gthread",
        "threads": threads,
        # accept only what a free thread can start now (see the module docstring)
        "worker_connections": threads,
        "keepalive": 0,
        "timeout": WORKER_TIMEOUT_S,
        "graceful_timeout": GRACEFUL_TIMEOUT_S,
        "proc_name": "assortment",
        "errorlog": "-",
        "accesslog": None,
        "loglevel": "info",
        # X-Forwarded-Proto only from the trusted proxy; nothing else forwards anything
        "forwarded_allow_ips": proxy,
        # gunicorn's control socket sits at one path per user: several servers would collide
        "control_socket_disable": True,
        "when_ready": when_ready,
        "on_exit": on_exit,
    }


def serve(
    settings: Settings, *, host: str, port: int, threads: int, workers: int | None = 1
) -> None:
    """Serve the dashboard over ``settings`` with ``workers`` processes (None: one per core,
    see :func:`default_workers`) of ``threads`` threads until SIGTERM or SIGINT; prints the
    URL when listening.

    Raises:
        EnvironmentProblemError: the address cannot be listened on (port in use).
        UsageError: ``workers`` or ``threads`` below 1.
    """
    from gunicorn.app.base import BaseApplication

    from assortment.errors import UsageError
    from dashboard import security

    workers = default_workers() if workers is None else workers
    if workers < 1 or threads < 1:
        raise UsageError(f"--workers and --threads must be at least 1 (got {workers}, {threads})")
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    _check_port(host, port)
    security.secret_key(settings)  # created once here, before the workers read it
    print(f"database {settings.db_path}", flush=True)
    options = _options(host=host, port=port, threads=threads, workers=workers)

    class Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> WSGIApp:
            return wsgi_app(settings)  # in each worker, after the fork

    Server().run()
