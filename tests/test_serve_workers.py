"""`assortment serve --workers N`: several processes serve one store as if they were one.

The tests route each request to one chosen worker by pausing the others (SIGSTOP): a paused
process accepts nothing, and the server closes every connection after its answer, so the next
request is accepted by a running worker. That makes "signed in on one, used on the other" and
"uploaded through one, read through the other" exact, not a matter of luck.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from assortment import store
from assortment.config import Settings
from benchmarks.soak_client import WebClient
from tests.e2e.helpers import PASSWORDS, build_with_users
from tests.e2e.network import TODAY, Network

PORTS = range(8130, 8140)  # developer 3's port range on the shared machine
pytestmark = pytest.mark.slow


def _free_port() -> int:
    for port in PORTS:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    pytest.skip("no free port in 8130-8139")


def children(pid: int) -> set[int]:
    """Live (not zombie) child processes of ``pid``."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields[0] != "Z" and int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


@dataclass
class Server:
    proc: subprocess.Popen[bytes]
    url: str
    log: Path

    def workers(self, n: int, timeout: float = 60) -> list[int]:
        """The worker pids once there are ``n`` of them, ready to answer."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pids = children(self.proc.pid)
            booted = self.log.read_text().count("Booting worker")
            if len(pids) == n and booted >= n:
                return sorted(pids)
            time.sleep(0.1)
        raise AssertionError(f"not {n} workers: {children(self.proc.pid)}\n{self.log.read_text()}")

    def only(self, pid: int) -> None:
        """Pause every worker but ``pid`` (and make sure ``pid`` runs)."""
        os.kill(pid, signal.SIGCONT)
        for other in children(self.proc.pid) - {pid}:
            os.kill(other, signal.SIGSTOP)

    def all(self) -> None:
        for pid in children(self.proc.pid):
            os.kill(pid, signal.SIGCONT)


@pytest.fixture(scope="module")
def net(tmp_path_factory) -> Network:
    return build_with_users(tmp_path_factory.mktemp("workers"))


@pytest.fixture
def server(net: Network, tmp_path: Path) -> Iterator[Server]:
    port = _free_port()
    env = dict(os.environ, ASSORTMENT_DB=str(net.settings.db_path), ASSORTMENT_TODAY=str(TODAY))
    env.pop("ASSORTMENT_SECRET_KEY", None)  # the key file, created once for every worker
    log = tmp_path / "server.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "assortment", "serve", "--port", str(port)]
            + ["--workers", "2", "--threads", "2"],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
        )
    srv = Server(proc, f"http://127.0.0.1:{port}", log)
    try:
        srv.workers(2)
        yield srv
    finally:
        if proc.poll() is None:
            srv.all()
            proc.terminate()
            try:
                proc.wait(timeout=40)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def stock_csv(rows: list[tuple[str, str, str, int]]) -> bytes:
    lines = ["month,location_id,sku,on_hand"] + [f"{m},{loc},{sku},{q}" for m, loc, sku, q in rows]
    return ("\n".join(lines) + "\n").encode()


def test_a_session_made_on_one_worker_is_valid_on_the_other(server: Server, net: Network):
    a, b = server.workers(2)
    store_id = net.stores["D01"][0]
    server.only(a)
    admin = WebClient(server.url, "admin", PASSWORDS["admin"])  # signed in by worker a
    status, on_a = admin.style_on_hand(store_id, net.latest)
    assert status == 200 and on_a
    server.only(b)
    status, on_b = admin.style_on_hand(store_id, net.latest)  # cookie and CSRF token from a
    assert status == 200
    assert on_b == on_a
    # signing out on b ends the session on a too
    r = admin.http.post(
        f"{server.url}/logout",
        headers={"X-CSRFToken": admin.http.cookies.get("_csrf_token") or ""},
        allow_redirects=False,
        timeout=30,
    )
    assert r.status_code == 302
    server.only(a)
    status, _ = admin.style_on_hand(store_id, net.latest)
    assert status == 401


def test_an_upload_through_one_worker_is_read_at_once_by_the_other(server: Server, net: Network):
    a, b = server.workers(2)
    mine = net.stores["D01"][-1]
    reader = WebClient(server.url, "admin", PASSWORDS["admin"])
    server.only(b)
    status, before = reader.style_on_hand(mine, net.latest)  # b opens the current snapshot
    assert status == 200 and before and set(before.values()) != {2}
    held = net.in_stock(mine).unique("style", keep="first", maintain_order=True)
    count = stock_csv([(net.latest, mine, sku, 2) for sku in held["sku"]])
    server.only(a)
    dist = WebClient(server.url, "dist1", PASSWORDS["dist1"])
    accepted, said = dist.upload("stock", "recount.csv", count)  # checked and loaded by a
    assert accepted, said
    server.only(b)
    status, after = reader.style_on_hand(mine, net.latest)
    assert status == 200
    assert {s: after.get(s) for s in held["style"]} == dict.fromkeys(held["style"], 2)


def test_an_upload_checked_on_one_worker_is_confirmed_on_the_other(server: Server, net: Network):
    a, b = server.workers(2)
    mine = net.stores["D01"][0]
    held = net.in_stock(mine).unique("style", keep="first", maintain_order=True)
    count = stock_csv([(net.latest, mine, sku, 3) for sku in held["sku"]])
    dist = WebClient(server.url, "dist1", PASSWORDS["dist1"])
    calls = []
    real = dist.callback

    def route(*args, **kwargs):  # the check goes to a, the confirmation to b
        server.only(a if not calls else b)
        calls.append(args[0][0][0])
        return real(*args, **kwargs)

    dist.callback = route  # type: ignore[method-assign]
    accepted, said = dist.upload("stock", "recount3.csv", count)
    assert calls == ["upload-result", "upload-done"]
    assert accepted, said
    server.all()
    with store.reader(net.settings) as con:
        n = con.execute(
            "select count(*) from load_log where file_name = 'recount3.csv' and result = 'loaded'"
        ).fetchone()[0]
    assert n == 1


def test_a_killed_worker_is_replaced_and_the_server_stops_cleanly(server: Server, net: Network):
    a, b = server.workers(2)
    os.kill(a, signal.SIGKILL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and (a in children(server.proc.pid)):
        time.sleep(0.1)
    now = server.workers(2)
    assert a not in now and b in now
    server.only(next(p for p in now if p != b))  # the new worker answers
    admin = WebClient(server.url, "admin", PASSWORDS["admin"])
    status, rows = admin.style_on_hand(net.stores["D01"][0], net.latest)
    assert status == 200 and rows
    server.all()
    server.proc.send_signal(signal.SIGTERM)
    assert server.proc.wait(timeout=40) == 0
    log = server.log.read_text()
    assert f"(pid:{a})" in log  # the master said which worker died
    assert log.rstrip().endswith("Assortment Health dashboard stopped")
    assert not children(server.proc.pid)
    assert "Traceback" not in log


def test_serve_says_in_words_when_the_port_is_taken(net: Network):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        r = subprocess.run(
            [sys.executable, "-m", "assortment", "serve", "--port", str(port), "--workers", "2"],
            env=dict(os.environ, ASSORTMENT_DB=str(net.settings.db_path)),
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert r.returncode == 2
    assert re.search(rf"cannot listen on 127\.0\.0\.1:{port}: .*--port", r.stderr), r.stderr


def test_a_reader_sees_a_publish_at_once(net: Network, tmp_path: Path):
    """The snapshot reader of a server worker notices a snapshot another process published on
    its very next read (it used to look again only every 0.5 s: a stale read)."""
    import shutil

    data = tmp_path / "data"
    shutil.copytree(net.settings.data_dir, data)
    settings = Settings(db_path=data / net.settings.db_path.name)
    new = store.publish(settings)  # a second snapshot, then CURRENT back on the first
    old = sorted(p for p in settings.snapshot_dir.glob("*.duckdb") if p != new)[-1]
    pointer = settings.snapshot_dir / "CURRENT"

    def point(path: Path) -> None:
        tmp = settings.snapshot_dir / ".CURRENT.tmp"
        tmp.write_text(path.name, "utf-8")
        os.replace(tmp, pointer)

    point(old)
    reader = store.SnapshotReader(settings)
    assert reader.version() == old.name
    point(new)  # what a writer in another process does last when it publishes
    assert reader.version() == new.name
    reader.close()
