"""Dashboard responsiveness with 2,000 locations: callback latencies against the running server.

Builds (once, cached in bench_data/dashboard/) a network of 40 distributors and 1,960 stores
with the sample generator, loaded through the project's loaders and classified by the real job
(tests/e2e/network.py, the same builder as the browser tests), starts `dashboard.server.serve` (waitress) in a subprocess, signs in
over HTTP and times the callbacks a browser fires, as a browser sends them. Writes the
"## Dashboard" section of BENCHMARKS.md.

    .venv/bin/python benchmarks/bench_dashboard.py [--rebuild] [--repeat 15]
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
    from assortment import store

    with store.reader(settings) as con:
        info = {
            "locations": con.execute("select count(*) from locations").fetchone()[0],
            "stock_rows": con.execute("select count(*) from stock").fetchone()[0],
            "style_health_rows": con.execute("select count(*) from style_health").fetchone()[0],
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


def timed(s: requests.Session, base: str, body: dict[str, Any]) -> float:
    t0 = time.perf_counter()
    r = s.post(base + "/_dash-update-component", json=body)
    ms = (time.perf_counter() - t0) * 1000
    assert r.status_code == 200, (r.status_code, r.text[:300])
    return ms


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
    return {
        "where the style had its chance (regions + groups)": callback_body(
            [
                (ids.ST_CHANCE_TITLE, "children"),
                (ids.ST_CHANCE_REGIONS, "figure"),
                (ids.ST_CHANCE_GROUPS, "figure"),
            ],
            [(ids.ST_PICK, "value", style), (ids.ST_MONTH, "value", month)],
        ),
        "new styles: starving / not selling / selling": callback_body(
            [(ids.ST_NEW_CHANCES, "figure")], [(ids.ST_MONTH, "value", month)]
        ),
    }


def median(xs: list[float]) -> float:
    return statistics.median(xs)


def run(repeat: int, rebuild: bool) -> str:
    settings, info = build_network(rebuild)
    load_before = os.getloadavg()[0]
    months = info["months"]
    latest = months[-1]
    port = free_port()
    proc = start_server(settings, port)
    base = f"http://127.0.0.1:{port}"
    try:
        admin = sign_in(base, "bench")
        dist = sign_in(base, "bench-d")
        rows: list[tuple[str, str, list[float], list[float]]] = []
        # warm the process up (imports, plotly's validators) with another user's pages, so
        # that "cold" below means a cache miss, not the first request the process ever saw
        for path in ("/", "/styles", "/upload", "/location/D07-S001"):
            timed(dist, base, page_body(path))

        # overview: a cold call per month (new parameters), then repeats of the same call
        cold = [timed(admin, base, overview_body(m)) for m in reversed(months)][:repeat]
        warm = [timed(admin, base, overview_body(latest)) for _ in range(repeat)]
        rows.append(("overview", "KPIs + status chart + table (2,000 rows)", cold, warm))
        by_rep_cold = [timed(admin, base, overview_body(m, by="rep")) for m in reversed(months)][
            :repeat
        ]
        rows.append(
            (
                "overview",
                "same, grouped by rep",
                by_rep_cold,
                [timed(admin, base, overview_body(latest, by="rep")) for _ in range(repeat)],
            )
        )
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
        cold = [timed(admin, base, trend_body(c)) for c in combos][:repeat]
        warm = [timed(admin, base, trend_body()) for _ in range(repeat)]
        rows.append(("overview", f"trend over {len(months)} months", cold, warm))
        page_cold = [timed(admin, base, page_body("/"))]
        page_warm = [timed(admin, base, page_body("/")) for _ in range(repeat)]
        rows.append(
            ("overview", "page layout (filters from 2,000 locations)", page_cold, page_warm)
        )

        # a location page: layout + its four callbacks; different stores (cold), one again (warm)
        stores = info["stores"][: max(repeat, 5)]
        style = info["style"]
        loc_cold: dict[str, list[float]] = {}
        loc_warm: dict[str, list[float]] = {}
        totals_cold, totals_warm = [], []
        for loc in stores:
            total = timed(admin, base, page_body(f"/location/{loc}"))
            loc_cold.setdefault("page layout", []).append(total)
            for name, body in location_bodies(latest, loc, style).items():
                ms = timed(admin, base, body)
                loc_cold.setdefault(name, []).append(ms)
                total += ms
            totals_cold.append(total)
        for _ in range(repeat):
            loc = stores[0]
            total = timed(admin, base, page_body(f"/location/{loc}"))
            loc_warm.setdefault("page layout", []).append(total)
            for name, body in location_bodies(latest, loc, style).items():
                ms = timed(admin, base, body)
                loc_warm.setdefault(name, []).append(ms)
                total += ms
            totals_warm.append(total)
        for name in loc_cold:
            rows.append(("location", name, loc_cold[name], loc_warm[name]))
        rows.append(
            ("location", "**whole page, all calls one after another**", totals_cold, totals_warm)
        )

        # the styles page: where a style had its chance, for different styles / months (cold)
        styles = [f"B{1001 + i}" for i in range(8)] + [f"P{2001 + i}" for i in range(8)]
        for who, session in (("", admin), (" (distributor)", dist)):
            for name in styles_bodies(latest, styles[0]):
                cold = [
                    timed(session, base, styles_bodies(m, st)[name])
                    for st, m in zip(styles, [*reversed(months)] * 2, strict=False)
                ][:repeat]
                warm = [
                    timed(session, base, styles_bodies(latest, styles[0])[name])
                    for _ in range(repeat)
                ]
                rows.append((f"styles{who}", name, cold, warm))
        rows.append(
            (
                "styles",
                "page layout",
                [timed(admin, base, page_body("/styles"))],
                [timed(admin, base, page_body("/styles")) for _ in range(repeat)],
            )
        )

        # the Reps page: layout + the scorecard over 12 months (admin: every rep)
        reps_body = callback_body(
            [(ids.REPS_TABLE, "children"), (ids.REPS_TREND, "figure")],
            [(ids.REPS_MONTH, "value", latest)],
        )
        cold = [
            timed(
                admin,
                base,
                callback_body(
                    [(ids.REPS_TABLE, "children"), (ids.REPS_TREND, "figure")],
                    [(ids.REPS_MONTH, "value", m)],
                ),
            )
            for m in reversed(months)
        ][:repeat]
        warm = [timed(admin, base, reps_body) for _ in range(repeat)]
        rows.append(("reps", "scorecard table + grid (12 months, every rep)", cold, warm))
        rows.append(
            (
                "reps",
                "page layout",
                [timed(admin, base, page_body("/reps"))],
                [timed(admin, base, page_body("/reps")) for _ in range(repeat)],
            )
        )

        # a distributor's overview (its own group)
        cold = [timed(dist, base, overview_body(m)) for m in reversed(months)][:repeat]
        warm = [timed(dist, base, overview_body(latest)) for _ in range(repeat)]
        rows.append(("overview (distributor)", "KPIs + chart + table (its own group)", cold, warm))
    finally:
        proc.terminate()
        proc.wait(timeout=10)

    lines = [
        "## Dashboard",
        "",
        f"`.venv/bin/python benchmarks/bench_dashboard.py` on {machine()}; {date.today().isoformat()}.",
        f"Network: {info['locations']:,} locations ({DISTRIBUTORS} distributors, {STORES:,} "
        f"stores; `assortment.sample`, seed 7), {STYLES} styles, {len(months)} classified months; "
        f"{info['stock_rows']:,} stock rows, "
        f"{info['style_health_rows']:,} style_health rows (generated, loaded and classified by "
        f"the real job in {info['build_s']:.0f} s).",
        "Server: `dashboard.server.serve` (waitress, 8 threads) in a subprocess; requests are the "
        "`/_dash-update-component` POSTs a browser sends (signed in, CSRF header), timed from the "
        "client over loopback. *Cold* = first request for its parameters (the per-snapshot cache "
        "misses; different months, filters or stores); *warm* = the same request repeated. "
        "Medians of "
        f"{repeat} requests (the page layout of the overview: one cold request).",
        f"Target: under {TARGET_MS} ms median. Load average before the run: {load_before:.1f} "
        "(other work may share the machine).",
        "",
        "| page | callback | cold median ms | cold max ms | warm median ms | meets target (cold) |",
        "|---|---|---:|---:|---:|---|",
    ]
    for page, what, cold_ms, warm_ms in rows:
        ok = "yes" if median(cold_ms) < TARGET_MS else "**no**"
        cold_med, cold_max, warm_med = median(cold_ms), max(cold_ms), median(warm_ms)
        lines.append(
            f"| {page} | {what} | {cold_med:.0f} | {cold_max:.0f} | {warm_med:.0f} | {ok} |"
        )
    lines.append("")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument(
        "--rebuild", action="store_true", help="rebuild the 2,000-location database"
    )
    parser.add_argument(
        "--no-write", action="store_true", help="print only; leave BENCHMARKS.md alone"
    )
    args = parser.parse_args()
    section = run(args.repeat, args.rebuild)
    print(section)
    if not args.no_write:
        write_section(section)


if __name__ == "__main__":
    main()
