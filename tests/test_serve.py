"""`assortment serve` as deployed: the CLI finds the dashboard through its entry point, and behind
a trusted reverse proxy the sign-in throttle sees the client's own address."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time

import pytest
import requests

from tests.e2e.helpers import build_with_users

PORTS = range(8130, 8140)  # developer 3's port range on the shared machine


def _free_port() -> int:
    for port in PORTS:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    pytest.skip("no free port in 8130-8139")


@pytest.mark.slow
def test_cli_serve_with_a_trusted_proxy(tmp_path):
    net = build_with_users(tmp_path / "net")
    port = _free_port()
    env = dict(
        os.environ,
        ASSORTMENT_DB=str(net.settings.db_path),
        ASSORTMENT_TRUSTED_PROXY="127.0.0.1",
    )
    env.pop("ASSORTMENT_SECRET_KEY", None)
    log = tmp_path / "server.log"
    with (
        open(log, "w") as err,
        subprocess.Popen(
            [sys.executable, "-m", "assortment", "serve", "--port", str(port), "--threads", "4"],
            stdout=subprocess.DEVNULL,
            stderr=err,
            env=env,
        ) as proc,
    ):
        try:
            url = f"http://127.0.0.1:{port}"
            for _ in range(300):
                try:  # the port is open before the workers have booted: they answer late
                    requests.get(f"{url}/login", timeout=30)
                    break
                except requests.ConnectionError:
                    time.sleep(0.1)
            browser = requests.Session()
            page = browser.get(f"{url}/login", timeout=10).text
            token = re.search(r'name="csrf_token" value="([^"]+)"', page)
            assert token
            r = browser.post(
                f"{url}/login",
                data={"username": "admin", "password": "wrong-password", "csrf_token": token[1]},
                headers={"X-Forwarded-For": "10.0.0.7"},
                allow_redirects=False,
                timeout=30,
            )
            assert r.status_code == 401
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    assert "failed sign-in for 'admin' from 10.0.0.7" in log.read_text()
