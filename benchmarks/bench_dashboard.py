"""Dashboard responsiveness with 2,000 locations: callback latencies against the running server.

Builds (once, cached in bench_data/dashboard/) a network of 40 distributors and 1,960 stores
with the sample generator, loaded through the project's loaders and classified by the real job
(tests/e2e/network.py, the same builder as the browser tests), starts `dashboard.server.serve` (gunicorn, one worker of 8 threads) in a subprocess, signs in
over HTTP and times the callbacks a browser fires, as a browser sends them: the overview, a
location page (status, visit list, last month's follow-through and what changed, style list,
size run), the Styles page (lists, who lacks a style, regions, where each style was given a
chance, new styles' stores) as an admin and as a distributor, and the Reps page as an admin (every
rep) and as a rep (their own). Requests go one at a time, so the server process's CPU time
(``/proc/<pid>/stat``) between two answers is what one callback cost. Writes the
"## Dashboard" section of BENCHMARKS.md.

    .venv/bin/python benchmarks/bench_dashboard.py [--rebuild] [--repeat 15] [--port 8150]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from common import machine, write_section  # noqa: E402  (benchmarks/ is on sys.path)

from assortment import users  # noqa: E402
from assortment.config import Settings  # noqa: E402
from dashboard import ids  # noqa: E402
from tests.e2e.helpers import callback_body  # noqa: E402
from tests.e2e.network import build  # noqa: E402

DISTRIBUTORS, STORES, STYLES, MONTHS = 40, 1960, 60, 12
TARGET_MS = 300
#: What made the callbacks cheaper, with the CPU figures measured before (same script, same
#: network, 2026-12-01, load average 8): kept under the table as the baseline.
NOTES = """\
Server CPU per request before the 2026-12-01 work (same script and network, load average 8.2):
overview 104 ms cold / 68 warm, size run 66 / 58, the location page's six requests 195 / 128,
the Styles page's six 185 / 104 (admin). What changed: the figure builders write plotly's
dicts directly instead of `graph_objects` (whose validation was 80% of a size run and half the
overview's chart); the overview's 2,000 rows look each word up once and are cached, with its
KPIs and chart, per snapshot, scope, language and filters (`Data.derived`); the location page
takes "what changed since last month" from the monthly rows it already read (one query
fewer). Later the same day the location page's whole page went from 159 ms median cold (149
of CPU) to 66-77 ms in three runs: its frames (styles, visit list, follow-through, history, a style's size
run) are read for the user's whole scope once per month and snapshot and one location is sliced
out, so the first store of a month pays the scope's query (the max column) and the next stores
a binary search. The Styles page's regional sales and chances read every style of the month at
once the same way; its cold rows here change the month with the style, so each of them pays
that month's query (chances 41 -> 53-61 ms median in three runs, the next styles of a month about 1 ms).
Then each dashboard query was given one DuckDB thread (`ASSORTMENT_READER_THREADS`, default 1):
a lone request is slower (location page 66 -> 81 ms, Styles 152 -> 213 ms admin), while fifty
users get 13-25% more answers a second from the same cores (see "Fifty users").
Wall times follow the machine's load (a request waits for a core): read the CPU columns for
what a callback costs.
"""
FOLDER = ROOT / "bench_data" / "dashboard"


def build_network(rebuild: bool) -> tuple[Settings, dict[str, Any]]:
    settings = Settings(db_path=FOLDER / "data" / "assortment.duckdb")
    marker = FOLDER / "built"
    if rebuild or not marker.exists():
        shutil.rmtree(FOLDER, ignore_errors=True)
        FOLDER.mkdir(parents=True)
        t0 = time.perf_counter()
        net = build(
            settings, seed=7, distributors=DISTRIBUTORS, stores=STORES, styles=STYLES, months=MONTHS
        )
        users.add_user(
            settings, "bench", "bench-password", role="admin", scope=None, display_name="Bench"
        )
        users.add_user(
            settings,
            "bench-d",
            "bench-password",
            role="distributor",
            scope="D07",
            display_name="Bench D07",
        )
        marker.write_text(f"{time.perf_counter() - t0:.1f}")
        del net
    from assortment import job, store

    with store.reader(settings) as con:
        rules = settings.rules()
        stale = [m for m in job.counted_months(con) if not job.is_current(con, m, rules)]
    if stale:  # results of another version of the code: measure what this one reads
        print(f"re-classifying {len(stale)} months (results of another version) ...", flush=True)
        job.classify(settings, all_months=True)
    with store.reader(settings) as con:
        rep = con.execute("select rep from locations where location_id = 'D07'").fetchone()[0]
        has_rep_user = con.execute(
            "select count(*) from users where username = 'bench-r'"
        ).fetchone()[0]
    if not has_rep_user:  # networks built before the Reps page was measured lack it
        users.add_user(
            settings, "bench-r", "bench-password", role="rep", scope=rep, display_name="Bench rep"
        )
    with store.reader(settings) as con:
        info = {
            "rep": rep,
            "locations": con.execute("select count(*) from locations").fetchone()[0],
            "stock_rows": con.execute("select count(*) from stock").fetchone()[0],
            "style_health_rows": con.execute("select count(*) from style_health").fetchone()[0],
            "actions": con.execute("select count(*) from actions").fetchone()[0],
            "follow_lines": con.execute("select count(*) from follow_through").fetchone()[0],
            "stuck": con.execute("select count(*) from stuck").fetchone()[0],
            # styles for the Styles page: those stuck at some distributor first (the chance
            # figures mark them), then the rest of the catalogue
            "styles": [
                st
                for (st,) in con.execute(
                    "select p.style from (select distinct style from products) as p"
                    " left join (select style, count(*) as n from stuck group by style) as s"
                    " using (style) order by coalesce(s.n, 0) desc, p.style limit 16"
                ).fetchall()
            ],
            "months": [
                m
                for (m,) in con.execute(
                    "select strftime(month, '%Y-%m') from classify_runs order by 1"
                ).fetchall()
            ],
            "build_s": float(marker.read_text()),
            # three stores of every distributor that counted the last month, for the location page
            "stores": [
                loc
                for (loc,) in con.execute(
                    "select location_id from compliance"
                    " where month = (select max(month) from compliance) and kind = 'store'"
                    " and status <> 'no_count'"
                    " qualify row_number() over (partition by distributor_id order by location_id)"
                    " in (2, 5, 9) order by distributor_id, location_id"
                ).fetchall()
            ],
            "style": con.execute(
                "select style from bestsellers where month = (select max(month) from bestsellers)"
                " order by rank limit 1"
            ).fetchone()[0],
        }
    return settings, info


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(settings: Settings, port: int) -> subprocess.Popen[bytes]:
    code = (
        "import sys; from pathlib import Path; from assortment.config import Settings; "
        "from dashboard.server import serve; "
        "serve(Settings(db_path=Path(sys.argv[1])), host='127.0.0.1', "
        "port=int(sys.argv[2]), threads=8)"
    )
    env = {**os.environ, "ASSORTMENT_SECRET_KEY": "bench", "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-c", code, str(settings.db_path), str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/login", timeout=2).status_code == 200:
                return proc
        except requests.ConnectionError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("the server did not start")


def sign_in(base: str, user: str) -> requests.Session:
    s = requests.Session()
    token = re.search(r'name="csrf_token" value="([^"]+)"', s.get(base + "/login").text).group(1)  # type: ignore[union-attr]
    r = s.post(
        base + "/login",
        data={"username": user, "password": "bench-password", "csrf_token": token},
        allow_redirects=False,
    )
    assert r.status_code == 302, r.text[:300]
    s.get(base + "/")
    s.headers["X-CSRFToken"] = s.cookies["_csrf_token"]
    return s


_TICK_MS = 1000 / os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str]:
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def cpu_ms(pid: int) -> float:
    """User + system CPU time so far of process ``pid`` and its child processes (gunicorn's
    master and its worker; every thread, DuckDB's included)."""
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = _stat(int(entry.name))
        except OSError:
            continue  # ended meanwhile
        if int(entry.name) == pid or int(fields[1]) == pid:
            total += int(fields[11]) + int(fields[12])
    return total * _TICK_MS


class Client:
    """Times requests against the server; one at a time, so the server's CPU between two
    answers is the cost of the one request."""

    def __init__(self, base: str, pid: int) -> None:
        self.base, self.pid = base, pid

    def timed(self, s: requests.Session, body: dict[str, Any]) -> tuple[float, float]:
        """Wall ms from the client and the server's CPU ms for one callback request."""
        c0 = cpu_ms(self.pid)
        t0 = time.perf_counter()
        r = s.post(self.base + "/_dash-update-component", json=body)
        ms = (time.perf_counter() - t0) * 1000
        assert r.status_code == 200, (r.status_code, r.text[:300])
        return ms, cpu_ms(self.pid) - c0


def overview_body(
    month: str, statuses: list[str] | None = None, by: str = "region"
) -> dict[str, Any]:
    return callback_body(
        [(ids.OV_KPIS, "children"), (ids.OV_STATUS_CHART, "figure"), (ids.OV_GRID, "rowData")],
        [
            (ids.OV_MONTH, "value", month),
            (ids.OV_REGION, "value", []),
            (ids.OV_GROUP, "value", []),
            (ids.OV_REP, "value", []),
            (ids.OV_STATUS, "value", statuses or []),
            (ids.OV_BY, "value", by),
        ],
    )


def trend_body(statuses: list[str] | None = None) -> dict[str, Any]:
    return callback_body(
        [(ids.OV_TREND, "figure")],
        [
            (ids.OV_REGION, "value", []),
            (ids.OV_GROUP, "value", []),
            (ids.OV_REP, "value", []),
            (ids.OV_STATUS, "value", statuses or []),
        ],
    )


def page_body(path: str) -> dict[str, Any]:
    return callback_body(
        [("_pages_content", "children"), ("_pages_store", "data")],
        [("_pages_location", "pathname", path), ("_pages_location", "search", "")],
    )


def location_bodies(month: str, loc: str, style: str) -> dict[str, dict[str, Any]]:
    state = [(ids.LOC_ID, "data", loc)]
    return {
        "summary + history": callback_body(
            [(ids.LOC_SUMMARY, "children"), (ids.LOC_HISTORY, "figure")],
            [(ids.LOC_MONTH, "value", month)],
            state,
        ),
        "styles + sell-through": callback_body(
            [
                (ids.LOC_STYLES_GRID, "rowData"),
                (ids.LOC_SELL_THROUGH, "figure"),
                (ids.LOC_SIZE_STYLE, "options"),
                (ids.LOC_SIZE_STYLE, "value"),
            ],
            [(ids.LOC_MONTH, "value", month)],
            [*state, (ids.LOC_SIZE_STYLE, "value", None)],
        ),
        "actions": callback_body(
            [
                (ids.LOC_VISIT, "children"),
                (ids.LOC_ACTIONS_NOTE, "children"),
                (ids.LOC_ACTIONS_BOX, "hidden"),
            ],
            [(ids.LOC_MONTH, "value", month)],
            state,
        ),
        "follow-through + change": callback_body(
            [(ids.LOC_FOLLOW, "children")],
            [(ids.LOC_MONTH, "value", month)],
            state,
        ),
        "size run": callback_body(
            [(ids.LOC_SIZE_RUN, "figure")],
            [(ids.LOC_SIZE_STYLE, "value", style)],
            [(ids.LOC_MONTH, "value", month), *state],
        ),
    }


def styles_bodies(month: str, style: str) -> dict[str, dict[str, Any]]:
    pick = [(ids.ST_PICK, "value", style), (ids.ST_MONTH, "value", month)]
    return {
        "bestsellers + new styles with coverage": callback_body(
            [(ids.ST_BEST_GRID, "rowData"), (ids.ST_NEW_GRID, "rowData")],
            [(ids.ST_MONTH, "value", month)],
        ),
        "locations lacking the style": callback_body(
            [
                (ids.ST_LACKING_TITLE, "children"),
                (ids.ST_LACKING_GRID, "rowData"),
                (ids.ST_LACKING_BOX, "hidden"),
                (ids.ST_LACKING_NOTE, "children"),
            ],
            pick,
        ),
        "the style's sales by region": callback_body(
            [(ids.ST_REGIONS_TITLE, "children"), (ids.ST_REGIONS, "figure")], pick
        ),
        "where the style had its chance (regions + groups)": callback_body(
            [
                (ids.ST_CHANCE_TITLE, "children"),
                (ids.ST_CHANCE_REGIONS, "figure"),
                (ids.ST_CHANCE_GROUPS, "figure"),
            ],
            pick,
        ),
        "new styles: starving / not selling / selling": callback_body(
            [(ids.ST_NEW_CHANCES, "figure")], [(ids.ST_MONTH, "value", month)]
        ),
    }


def reps_body(month: str) -> dict[str, Any]:
    return callback_body(
        [(ids.REPS_TABLE, "children"), (ids.REPS_TREND, "figure")],
        [(ids.REPS_MONTH, "value", month)],
    )


Timing = tuple[float, float]  # wall ms (client), server CPU ms
Row = tuple[str, str, list[Timing], list[Timing]]


def median(xs: list[float]) -> float:
    return statistics.median(xs)


Visit = tuple[str, dict[str, dict[str, Any]], requests.Session]  # path, callbacks, user


def page_rows(
    page: str, cold_visits: list[Visit], warm_visit: Visit, client: Client, repeat: int
) -> list[Row]:
    """A page's layout and callbacks, one after another, as a browser opens it: each of
    ``cold_visits`` once (new parameters), then ``warm_visit`` ``repeat`` times. One row per
    callback and one for the whole page."""
    whole = "**whole page, all calls one after another**"
    out: list[dict[str, list[Timing]]] = []
    for visits in (cold_visits, [warm_visit] * repeat):
        per: dict[str, list[Timing]] = {}
        for path, bodies, session in visits:
            total_ms, total_cpu = client.timed(session, page_body(path))
            per.setdefault("page layout", []).append((total_ms, total_cpu))
            for name, body in bodies.items():
                ms, cpu = client.timed(session, body)
                per.setdefault(name, []).append((ms, cpu))
                total_ms, total_cpu = total_ms + ms, total_cpu + cpu
            per.setdefault(whole, []).append((total_ms, total_cpu))
        out.append(per)
    return [(page, name, out[0][name], out[1][name]) for name in out[0]]


def run(repeat: int, rebuild: bool, port: int) -> str:
    settings, info = build_network(rebuild)
    load_before = os.getloadavg()
    months = info["months"]
    latest = months[-1]
    back = list(reversed(months))
    port = port or free_port()
    proc = start_server(settings, port)
    base = f"http://127.0.0.1:{port}"
    client = Client(base, proc.pid)
    timed = client.timed
    try:
        admin = sign_in(base, "bench")
        dist = sign_in(base, "bench-d")
        rep = sign_in(base, "bench-r")
        rows: list[Row] = []
        # warm the process up (imports, plotly's validators) with another user's pages, so
        # that "cold" below means a cache miss, not the first request the process ever saw
        for path in ("/", "/styles", "/upload", "/location/D07-S001", "/reps"):
            timed(dist, page_body(path))

        # overview: a cold call per month (new parameters), then repeats of the same call
        cold = [timed(admin, overview_body(m)) for m in back][:repeat]
        warm = [timed(admin, overview_body(latest)) for _ in range(repeat)]
        rows.append(("overview", "KPIs + status chart + table (2,000 rows)", cold, warm))
        cold = [timed(admin, overview_body(m, by="rep")) for m in back][:repeat]
        warm = [timed(admin, overview_body(latest, by="rep")) for _ in range(repeat)]
        rows.append(("overview", "same, grouped by rep", cold, warm))
        combos = [
            [],
            ["fail"],
            ["warn"],
            ["pass"],
            ["no_count"],
            ["fail", "warn"],
            ["pass", "warn"],
            ["fail", "no_count"],
            ["pass", "fail"],
            ["warn", "no_count"],
            ["pass", "no_count"],
            ["fail", "warn", "no_count"],
            ["pass", "warn", "no_count"],
            ["pass", "fail", "no_count"],
            ["pass", "fail", "warn"],
        ]
        cold = [timed(admin, trend_body(c)) for c in combos][:repeat]
        warm = [timed(admin, trend_body()) for _ in range(repeat)]
        rows.append(("overview", f"trend over {len(months)} months", cold, warm))
        page_cold = [timed(admin, page_body("/"))]
        page_warm = [timed(admin, page_body("/")) for _ in range(repeat)]
        rows.append(
            ("overview", "page layout (filters from 2,000 locations)", page_cold, page_warm)
        )
        cold = [timed(dist, overview_body(m)) for m in back][:repeat]
        warm = [timed(dist, overview_body(latest)) for _ in range(repeat)]
        rows.append(("overview (distributor)", "KPIs + chart + table (its own group)", cold, warm))

        # a location page: layout + its callbacks; different stores (cold), one again (warm)
        stores = info["stores"][: max(repeat, 5)]
        style = info["style"]
        rows += page_rows(
            "location",
            [(f"/location/{loc}", location_bodies(latest, loc, style), admin) for loc in stores],
            (f"/location/{stores[0]}", location_bodies(latest, stores[0], style), admin),
            client,
            repeat,
        )

        # the Styles page: different styles and months (cold), then one again (warm)
        styles = info["styles"]
        for who, session in (("admin", admin), ("distributor", dist)):
            cold_sets = [
                ("/styles", styles_bodies(m, st), session)
                for st, m in zip(styles, [*back] * 2, strict=False)
            ][:repeat]
            rows += page_rows(
                f"styles ({who})",
                cold_sets,
                ("/styles", styles_bodies(latest, styles[0]), session),
                client,
                repeat,
            )

        # the Reps page: the scorecard over 12 months; an admin sees every rep, a rep their own
        for who, session in (("admin: every rep", admin), ("rep: own scorecard", rep)):
            card = "scorecard table + heat map"
            rows += page_rows(
                f"reps ({who})",
                [("/reps", {card: reps_body(m)}, session) for m in back][:repeat],
                ("/reps", {card: reps_body(latest)}, session),
                client,
                repeat,
            )
    finally:
        proc.terminate()
        proc.wait(timeout=10)

    lines = [
        "## Dashboard",
        "",
        f"`make bench-dashboard` on {machine()}; {date.today().isoformat()}.",
        f"Network: {info['locations']:,} locations ({DISTRIBUTORS} distributors, {STORES:,} "
        f"stores; `assortment.sample`, seed 7), {STYLES} styles, {len(months)} classified months; "
        f"{info['stock_rows']:,} stock rows, "
        f"{info['style_health_rows']:,} style_health rows, {info['actions']:,} action lines, "
        f"{info['follow_lines']:,} follow-through lines, {info['stuck']:,} stuck pairs "
        f"(generated, loaded and classified by the real job in {info['build_s']:.0f} s).",
        "Server: `dashboard.server.serve` (gunicorn, 1 worker x 8 threads) in a subprocess; requests are the "
        "`/_dash-update-component` POSTs a browser sends (signed in, CSRF header), one at a time, "
        "timed from the client over loopback. *Cold* = first request for its parameters (the "
        "per-snapshot cache misses: other months, filters, stores or styles); *warm* = the same "
        "request repeated. *CPU* = the server process's CPU time per request (all threads, "
        "DuckDB's included; master and worker; mean, from `/proc/<pid>/stat`, 10 ms ticks). Medians of "
        f"{repeat} requests (a page layout: one cold request). Users: `bench` (admin), "
        f"`bench-d` (distributor D07: its own group, other groups as one anonymous "
        f'"elsewhere"), `bench-r` (rep {info["rep"]}).',
        f"Target: under {TARGET_MS} ms median, cold. Load average (1, 5, 15 min) before the run: "
        f"{load_before[0]:.1f}, {load_before[1]:.1f}, {load_before[2]:.1f}; after: "
        + ", ".join(f"{x:.1f}" for x in os.getloadavg())
        + " (2 cores shared with other work: figures are noisy).",
        "",
        "| page | callback | cold median ms | cold max ms | cold CPU ms | warm median ms "
        "| warm CPU ms | meets target (cold) |",
        "|---|---|---:|---:|---:|---:|---:|---|",
    ]
    for page, what, cold_t, warm_t in rows:
        cold_ms = [w for w, _ in cold_t]
        ok = "yes" if median(cold_ms) < TARGET_MS else "**no**"
        lines.append(
            f"| {page} | {what} | {median(cold_ms):.0f} | {max(cold_ms):.0f} "
            f"| {statistics.mean(c for _, c in cold_t):.0f} "
            f"| {median([w for w, _ in warm_t]):.0f} "
            f"| {statistics.mean(c for _, c in warm_t):.0f} | {ok} |"
        )
    lines += ["", NOTES]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--port", type=int, default=0, help="server port (default: a free one)")
    parser.add_argument(
        "--rebuild", action="store_true", help="rebuild the 2,000-location database"
    )
    parser.add_argument(
        "--no-write", action="store_true", help="print only; leave BENCHMARKS.md alone"
    )
    args = parser.parse_args()
    section = run(args.repeat, args.rebuild, args.port)
    print(section)
    if not args.no_write:
        write_section(section)


if __name__ == "__main__":
    main()
