"""Time the whole monthly batch (`assortment monthly`) on the 2,000-store benchmark network.

The database is the classification benchmark's full network (bench_data/full: 50 distributors,
2,000 stores, about 4,000 SKUs, 6 months of dense counts) when it has been built; else
``--db``/``ASSORTMENT_BENCH_DB``; else one is built here in bench_data/monthly/ with
``assortment.sample.generate(..., dense=True)`` (the same network, 6 months), loaded month by
month with ``load_frame``.

The database is copied to a temporary folder first (not timed), so the benchmark never writes
into another benchmark's data. Then the command's own function runs twice, timed end to end:

* first run: classify the latest month and the previous one (not classified yet in the copy),
  read the results from a snapshot, write HTML, PDF and Excel for the network, every region and
  every rep in English and Chinese, and summary.json, then move the folder into place;
* re-run: the same (the previous month is now classified), replacing the folder; every file
  must come out byte for byte the same.

Prints the figures and replaces the "## Monthly batch" section of BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import duckdb
from common import machine, write_section  # noqa: E402  (benchmarks/ is on sys.path)

from assortment import store
from assortment.config import Settings

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "bench_data"
OWN_DIR = BENCH_DIR / "monthly"
PARAMS = {"seed": 11, "distributors": 50, "stores": 2_000, "styles": 200, "months": 6}
BUDGET_S = 180.0
SECTION = "## Monthly batch"


def n_stores(db: Path) -> int:
    """Stores in a database file (0 when it cannot be read)."""
    try:
        with duckdb.connect(str(db), read_only=True) as con:
            sql = "select count(*) from locations where kind = 'store'"
            return int(con.execute(sql).fetchall()[0][0])
    except duckdb.Error:
        return 0


def find_db() -> Path | None:
    """A finished benchmark database with at least 2,000 stores under bench_data/, if any."""
    for folder in (BENCH_DIR / "full", OWN_DIR):
        db = folder / "assortment.duckdb"
        if (folder / "built.json").exists() and db.exists() and n_stores(db) >= PARAMS["stores"]:
            return db
    return None


def build(folder: Path) -> Path:
    """Build the 2,000-store network with dense month-end counts, month by month."""
    from assortment.sample import generate, load_network

    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    t0 = time.perf_counter()
    net = generate(**PARAMS, colours_per_style=(2, 2), dense=True)
    settings = Settings(db_path=folder / "assortment.duckdb")
    load_network(
        net,
        settings,
        folder=folder,
        on_month=lambda month, *_: print(
            f"  loaded {month} ({time.perf_counter() - t0:.0f} s)", flush=True
        ),
    )
    (folder / "built.json").write_text(json.dumps({"params": PARAMS}))
    print(f"built {settings.db_path} in {time.perf_counter() - t0:.0f} s", flush=True)
    return settings.db_path


def network_figures(db: Path) -> dict[str, int]:
    with duckdb.connect(str(db), read_only=True) as con:
        row = con.execute(
            "select (select count(*) from locations where kind = 'distributor'),"
            " (select count(*) from locations where kind = 'store'),"
            " (select count(*) from products),"
            " (select count(*) from stock where month = (select max(month) from stock))"
        ).fetchall()[0]
    return dict(
        zip(("distributors", "stores", "skus", "stock_rows_month"), map(int, row), strict=True)
    )


def previous_month_unclassified(db: Path) -> bool:
    """Whether the first run will classify the previous month too (for the trend)."""
    with duckdb.connect(str(db), read_only=True) as con:
        sql = (
            "select count(*) from classify_runs"
            " where month = (select max(month) from stock_summary) - interval 1 month"
        )
        return int(con.execute(sql).fetchall()[0][0]) == 0


def timed_run(settings: Settings, out: Path) -> tuple[float, object]:
    from assortment.report import run_monthly
    from assortment.report.progress import Progress

    t0 = time.perf_counter()
    with Progress("  monthly", bar=False) as progress:
        result = run_monthly(settings, out=out, lang="both", progress=progress)
    return time.perf_counter() - t0, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=os.environ.get("ASSORTMENT_BENCH_DB"))
    parser.add_argument("--build-only", action="store_true", help="build the network and stop")
    parser.add_argument("--no-write", action="store_true", help="do not update BENCHMARKS.md")
    args = parser.parse_args()
    db = args.db or find_db() or build(OWN_DIR)
    if args.build_only:
        return
    figures = network_figures(db)
    print(f"database: {db} ({figures['stores']:,} stores, {figures['skus']:,} SKUs)", flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-monthly-") as tmp:
        settings = Settings(db_path=Path(tmp) / "db" / "assortment.duckdb")
        settings.data_dir.mkdir()
        shutil.copyfile(db, settings.db_path)
        with store.writer(settings):  # publish a snapshot of the copy (not timed)
            pass
        redo_prev = previous_month_unclassified(settings.db_path)
        load = os.getloadavg()[0]
        out = Path(tmp) / "reports"
        first_s, first = timed_run(settings, out)
        summary_1 = (first.folder / "summary.json").read_bytes()
        again_s, again = timed_run(settings, out)
        same = (
            again.folder / "summary.json"
        ).read_bytes() == summary_1  # holds every file's sha256
        n_files = len(first.files)
        size_mb = sum(p.stat().st_size for p in again.folder.rglob("*") if p.is_file()) / 2**20
        counts = ", ".join(f"{k} {v:,}" for k, v in first.status_counts.items())
    ok = max(first_s, again_s) <= BUDGET_S
    print(
        f"first run {first_s:.1f} s, re-run {again_s:.1f} s; {n_files} files, {size_mb:.0f} MB;"
        f" identical re-run: {same}; within {BUDGET_S:.0f} s: {ok}"
    )
    where = db.relative_to(ROOT) if db.is_relative_to(ROOT) else db
    first_label = "first run" + (" (also classifies the previous month)" if redo_prev else "")
    lines = [
        SECTION,
        "",
        f"`.venv/bin/python benchmarks/bench_monthly.py` on {machine()}, "
        f"Python {platform.python_version()}; {date.today().isoformat()}; load average before "
        f"the runs {load:.1f} (other work shares the machine).",
        f"Network: {figures['distributors']} distributors, {figures['stores']:,} stores, "
        f"{figures['skus']:,} SKUs, {figures['stock_rows_month']:,} stock rows in the month "
        f"(`{where}`, copied first).",
        'Timed end to end: `run_monthly(settings, out=..., lang="both")`, which is what '
        "`assortment monthly --lang both` runs: classify the month, read the results from a "
        "snapshot, write the network, each region and each rep as HTML + PDF in English and "
        "Chinese, each rep's and the network's workbook and summary.json, move the folder into "
        "place.",
        "",
        "| run | seconds | files | MB | locations | same bytes as the first run |",
        "|---|---:|---:|---:|---|---|",
        f"| {first_label} | {first_s:.1f} | {n_files} | {size_mb:.0f} | {counts} | - |",
        f"| re-run | {again_s:.1f} | {n_files} | {size_mb:.0f} | {counts} | "
        f"{'yes' if same else 'NO'} |",
        "",
        f"Budget: {BUDGET_S:.0f} s ({'met' if ok else 'MISSED'}). One Chromium for the whole run: "
        "each report's figures are rendered once, as SVG, in a tab that keeps plotly.js loaded; "
        "pages are printed in two tabs while Python writes the next report and the workbooks.",
    ]
    text = "\n".join(lines) + "\n"
    if not args.no_write:
        write_section(text)
    sys.exit(0 if ok and same else 1)


if __name__ == "__main__":
    main()
