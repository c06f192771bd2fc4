"""Everything the soak test knows about the product's interfaces, in one place.

The web client (sign-in form, CSRF header, Dash callbacks of the location and upload
pages) and the command lines it runs. When the sign-in, the upload page or the load
command change, this is the only file of the soak to adjust.
"""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import requests

ASSORTMENT = [sys.executable, "-m", "assortment"]

# dashboard component ids (dashboard/ids.py), spelled out: the soak drives the server from
# outside, as a browser would
LOC_ID, LOC_MONTH = "location-id", "location-month"
LOC_STYLES_GRID, LOC_SELL_THROUGH, LOC_SIZE_STYLE = (
    "location-styles-grid",
    "location-sell-through",
    "location-size-style",
)
UP_KIND, UP_FILE_DATA, UP_RESULT, UP_TOKEN = (
    "upload-kind",
    "upload-file-data",
    "upload-result",
    "upload-token",
)
UP_CONFIRM, UP_DONE, UP_ERRORS_GRID = "upload-confirm", "upload-done", "upload-errors-grid"
UP_DROP_BOX, UP_ACCEPT_DROP = "upload-drop-box", "upload-accept-drop"  # the completeness guard


def cli(
    args: list[str], *, env: dict[str, str], timeout: float = 300, **popen: Any
) -> subprocess.Popen[str]:
    """Start ``assortment ARGS`` (stdout and stderr as text pipes) in a session of its own, as
    cron starts a job: the monthly batch lowers its session's CPU group, which a SIGKILL
    leaves lowered (see assortment.priority)."""
    return subprocess.Popen(
        [*ASSORTMENT, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        **{"start_new_session": True, **popen},
    )


def cli_env(db: Path, today: str, **extra: str) -> dict[str, str]:
    """The environment of every command the soak runs."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSORTMENT_")}
    env.update(ASSORTMENT_DB=str(db), ASSORTMENT_TODAY=today, **extra)
    return env


def add_user(env: dict[str, str], name: str, password: str, role: str, scope: str | None) -> None:
    """``assortment users add`` (raises on failure)."""
    args = ["users", "add", name, "--role", role, "--password", password]
    if scope:
        args += ["--scope", scope]
    subprocess.run([*ASSORTMENT, *args], env=env, check=True, capture_output=True, timeout=120)


def load_args(kind: str, path: Path) -> list[str]:
    """Arguments of ``assortment load``."""
    return ["load", kind, str(path)]


def serve_args(port: int, threads: int) -> list[str]:
    """Arguments of the production server."""
    return ["serve", "--host", "127.0.0.1", "--port", str(port), "--threads", str(threads)]


class WebClient:
    """A signed-in browser session against the server at ``base`` (127.0.0.1 only)."""

    def __init__(self, base: str, username: str, password: str) -> None:
        assert base.startswith("http://127.0.0.1:"), base
        self.base = base
        self.http = requests.Session()
        self.requests = 0
        self.username = username
        self._deps: list[dict[str, Any]] | None = None
        page = self._get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        if token is None:
            raise RuntimeError("the sign-in form has no CSRF token")
        r = self._post(
            "/login",
            data={
                "username": username,
                "password": password,
                "csrf_token": token.group(1),
                "next": "/",
            },
            allow_redirects=False,
        )
        if r.status_code != 302:
            raise RuntimeError(f"sign-in of {username} answered {r.status_code}")

    def _get(self, path: str, **kw: Any) -> requests.Response:
        self.requests += 1
        return self.http.get(self.base + path, timeout=120, **kw)

    def _post(self, path: str, **kw: Any) -> requests.Response:
        self.requests += 1
        return self.http.post(self.base + path, timeout=300, **kw)

    def page(self, path: str) -> int:
        """GET a page; its status."""
        return self._get(path).status_code

    def _output_of(self, prop: str) -> str:
        """The registered ``output`` string of the callback that writes ``prop``."""
        if self._deps is None:
            r = self._get("/_dash-dependencies")
            r.raise_for_status()
            self._deps = r.json()
        for d in self._deps:
            if d["output"].startswith(f"..{prop}@"):  # the allow_duplicate confirm callback
                return str(d["output"])
        raise KeyError(prop)

    def callback(
        self,
        outputs: list[tuple[str, str]],
        inputs: list[tuple[str, str, Any]],
        state: list[tuple[str, str, Any]] = (),  # type: ignore[assignment]
        *,
        output: str | None = None,
    ) -> tuple[int, dict[str, Any]]:
        """POST a callback as dash-renderer does; (status, response JSON or {})."""
        body = {
            "output": output
            or (
                f"{outputs[0][0]}.{outputs[0][1]}"
                if len(outputs) == 1
                else ".." + "...".join(f"{i}.{p}" for i, p in outputs) + ".."
            ),
            "outputs": [{"id": i, "property": p} for i, p in outputs]
            if len(outputs) > 1
            else {"id": outputs[0][0], "property": outputs[0][1]},
            "inputs": [{"id": i, "property": p, "value": v} for i, p, v in inputs],
            "state": [{"id": i, "property": p, "value": v} for i, p, v in state],
            "changedPropIds": [f"{i}.{p}" for i, p, _ in inputs],
        }
        csrf = self.http.cookies.get("_csrf_token")
        r = self._post("/_dash-update-component", json=body, headers={"X-CSRFToken": csrf or ""})
        try:
            payload = r.json() if r.status_code == 200 else {}
        except ValueError:
            payload = {}
        return r.status_code, payload

    def style_on_hand(self, location_id: str, month: str) -> tuple[int, dict[str, int]]:
        """The location page's style list: (status, on hand per style)."""
        status, payload = self.callback(
            [
                (LOC_STYLES_GRID, "rowData"),
                (LOC_SELL_THROUGH, "figure"),
                (LOC_SIZE_STYLE, "options"),
                (LOC_SIZE_STYLE, "value"),
            ],
            [(LOC_MONTH, "value", month)],
            [(LOC_ID, "data", location_id), (LOC_SIZE_STYLE, "value", None)],
        )
        rows = payload.get("response", {}).get(LOC_STYLES_GRID, {}).get("rowData", []) or []
        return status, {r["style"]: int(r["on_hand"]) for r in rows}

    def upload(self, kind: str, name: str, raw: bytes) -> tuple[bool, str]:
        """Check then confirm a file on the upload page: (accepted, what the page said)."""
        payload = {
            "name": name,
            "contents": "data:text/csv;base64," + base64.b64encode(raw).decode(),
        }
        status, checked = self.callback(
            [
                (UP_RESULT, "children"),
                (UP_ERRORS_GRID, "rowData"),
                ("upload-errors-box", "hidden"),
                (UP_CONFIRM, "disabled"),
                (UP_CONFIRM, "children"),
                (UP_TOKEN, "data"),
                (UP_DONE, "children"),
                (UP_DROP_BOX, "hidden"),
                (UP_ACCEPT_DROP, "value"),
            ],
            [(UP_FILE_DATA, "data", payload), (UP_KIND, "value", kind)],
        )
        resp = checked.get("response", {})
        if status != 200 or resp.get(UP_CONFIRM, {}).get("disabled", True):
            return False, f"check answered {status}: {json.dumps(resp, ensure_ascii=False)[:300]}"
        token = resp[UP_TOKEN]["data"]
        status, done = self.callback(
            [(UP_DONE, "children"), (UP_CONFIRM, "disabled")],
            [(UP_CONFIRM, "n_clicks", 1)],
            [(UP_TOKEN, "data", token), (UP_ACCEPT_DROP, "value", [])],  # counts never drop
            output=self._output_of(f"{UP_DONE}.children"),
        )
        text = json.dumps(done, ensure_ascii=False)
        accepted = status == 200 and ("upload-loaded" in text or "upload-unchanged" in text)
        return accepted, f"confirm answered {status}: {text[:300]}"
