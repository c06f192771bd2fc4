"""Fifty signed-in users at once, no think time, while an upload lands and the monthly batch runs.

On the 2,000-location network of ``bench_dashboard.py`` (built once into bench_data/dashboard/,
or copied from /work/bench_cache/dashboard when that exists), for each server configuration
(``--workers 1,2``): a private copy of the store, ``assortment serve --workers N`` on loopback,
and 50 users (admins, reps, distributors, each signed in through the form with their own
session) browsing the overview, location, styles and reps pages as a browser does: the page
layout, then each of its callbacks (``/_dash-update-component`` POSTs with the CSRF header),
every request sent as soon as the previous one answered. A fifth into the run a distributor
uploads a recount of one of its stores through the upload page (check, then confirm); a third
into it the monthly batch starts (``assortment monthly``, a separate process). Every
read of that store's style list sent after the upload was accepted is checked: one that still
shows the counts from before is a *stale read*.

The client is one asyncio process (aiohttp): it reads each answer's bytes and parses only what
it checks, so it costs the server's two cores little. Writes the "## Fifty users" section of
BENCHMARKS.md.

    .venv/bin/python benchmarks/bench_users.py [--seconds 60] [--workers 1,2] [--threads 4]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import aiohttp
from yarl import URL

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import bench_dashboard as bd  # noqa: E402  (the callbacks' bodies, as a browser sends them)
from common import machine, write_section  # noqa: E402

from assortment import store, users  # noqa: E402
from assortment.config import Settings, batch_nice  # noqa: E402
from dashboard import ids  # noqa: E402
from tests.e2e.helpers import callback_body  # noqa: E402

SHARED_CACHE = Path("/work/bench_cache/dashboard")
SCRATCH = ROOT / "bench_data" / "users"
PORT = 8135  # the default of --port: developer 3's range on the shared machine (8130-8139)
PASSWORD = "bench-password"
USERS_MARK = "users-bench_users"
N_ADMINS, N_REPS, N_DISTRIBUTORS = 10, 25, 15
UPLOADER = "bench-up"  # a user of the distributor whose recount lands during the run (D05)
P95_GOAL_MS = 1000
STALE_WINDOW_S = 15  # the traffic goes on at least this long after the upload was accepted
PAGES = ("overview", "location", "styles", "reps")


# ------------------------------------------------------------------ the network and its users


def network() -> tuple[Settings, dict[str, Any]]:
    """The benchmark network (with this benchmark's users), and what the users browse."""
    folder = bd.FOLDER
    if not (folder / "built").exists() and (SHARED_CACHE / "built").exists():
        shutil.copytree(SHARED_CACHE, folder, dirs_exist_ok=True)
    settings, info = bd.build_network(False)
    if not (folder / USERS_MARK).exists():
        add_users(settings)
        (folder / USERS_MARK).write_text("ok")
    with store.reader(settings) as con:
        locs = con.execute(
            "select location_id, kind, coalesce(distributor_id, location_id), rep"
            " from locations where coalesce(status, 'active') = 'active' order by 1"
        ).fetchall()
        people = con.execute("select username, role, scope from users order by 1").fetchall()
        styles = [
            s for (s,) in con.execute("select distinct style from products order by 1").fetchall()
        ]
        best = [
            s
            for (s,) in con.execute(
                "select style from bestsellers where month = (select max(month) from bestsellers)"
                " order by rank"
            ).fetchall()
        ]
    info.update(locations_rows=locs, users=people, styles=styles, bestsellers=best)
    return settings, info


def add_users(settings: Settings) -> None:
    """10 admins, 25 reps (every rep of the network, some with two logins), 15 distributors
    and the uploading distributor: one writer, one publish."""
    with store.reader(settings) as con:
        reps = [
            r for (r,) in con.execute("select distinct rep from locations order by 1").fetchall()
        ]
        dists = [
            d
            for (d,) in con.execute(
                "select location_id from locations where kind = 'distributor' order by 1"
            ).fetchall()
        ]
        counted = [  # groups whose stores counted the last month: the uploader is one of them
            d
            for (d,) in con.execute(
                "select distinct distributor_id from compliance where kind = 'store'"
                " and status <> 'no_count' and month = (select max(month) from compliance)"
                " order by 1"
            ).fetchall()
        ]
    wanted: list[tuple[str, str, str | None]] = [
        (f"admin{i:02d}", "admin", None) for i in range(N_ADMINS)
    ]
    wanted += [(f"rep{i:02d}", "rep", reps[i % len(reps)]) for i in range(N_REPS)]
    wanted += [
        (f"dist{i:02d}", "distributor", dists[i % len(dists)]) for i in range(N_DISTRIBUTORS)
    ]
    wanted.append((UPLOADER, "distributor", counted[min(4, len(counted) - 1)]))
    with store.writer(settings) as con:
        for name, role, scope in wanted:
            users._put_user(  # noqa: SLF001 - 51 users in one writer (one publish, not 51)
                con, name, PASSWORD, role=role, scope=scope, display_name=name, replace=True
            )


def recount(settings: Settings, month: str, distributor: str) -> tuple[str, bytes, dict[str, int]]:
    """A corrected count of one store of the uploader: one SKU of each style it holds, 2 units.

    Returns (store, the CSV, on hand per style after it lands)."""
    with store.reader(settings) as con:
        loc = con.execute(
            "select location_id from compliance where month = ?::date and kind = 'store'"
            " and distributor_id = ? and status <> 'no_count' order by 1 limit 1",
            [f"{month}-01", distributor],
        ).fetchone()[0]
        rows = con.execute(
            "select p.style, min(p.sku) from stock s join products p using (sku_key)"
            " join locations l using (location_key)"
            " where l.location_id = ? and s.month = ?::date and s.on_hand > 0"
            " group by p.style order by 1",
            [loc, f"{month}-01"],
        ).fetchall()
    lines = ["month,location_id,sku,on_hand"] + [f"{month},{loc},{sku},2" for _, sku in rows]
    return loc, ("\n".join(lines) + "\n").encode(), {style: 2 for style, _ in rows}


def scope_of(info: dict[str, Any], role: str, scope: str | None) -> list[str]:
    """The locations a user may open (the same rule as sql/005_scope.sql, for choosing pages)."""
    rows = info["locations_rows"]
    if role == "admin":
        return [r[0] for r in rows]
    if role == "rep":
        return [r[0] for r in rows if r[3] == scope]
    return [r[0] for r in rows if r[2] == scope]


# ------------------------------------------------------------------ what a browser sends


def styles_lists_body(month: str) -> dict[str, Any]:
    return callback_body(
        [(ids.ST_BEST_GRID, "rowData"), (ids.ST_NEW_GRID, "rowData")],
        [(ids.ST_MONTH, "value", month)],
    )


def styles_regions_body(style: str, month: str) -> dict[str, Any]:
    return callback_body(
        [(ids.ST_REGIONS_TITLE, "children"), (ids.ST_REGIONS, "figure")],
        [(ids.ST_PICK, "value", style), (ids.ST_MONTH, "value", month)],
    )


def reps_body(month: str) -> dict[str, Any]:
    return callback_body(
        [(ids.REPS_TABLE, "children"), (ids.REPS_TREND, "figure")],
        [(ids.REPS_MONTH, "value", month)],
    )


def visit(
    page: str, rng: random.Random, ctx: dict[str, Any], user: User
) -> list[tuple[str, dict[str, Any]]]:
    """The requests of one page visit: (callback name, body), the page layout first."""
    months = ctx["months"]
    month = months[-1] if rng.random() < 0.7 else rng.choice(months)
    if page == "overview":
        return [
            ("layout", bd.page_body("/")),
            ("kpis + chart + table", bd.overview_body(month, by=rng.choice(["region", "rep"]))),
            ("trend", bd.trend_body(rng.choice([[], [], ["fail"], ["fail", "warn"]]))),
        ]
    if page == "location":
        loc = user.pick_location(rng, ctx)
        style = rng.choice(ctx["bestsellers"] or ctx["styles"])
        return [("layout", bd.page_body(f"/location/{loc}"))] + [
            (name, body) for name, body in bd.location_bodies(month, loc, style).items()
        ]
    if page == "styles":
        style = rng.choice(ctx["styles"])
        return [
            ("layout", bd.page_body("/styles")),
            ("bestsellers + new", styles_lists_body(month)),
            ("sales by region", styles_regions_body(style, month)),
            *bd.styles_bodies(month, style).items(),
        ]
    return [("layout", bd.page_body("/reps")), ("scorecard", reps_body(month))]


# ------------------------------------------------------------------ one user


@dataclass
class Sample:
    page: str
    callback: str
    user_role: str
    sent: float  # seconds since the run started
    ms: float
    status: int
    error: str = ""


@dataclass
class Shared:
    """What the users, the uploader and the batch share during a run."""

    t0: float
    stop_at: float
    samples: list[Sample] = field(default_factory=list)
    accepted_at: float | None = None  # when the upload's confirmation answered (run seconds)
    uploading: bool = True  # the users go on until the upload answered (and 15 s after it)
    upload_store: str = ""
    month: str = ""
    before: dict[str, int] = field(default_factory=dict)
    after: dict[str, int] = field(default_factory=dict)
    checked: int = 0
    stale: list[float] = field(default_factory=list)

    def now(self) -> float:
        return time.perf_counter() - self.t0

    def running(self) -> bool:
        return self.uploading or self.now() < self.stop_at


class User:
    """A signed-in browser session (its own cookies and CSRF token)."""

    def __init__(self, base: str, name: str, role: str, scope: str | None, locations: list[str]):
        self.base, self.name, self.role, self.scope = base, name, role, scope
        self.locations = locations
        self.http: aiohttp.ClientSession | None = None
        self.csrf = ""

    async def sign_in(self) -> None:
        self.http = aiohttp.ClientSession(
            cookie_jar=aiohttp.CookieJar(unsafe=True),  # cookies for 127.0.0.1
            timeout=aiohttp.ClientTimeout(total=300),
        )
        async with self.http.get(self.base + "/login") as r:
            token = re.search(r'name="csrf_token" value="([^"]+)"', await r.text())
        assert token, "the sign-in form has no CSRF token"
        form = {"username": self.name, "password": PASSWORD, "csrf_token": token[1], "next": "/"}
        async with self.http.post(self.base + "/login", data=form, allow_redirects=False) as r:
            if r.status != 302:
                raise RuntimeError(f"sign-in of {self.name} answered {r.status}")
        self.csrf = self.http.cookie_jar.filter_cookies(URL(self.base))["_csrf_token"].value

    async def close(self) -> None:
        if self.http is not None:
            await self.http.close()

    def pick_location(self, rng: random.Random, ctx: dict[str, Any]) -> str:
        shared: Shared = ctx["shared"]
        if (
            shared.accepted_at is not None
            and shared.upload_store in self.locations
            and rng.random() < 0.3
        ):
            return shared.upload_store  # after the upload, its store is looked at often
        return rng.choice(self.locations)

    async def post(self, body: dict[str, Any]) -> tuple[int, bytes]:
        assert self.http is not None
        async with self.http.post(
            self.base + "/_dash-update-component",
            data=json.dumps(body),
            headers={"X-CSRFToken": self.csrf, "Content-Type": "application/json"},
        ) as r:
            return r.status, await r.read()

    async def browse(self, ctx: dict[str, Any], seed: int) -> None:
        shared: Shared = ctx["shared"]
        rng = random.Random(seed)
        pages = [p for p in PAGES if p != "reps" or self.role != "distributor"]  # no Reps link
        if not self.locations:
            pages.remove("location")
        while shared.running():
            page = rng.choice(pages)
            for name, body in visit(page, rng, ctx, self):
                if not shared.running():
                    return
                sent = shared.now()
                t = time.perf_counter()
                try:
                    status, raw = await self.post(body)
                    error = "" if status == 200 else f"HTTP {status}"
                except (aiohttp.ClientError, TimeoutError) as exc:
                    status, raw, error = 0, b"", type(exc).__name__
                ms = (time.perf_counter() - t) * 1000
                if not error and b'"' + ids.TOAST_TEXT.encode() + b'"' in raw:
                    error = "error toast"  # a callback failed and said so in words
                shared.samples.append(Sample(page, name, self.role, sent, ms, status, error))
                if not error and name == "styles + sell-through":
                    check_read(shared, body, raw, sent)


def style_on_hand(raw: bytes) -> dict[str, int]:
    rows = json.loads(raw)["response"][ids.LOC_STYLES_GRID]["rowData"] or []
    return {r["style"]: int(r["on_hand"]) for r in rows}


def check_read(shared: Shared, body: dict[str, Any], raw: bytes, sent: float) -> None:
    """A read of the uploaded store's latest month sent after the upload was accepted must
    show the new count."""
    loc = body["state"][0]["value"]
    month = body["inputs"][0]["value"]
    if loc != shared.upload_store or month != shared.month or shared.accepted_at is None:
        return
    if sent < shared.accepted_at:
        return
    shared.checked += 1
    seen = style_on_hand(raw)
    if {s: seen.get(s) for s in shared.after} != shared.after:
        shared.stale.append(sent)


# ------------------------------------------------------------------ the writers


async def upload(ctx: dict[str, Any], at: float, csv: bytes) -> dict[str, Any]:
    """The uploader's recount through the upload page (check, confirm), at ``at`` seconds."""
    shared: Shared = ctx["shared"]
    try:
        return await _upload(ctx, at, csv)
    finally:
        shared.uploading = False


async def _upload(ctx: dict[str, Any], at: float, csv: bytes) -> dict[str, Any]:
    shared: Shared = ctx["shared"]
    up: User = ctx["uploader"]
    # the store's style list before (the old data a stale read would show)
    _, raw = await up.post(
        bd.location_bodies(shared.month, shared.upload_store, "")["styles + sell-through"]
    )
    shared.before = style_on_hand(raw)
    await asyncio.sleep(max(0.0, at - shared.now()))
    started = shared.now()
    payload = {
        "name": "recount.csv",
        "contents": "data:text/csv;base64," + base64.b64encode(csv).decode(),
    }
    outputs = [
        (ids.UP_RESULT, "children"),
        (ids.UP_ERRORS_GRID, "rowData"),
        ("upload-errors-box", "hidden"),
        (ids.UP_CONFIRM, "disabled"),
        (ids.UP_CONFIRM, "children"),
        (ids.UP_TOKEN, "data"),
        (ids.UP_DONE, "children"),
        (ids.UP_DROP_BOX, "hidden"),
        (ids.UP_ACCEPT_DROP, "value"),
    ]
    status, raw = await up.post(
        callback_body(
            outputs, [(ids.UP_FILE_DATA, "data", payload), (ids.UP_KIND, "value", "stock")]
        )
    )
    resp = json.loads(raw).get("response", {}) if status == 200 else {}
    if resp.get(ids.UP_CONFIRM, {}).get("disabled", True):
        return {"accepted": False, "said": f"check answered {status}: {raw[:300]!r}"}
    token = resp[ids.UP_TOKEN]["data"]
    assert up.http is not None
    async with up.http.get(up.base + "/_dash-dependencies") as r:
        deps = await r.json()
    output = next(d["output"] for d in deps if d["output"].startswith(f"..{ids.UP_DONE}.children@"))
    body = callback_body(
        [(ids.UP_DONE, "children"), (ids.UP_CONFIRM, "disabled")],
        [(ids.UP_CONFIRM, "n_clicks", 1)],
        [(ids.UP_TOKEN, "data", token), (ids.UP_ACCEPT_DROP, "value", [])],
    )
    body["output"] = output
    status, raw = await up.post(body)
    accepted = status == 200 and b"upload-loaded" in raw
    if accepted:
        shared.accepted_at = shared.now()
        # reads after the upload are what the stale-read check is about: at least 15 s of them
        shared.stop_at = max(shared.stop_at, shared.accepted_at + STALE_WINDOW_S)
    return {
        "accepted": accepted,
        "said": raw[:300].decode("utf-8", "replace"),
        "started": started,
        "seconds": shared.now() - started,
        "changed": shared.before != shared.after,
    }


async def watch_uploaded_store(ctx: dict[str, Any]) -> None:
    """After the upload, the uploader keeps reading its store (as its users would)."""
    shared: Shared = ctx["shared"]
    up: User = ctx["uploader"]
    while shared.running():
        if shared.accepted_at is None:
            await asyncio.sleep(0.05)
            continue
        body = bd.location_bodies(shared.month, shared.upload_store, "")["styles + sell-through"]
        sent = shared.now()
        status, raw = await up.post(body)
        if status == 200:
            check_read(shared, body, raw, sent)


async def monthly(
    env: dict[str, str], out: Path, month: str, at: float, shared: Shared
) -> dict[str, Any]:
    """The monthly batch in its own process, from ``at`` seconds; one still writing reports
    10 s after the users' window is stopped (a stopped batch leaves the previous reports as
    they were), not waited for."""
    await asyncio.sleep(max(0.0, at - shared.now()))
    started = shared.now()
    log = out.with_suffix(".log")
    with open(log, "wb") as err:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "assortment", "monthly", "--out", str(out), "--month", month,
            env=env, stdout=asyncio.subprocess.DEVNULL, stderr=err,
            start_new_session=True,  # as cron starts a job: a session (CPU group) of its own
        )  # fmt: skip
        finished = False
        while True:
            try:
                await asyncio.wait_for(asyncio.shield(proc.wait()), timeout=1.0)
                finished = True
                break
            except TimeoutError:
                if not shared.running() and shared.now() > shared.stop_at + 10:
                    proc.terminate()
                    await proc.wait()
                    break
    return {
        "started": started,
        "seconds": shared.now() - started,
        "exit": proc.returncode,
        "finished": finished,
        "stderr": log.read_text("utf-8", "replace")[-500:],
    }


# ------------------------------------------------------------------ one run


def start_server(
    env: dict[str, str], workers: int, threads: int, log: Path
) -> subprocess.Popen[bytes]:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", PORT))
        except OSError:
            raise SystemExit(f"port {PORT} is taken (a server left running?)") from None
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "assortment", "serve", "--port", str(PORT)]
            + ["--workers", str(workers), "--threads", str(threads)],
            env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the server stopped: {log.read_text()[-2000:]}")
        if log.read_text().count("Booting worker") >= workers:
            return proc
        time.sleep(0.2)
    raise SystemExit("the server did not start")


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children, MB."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            if int(stat.parent.name) != pid and ppid != pid:
                continue
            status = (stat.parent / "status").read_text()
        except (OSError, IndexError, ValueError):
            continue
        m = re.search(r"VmRSS:\s+(\d+) kB", status)
        total += int(m[1]) if m else 0
    return total / 1024


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its children (waited-for ones included)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            f = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(stat.parent.name) == pid or int(f[1]) == pid:
            total += (int(f[11]) + int(f[12]) + int(f[13]) + int(f[14])) / tick
    return total


async def run_users(
    base: str,
    info: dict[str, Any],
    shared: Shared,
    env: dict[str, str],
    out: Path,
    without: str = "",
) -> dict[str, Any]:
    chosen = [u for u in info["users"] if re.fullmatch(r"(admin|rep|dist)\d\d", u[0])]
    crowd = [User(base, n, role, scope, scope_of(info, role, scope)) for n, role, scope in chosen]
    up_scope = next(scope for name, _, scope in info["users"] if name == UPLOADER)
    uploader = User(
        base, UPLOADER, "distributor", up_scope, scope_of(info, "distributor", up_scope)
    )
    try:
        return await _run_users(info, shared, env, out, crowd, uploader, without)
    finally:
        for u in [*crowd, uploader]:
            await u.close()


async def _nothing(result: dict[str, Any]) -> dict[str, Any]:
    return result


async def _run_users(
    info: dict[str, Any],
    shared: Shared,
    env: dict[str, str],
    out: Path,
    crowd: list[User],
    uploader: User,
    without: str = "",
) -> dict[str, Any]:
    rng = random.Random(12)
    up_scope = uploader.scope or ""
    for u in [*crowd, uploader]:
        await u.sign_in()
    loc, csv, after = recount(info["settings"], info["months"][-1], up_scope)
    shared.upload_store, shared.after, shared.month = loc, after, info["months"][-1]
    ctx = {
        "shared": shared,
        "months": info["months"],
        "styles": info["styles"],
        "bestsellers": info["bestsellers"],
        "uploader": uploader,
    }
    # everyone's first page (the layout) before the clock starts: sessions warm, like a morning
    await asyncio.gather(*(u.post(bd.page_body("/")) for u in crowd))
    shared.t0 = time.perf_counter()
    seconds = shared.stop_at
    tasks = [asyncio.create_task(u.browse(ctx, rng.randrange(1 << 30))) for u in crowd]
    if without == "upload":
        shared.uploading = False
        loaded = asyncio.create_task(_nothing({"accepted": None}))
    else:
        loaded = asyncio.create_task(upload(ctx, seconds / 5, csv))
    if without == "monthly":
        batch = asyncio.create_task(_nothing({"finished": None}))
    else:
        batch = asyncio.create_task(monthly(env, out, info["months"][-1], seconds / 3, shared))
    watcher = asyncio.create_task(watch_uploaded_store(ctx))
    await asyncio.gather(*tasks, watcher)
    shared.stop_at = max(shared.stop_at, shared.now())  # the traffic's real length
    up = await loaded
    month_run = await batch  # it may outlast the window: the users were busy meanwhile
    return {"users": Counter(u.role for u in crowd), "upload": up, "monthly": month_run}


def one_run(
    settings: Settings,
    info: dict[str, Any],
    workers: int,
    threads: int,
    seconds: float,
    without: str = "",
) -> dict[str, Any]:
    folder = SCRATCH / f"w{workers}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    data = folder / "data"
    shutil.copytree(settings.data_dir, data, ignore=shutil.ignore_patterns("generated", "*.lock"))
    db = data / settings.db_path.name
    store.publish(Settings(db_path=db))  # the copy's own snapshot, before the clock starts
    env = {
        **os.environ,
        "ASSORTMENT_DB": str(db),
        "ASSORTMENT_SECRET_KEY": "bench",
        "ASSORTMENT_LOCK_TIMEOUT": "600",
        "PYTHONPATH": str(ROOT),
    }
    env.pop("ASSORTMENT_TODAY", None)
    info = {**info, "settings": Settings(db_path=db)}
    load_before = os.getloadavg()
    proc = start_server(env, workers, threads, folder / "server.log")
    try:
        cpu0 = cpu_seconds(proc.pid)
        shared = Shared(t0=time.perf_counter(), stop_at=seconds)
        result = asyncio.run(
            run_users(f"http://127.0.0.1:{PORT}", info, shared, env, folder / "reports", without)
        )
        cpu = cpu_seconds(proc.pid) - cpu0
        memory = rss_mb(proc.pid)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=60)
    load_after = os.getloadavg()
    return {
        "workers": workers,
        "threads": threads,
        "without": without,
        "seconds": shared.stop_at,  # longer than asked when the upload was accepted late
        "samples": shared.samples,
        "checked": shared.checked,
        "stale": len(shared.stale),
        "load": (load_before[0], load_after[0]),
        "server_cpu_s": cpu,
        "server_mb": memory,
        **result,
    }


# ------------------------------------------------------------------ the report


def pct(xs: list[float], q: float) -> float:
    if not xs:
        return float("nan")
    xs = sorted(xs)
    return xs[min(len(xs) - 1, max(0, round(q * len(xs) + 0.5) - 1))]


def label(run: dict[str, Any]) -> str:
    """'2 x 4', or '1 x 4, no batch' for a run without the monthly batch (or the upload)."""
    left_out = {"monthly": ", no batch", "upload": ", no upload"}.get(run.get("without", ""), "")
    return f"{run['workers']} x {run['threads']}{left_out}"


def describe(run: dict[str, Any]) -> list[str]:
    samples: list[Sample] = run["samples"]
    secs = run["seconds"]
    ok = [s for s in samples if not s.error]
    errors = Counter(s.error for s in samples if s.error)
    cells = [label(run), f"{secs:.0f}", f"{len(samples) / secs:.1f}"]
    for page in (*PAGES, None):
        ms = [s.ms for s in ok if page is None or s.page == page]
        cells.append(f"{statistics.median(ms):.0f} / {pct(ms, 0.95):.0f}" if ms else "–")
    cells += [
        f"{max(s.ms for s in samples):.0f}" if samples else "–",
        str(sum(errors.values()))
        + (f" ({', '.join(f'{k}: {v}' for k, v in errors.items())})" if errors else ""),
        f"{run['stale']} of {run['checked']}",
        f"{run['server_cpu_s'] / secs:.2f} ({1000 * run['server_cpu_s'] / max(1, len(samples)):.0f} ms)",
        f"{run['server_mb']:.0f}",
        f"{run['load'][0]:.1f} → {run['load'][1]:.1f}",
    ]
    return cells


def time_table(runs: list[dict[str, Any]], step: int = 10) -> list[str]:
    """Requests answered and p95 per ``step`` seconds of traffic, one column per run."""
    buckets: list[dict[int, list[float]]] = []
    for run in runs:
        by: dict[int, list[float]] = {}
        for smp in run["samples"]:
            if not smp.error:
                by.setdefault(int(smp.sent // step) * step, []).append(smp.ms)
        buckets.append(by)
    starts = sorted({t for by in buckets for t in by})
    lines = [
        "| sent at s | " + " | ".join(label(r) for r in runs) + " |",
        "|---|" + "---:|" * len(runs),
    ]
    for t in starts:
        cells = [f"{len(by[t])} / {pct(by[t], 0.95):.0f}" if t in by else "–" for by in buckets]
        lines.append(f"| {t}-{t + step} | " + " | ".join(cells) + " |")
    return lines


def report(runs: list[dict[str, Any]], info: dict[str, Any], seconds: float) -> str:
    users_line = ", ".join(f"{n} {role}s" for role, n in sorted(runs[0]["users"].items()))
    lines = [
        "## Fifty users",
        "",
        f"`make bench-users` (`benchmarks/bench_users.py --seconds {seconds:g}`) on {machine()};"
        f" {date.today().isoformat()}. Network: {info['locations']:,} locations, "
        f"{len(info['months'])} classified months (the `make bench-dashboard` network).",
        f"{sum(runs[0]['users'].values())} signed-in users ({users_line}; each its own session) "
        "browse the overview, location, styles and reps pages (distributors: no Reps page) for "
        f"{seconds:g} s with **no think time**: each page's layout, then each of its callbacks as "
        "dash-renderer sends them, the next request as soon as the last one answered. A fifth in, "
        "a distributor uploads a recount of one of its stores through the upload page (check, "
        "load, re-classify the month); a third in, the monthly batch starts (`assortment "
        f"monthly`, both languages, PDFs, at nice {batch_nice()}: `ASSORTMENT_BATCH_NICE`). "
        "The users go on until at least 15 s after the upload was accepted (the time column says "
        "how long the traffic ran). A *stale read* is a read of that store's style list sent "
        "after the upload was accepted that still shows the counts from before. Client: one asyncio process (aiohttp) on the "
        "same machine. Server: `assortment serve --workers N --threads T` on loopback.",
        "",
        "| workers x threads | traffic s | requests/s | overview median / p95 ms | location | styles | reps "
        "| all pages | max ms | errors | stale reads (of reads checked) | server CPU in cores (per request) "
        "| server memory MB | load average before → after |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---:|---:|---|",
    ]
    for run in runs:
        lines.append("| " + " | ".join(describe(run)) + " |")
    lines.append("")
    for run in runs:
        up, mo = run["upload"], run["monthly"]
        if run.get("without"):
            lines.append(
                f"- {label(run)}: the same run without the "
                + ("monthly batch" if run["without"] == "monthly" else "upload")
                + " (what the other one costs alone)."
            )
            continue
        lines.append(
            f"- {run['workers']} worker(s): upload {'accepted' if up.get('accepted') else '**not accepted**'}"
            + (
                f" (sent at {up['started']:.0f} s; check, load and re-classify took {up['seconds']:.1f} s)"
                if up.get("accepted")
                else f": {up.get('said', '')[:200]}"
            )
            + (
                f"; monthly batch from {mo['started']:.0f} s, done in {mo['seconds']:.0f} s, exit {mo['exit']}"
                + ("" if mo["exit"] == 0 else f" ({mo['stderr'][-200:]})")
                if mo["finished"]
                else f"; monthly batch from {mo['started']:.0f} s, still running {mo['seconds']:.0f} s"
                " later (10 s after the window): stopped"
            )
            + "."
        )
    lines += [
        "",
        "Over the run (requests answered / p95 ms per 10 s of traffic, by when they were sent):"
        " where the upload and the batch cost the users their time.",
        "",
        *time_table(runs),
        "",
        "Per callback (median / p95 ms), for whoever makes the callbacks cheaper:",
        "",
        "| page | callback | " + " | ".join(label(r) for r in runs) + " |",
        "|---|---|" + "---:|" * len(runs),
    ]
    names = sorted(
        {(s.page, s.callback) for r in runs for s in r["samples"]},
        key=lambda k: (PAGES.index(k[0]), k[1]),
    )
    for page, name in names:
        cells = []
        for r in runs:
            ms = [
                s.ms for s in r["samples"] if not s.error and (s.page, s.callback) == (page, name)
            ]
            cells.append(f"{statistics.median(ms):.0f} / {pct(ms, 0.95):.0f}" if ms else "–")
        lines.append(f"| {page} | {name} | " + " | ".join(cells) + " |")
    full = [r for r in runs if not r.get("without")] or runs
    best = min(full, key=lambda r: pct([s.ms for s in r["samples"] if not s.error], 0.95))
    p95 = pct([s.ms for s in best["samples"] if not s.error], 0.95)
    errs = sum(1 for s in best["samples"] if s.error)
    cores = os.cpu_count() or 1
    n_users = sum(runs[0]["users"].values())
    per_request = [1000 * r["server_cpu_s"] / max(1, len(r["samples"])) for r in runs]
    cpu_ms = statistics.median(per_request)
    ceiling = cores * 1000 / cpu_ms
    needed = cores * 1000 * (P95_GOAL_MS / 2000) / n_users
    used = max(r["server_cpu_s"] / r["seconds"] for r in runs)
    lines += [
        "",
        f"What bounds it: the server spent {cpu_ms:.0f} ms of CPU per request (median over the "
        f"configurations). With all {cores} cores to itself it could answer at most "
        f"{cores} x 1000 / {cpu_ms:.0f} = {ceiling:.0f} requests/s, and {n_users} users with no "
        f"think time would then wait {n_users / ceiling:.1f} s per request on average (Little's "
        "law), however many workers serve them: workers let the server use every core, they do "
        f"not make a request cheaper. Here it got at most {used:.2f} of the {cores} cores (see the "
        "load average: other work shared the machine). A p95 under 1 s (a mean near 0.5 s) "
        f"needs about {needed:.0f} ms of CPU per request or less on {cores} cores.",
    ]
    lines += [
        "",
        f"Goals: p95 under {P95_GOAL_MS} ms, zero errors, zero stale reads. Best here: "
        f"{best['workers']} workers, p95 {p95:.0f} ms ({'met' if p95 < P95_GOAL_MS else '**not met**'}), "
        f"{errs} errors, {best['stale']} stale reads.",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    global PORT
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60, help="traffic time per configuration")
    parser.add_argument("--workers", default="1,2", help="configurations to compare, e.g. 1,2,3")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker")
    parser.add_argument(
        "--alone",
        action="store_true",
        help="also run 1 worker without the batch, then without the upload (what each costs)",
    )
    parser.add_argument("--port", type=int, default=PORT, help="the server's port (loopback)")
    parser.add_argument(
        "--no-write", action="store_true", help="print only; leave BENCHMARKS.md alone"
    )
    parser.add_argument(
        "--network", type=Path, help="another built network folder (with data/ and built)"
    )
    args = parser.parse_args()
    PORT = args.port
    if args.network:
        bd.FOLDER = args.network.resolve()
    settings, info = network()
    runs = []
    for w in [int(x) for x in args.workers.split(",")]:
        print(f"workers={w}: {args.seconds:g} s of traffic ...", flush=True)
        runs.append(one_run(settings, info, w, args.threads, args.seconds))
        print("  " + " | ".join(describe(runs[-1])), flush=True)
    for without in ("monthly", "upload") if args.alone else ():
        print(f"1 worker without the {without}: {args.seconds:g} s of traffic ...", flush=True)
        runs.append(one_run(settings, info, 1, args.threads, args.seconds, without))
        print("  " + " | ".join(describe(runs[-1])), flush=True)
    section = report(runs, info, args.seconds)
    print(section)
    if not args.no_write:
        write_section(section)


if __name__ == "__main__":
    main()
