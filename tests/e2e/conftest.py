"""Browser tests: a real server (waitress, in a subprocess) over a network built in a temp dir,
driven by Debian's headless Chromium through selenium. Any browser console error fails a test."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.helpers import PASSWORDS, build_with_users
from tests.e2e.network import Network

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def e2e_net(tmp_path_factory) -> Network:
    """The network the browser tests look at (built once)."""
    return build_with_users(tmp_path_factory.mktemp("e2e"))


@pytest.fixture(scope="session")
def base_url(e2e_net, tmp_path_factory) -> Iterator[str]:
    """The dashboard served by waitress in a subprocess, as `assortment serve` runs it."""
    port = _free_port()
    log = tmp_path_factory.mktemp("server") / "server.log"
    code = (
        "import sys; from pathlib import Path; from assortment.config import Settings; "
        "from dashboard.server import serve; "
        "serve(Settings(db_path=Path(sys.argv[1])), host='127.0.0.1', "
        "port=int(sys.argv[2]), threads=4)"
    )
    env = {
        **os.environ,
        "ASSORTMENT_SECRET_KEY": "e2e-secret",
        "PYTHONPATH": str(ROOT),
        "ASSORTMENT_TODAY": "2026-11-22",
    }
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-c", code, str(e2e_net.settings.db_path), str(port)],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(url + "/login", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"the server did not start:\n{log.read_text(errors='replace')[-3000:]}")
        time.sleep(0.2)
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="session")
def downloads() -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="e2e-downloads-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def chrome(downloads) -> Iterator[object]:
    """One headless Chromium for the session (Debian's, no browser download)."""
    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        pytest.skip("Debian's chromium and chromium-driver are needed (make e2e-deps)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="e2e-chrome-")
    options = webdriver.ChromeOptions()
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        "--window-size=1366,900",
        "--lang=en-US",
    ):
        options.add_argument(arg)
    options.binary_location = CHROMIUM
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    options.add_experimental_option(
        "prefs",
        {
            "download.default_directory": str(downloads),
            "download.prompt_for_download": False,
            "intl.accept_languages": "en-US,en",
        },
    )
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.execute_cdp_cmd(
        "Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)}
    )
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def browser(chrome, base_url, downloads):
    """The shared browser, signed out, console drained; fails the test on any console error."""
    chrome.get("about:blank")  # leave the app first: its callbacks must not race the sign-out
    # A callback of the previous page still running on the server can answer after the cookies
    # are cleared and sign the browser back in (its response refreshes the session cookie):
    # clear until the sign-in page stays.
    deadline = time.monotonic() + 15
    while True:
        chrome.execute_cdp_cmd("Network.clearBrowserCookies", {})
        chrome.get(base_url + "/login")
        if chrome.find_elements("id", "username") or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    chrome.get("about:blank")
    chrome.execute_cdp_cmd("Network.clearBrowserCookies", {})
    chrome.set_window_size(1366, 900)
    for f in downloads.iterdir():
        with contextlib.suppress(OSError):
            f.unlink()
    chrome.get_log("browser")  # drain
    yield chrome
    with contextlib.suppress(Exception):  # let the page's callbacks finish before the next test
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and chrome.execute_script(
            "return document.querySelectorAll('[data-dash-is-loading=\"true\"]').length"
        ):
            time.sleep(0.2)
    errors = [e for e in chrome.get_log("browser") if e["level"] == "SEVERE"]
    assert not errors, "browser console errors:\n" + "\n".join(e["message"] for e in errors)


@pytest.fixture
def passwords() -> dict[str, str]:
    return PASSWORDS
