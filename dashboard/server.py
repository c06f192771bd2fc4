"""Serve the dashboard with waitress (a production WSGI server, not Flask's debug server)."""

from __future__ import annotations

import logging
import os
from typing import Any

from assortment.config import Settings
from dashboard.app import create_app

__all__ = ["create_app", "serve"]


def serve(settings: Settings, *, host: str, port: int, threads: int) -> None:
    """Build the app over ``settings`` and serve it until interrupted; prints the URL."""
    from waitress import serve as waitress_serve

    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    app = create_app(settings)
    max_body = app.server.config["MAX_CONTENT_LENGTH"]
    print(
        f"Assortment Health dashboard on http://{host}:{port}  (database {settings.db_path})",
        flush=True,
    )
    # behind a reverse proxy, the client's own address (for the sign-in throttle) comes from
    # its X-Forwarded-For, trusted only from the proxy's address
    proxy = os.environ.get("ASSORTMENT_TRUSTED_PROXY", "").strip()
    proxy_options: dict[str, Any] = (
        {"trusted_proxy": proxy, "trusted_proxy_headers": {"x-forwarded-for"}} if proxy else {}
    )
    waitress_serve(
        app.server,
        host=host,
        port=port,
        threads=threads,
        max_request_body_size=max_body * 2,  # Flask answers 413 in words first
        ident="assortment",
        clear_untrusted_proxy_headers=True,
        **proxy_options,
    )
