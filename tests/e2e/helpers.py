"""Helpers shared by the dashboard's tests: a built network with users, a signed-in Flask
test client, and crafted Dash callback requests (as an attacker would send them)."""

from __future__ import annotations

import dataclasses
import re
import shutil
from pathlib import Path
from typing import Any

from assortment import users
from assortment.config import Settings
from tests.e2e.network import Network, build

PASSWORDS = {
    "admin": "admin-pass-1",
    "rep": "rep-pass-12",
    "dist1": "dist1-pass-1",
    "dist2": "dist2-pass-2",
}


def build_with_users(folder: Path, **sizes: Any) -> Network:
    """Build the test network in ``folder`` and add one user per role (two distributors)."""
    settings = Settings(db_path=folder / "data" / "assortment.duckdb")
    net = build(settings, **sizes)
    users.add_user(
        settings, "admin", PASSWORDS["admin"], role="admin", scope=None, display_name="Admin"
    )
    users.add_user(
        settings,
        "rep",
        PASSWORDS["rep"],
        role="rep",
        scope=net.reps[net.distributors[0]],
        display_name="Rep",
    )
    users.add_user(
        settings,
        "dist1",
        PASSWORDS["dist1"],
        role="distributor",
        scope=net.distributors[0],
        display_name="Distributor one",
    )
    users.add_user(
        settings,
        "dist2",
        PASSWORDS["dist2"],
        role="distributor",
        scope=net.distributors[1],
        display_name="Distributor two",
    )
    return net


def clone(net: Network, folder: Path) -> Network:
    """A private copy of a built network (for tests that write)."""
    src = net.settings.data_dir
    dst = folder / "data"
    shutil.copytree(src, dst)
    return dataclasses.replace(net, settings=Settings(db_path=dst / net.settings.db_path.name))


def login(client: Any, username: str, password: str | None = None) -> Any:
    """Sign ``client`` in through the real form (CSRF token included); returns the response."""
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True))
    assert token, "the sign-in form carries a CSRF token"
    return client.post(
        "/login",
        data={
            "username": username,
            "password": password or PASSWORDS[username],
            "csrf_token": token.group(1),
            "next": "/",
        },
    )


def csrf_of(client: Any) -> str:
    """The CSRF cookie the server set for this session."""
    cookie = client.get_cookie("_csrf_token")
    assert cookie is not None, "signed-in sessions get a _csrf_token cookie"
    return str(cookie.value)


def callback_body(
    outputs: list[tuple[str, str]],
    inputs: list[tuple[str, str, Any]],
    state: list[tuple[str, str, Any]] = (),
) -> dict[str, Any]:
    """A ``/_dash-update-component`` body like dash-renderer sends."""
    if len(outputs) == 1:
        output = f"{outputs[0][0]}.{outputs[0][1]}"
        outs: Any = {"id": outputs[0][0], "property": outputs[0][1]}
    else:
        output = ".." + "...".join(f"{i}.{p}" for i, p in outputs) + ".."
        outs = [{"id": i, "property": p} for i, p in outputs]
    return {
        "output": output,
        "outputs": outs,
        "inputs": [{"id": i, "property": p, "value": v} for i, p, v in inputs],
        "state": [{"id": i, "property": p, "value": v} for i, p, v in state],
        "changedPropIds": [f"{i}.{p}" for i, p, _ in inputs],
    }


def post_callback(client: Any, body: dict[str, Any], *, csrf: bool = True) -> Any:
    """POST a callback request (with the session's CSRF header unless ``csrf`` is False)."""
    headers = {"X-CSRFToken": csrf_of(client)} if csrf else {}
    return client.post("/_dash-update-component", json=body, headers=headers)
