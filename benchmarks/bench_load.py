"""Loading benchmark: `assortment load stock` / `load sales` of a whole 2,000-store month vs DuckDB.

The network is the classification benchmark's full one (the sample generator: 50 distributors,
2,000 stores, 200 styles x 2 colours x ~10 sizes = 3,960 SKUs, dense month-end counts, seed 11).
Built once and cached in ``bench_data/load/``:

* ``base/``: a store holding products, locations and the two months before the month timed
  (loaded through the project's own loaders), published;
* ``stock_<M>.csv``: the whole month's count as one file, every (store, SKU) pair, zeros
  included (about 7.9 million rows), and ``sales_<M>.csv``: the month's sales (units > 0, with
  amount), both as a distributor's export writes them: UTF-8, English headers, ``\\n`` endings.

Timed end to end, each run a fresh process on a fresh copy of ``base/`` (the copy is not timed):

* ``assortment --db COPY load stock FILE`` (and ``load sales``): read, decode, validate every
  row, the completeness guard against the stored counts, archive the raw file, one
  transaction, checkpoint and publish the read snapshot (a byte copy of the master);
* the floor: ``python -c 'duckdb.connect(NEW).execute("create table t as select * from
  read_csv(FILE)"); checkpoint'`` in a fresh process: DuckDB's own CSV reader with its own type
  detection into a table of a new database, no validation.

Runs are interleaved (floor, stock, floor, sales, ...) so that both see the same machine load;
medians are reported with the load average. ``--profile`` also runs the stock load in-process
once and prints where its time goes (phases timed with ``ASSORTMENT_TIMING=1``).

Usage: python benchmarks/bench_load.py [--runs 3] [--no-write]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from common import machine, write_section  # noqa: E402  (benchmarks/ is on sys.path)

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BENCH_DIR = ROOT / "bench_data" / "load"
PARAMS = {
    "distributors": 50,
    "stores": 2000,
    "styles": 200,
    "months": 3,
    "end_month": "2026-10",
    "seed": 11,
    "format": "csv-utf8-v1",
}
PYTHON = sys.executable

FLOOR = """
import sys, duckdb
con = duckdb.connect(sys.argv[2])
con.execute("set enable_progress_bar = false")
con.execute("create table t as select * from read_csv(?)", [sys.argv[1]])
n = con.execute("select count(*) from t").fetchone()[0]
con.execute("checkpoint")
con.close()
print(n)
"""


def build() -> dict[str, object]:
    """Generate the network and its month files unless bench_data/load/ already holds them."""
    marker = BENCH_DIR / "built.json"
    if marker.exists() and json.loads(marker.read_text()).get("params") == PARAMS:
        return json.loads(marker.read_text())
    from assortment import store
    from assortment.config import Settings
    from assortment.ingest import load_file, load_frame
    from assortment.sample import generate

    shutil.rmtree(BENCH_DIR, ignore_errors=True)
    BENCH_DIR.mkdir(parents=True)
    t0 = time.perf_counter()
    net = generate(
        seed=int(PARAMS["seed"]),
        distributors=int(PARAMS["distributors"]),
        stores=int(PARAMS["stores"]),
        styles=int(PARAMS["styles"]),
        months=int(PARAMS["months"]),
        end_month=str(PARAMS["end_month"]),
        colours_per_style=(2, 2),
        dense=True,
    )
    settings = Settings(db_path=BENCH_DIR / "base" / "assortment.duckdb")
    store.init(settings)
    with store.writer(settings) as con:
        for kind, frame in (("products", net.products), ("locations", net.locations)):
            path = BENCH_DIR / f"{kind}.csv"
            frame.write_csv(path)
            load_file(con, settings, kind, path)
        for month in net.months[:-1]:
            load_frame(con, "stock", net.stock(month), file_name=f"stock_{month}")
            load_frame(con, "sales", net.sales(month), file_name=f"sales_{month}")
            print(f"  base: loaded {month}", flush=True)
    month = net.months[-1]
    files = {}
    for kind, frame in (("stock", net.stock(month)), ("sales", net.sales(month))):
        path = BENCH_DIR / f"{kind}_{month}.csv"
        frame.write_csv(path)
        files[kind] = {"path": path.name, "rows": frame.height, "mb": path.stat().st_size / 1e6}
    info = {
        "params": PARAMS,
        "month": month,
        "files": files,
        "skus": net.products.height,
        "locations": net.locations.height,
        "base_months": net.months[:-1],
        "build_seconds": time.perf_counter() - t0,
    }
    marker.write_text(json.dumps(info, indent=1))
    return info


def fresh_store(tmp: Path) -> Path:
    """A copy of the base store (master, snapshots, archive) in ``tmp``; returns the master."""
    target = tmp / "store"
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(BENCH_DIR / "base", target)
    return target / "assortment.duckdb"


def run_cli(kind: str, file: Path, tmp: Path) -> tuple[float, str]:
    db = fresh_store(tmp)
    env = dict(os.environ, ASSORTMENT_DB=str(db), ASSORTMENT_TIMING="1")
    t0 = time.perf_counter()
    proc = subprocess.run(
        [PYTHON, "-m", "assortment", "load", kind, str(file)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp,
    )
    elapsed = time.perf_counter() - t0
    if proc.returncode != 0 or ": loaded" not in proc.stdout:
        raise SystemExit(f"load {kind} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    steps = [line.split()[1:] for line in proc.stderr.splitlines() if line.startswith("timing ")]
    rest = elapsed - sum(float(sec) for _, sec in steps)
    where = ", ".join(f"{name} {float(sec):.2f}" for name, sec in steps)
    return elapsed, f"{where}, start/imports/other {rest:.2f} (s)"


def run_floor(file: Path, tmp: Path, rows: int) -> float:
    db = tmp / "floor.duckdb"
    db.unlink(missing_ok=True)
    t0 = time.perf_counter()
    proc = subprocess.run(
        [PYTHON, "-c", FLOOR, str(file), str(db)], capture_output=True, text=True, cwd=tmp
    )
    elapsed = time.perf_counter() - t0
    if proc.returncode != 0 or int(proc.stdout.strip()) != rows:
        raise SystemExit(f"floor failed: {proc.stdout}\n{proc.stderr}")
    db.unlink(missing_ok=True)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--kinds", default="stock,sales")
    parser.add_argument("--no-write", action="store_true", help="do not rewrite BENCHMARKS.md")
    args = parser.parse_args()
    info = build()
    files = info["files"]
    assert isinstance(files, dict)
    kinds = args.kinds.split(",")
    load_before = os.getloadavg()
    times: dict[str, dict[str, list[float]]] = {k: {"load": [], "floor": []} for k in kinds}
    phases: dict[str, str] = {}
    tmp = Path(tempfile.mkdtemp(prefix="bench_load_", dir=BENCH_DIR))
    try:
        for r in range(args.runs):
            for kind in kinds:
                path = BENCH_DIR / files[kind]["path"]
                fl = run_floor(path, tmp, files[kind]["rows"])
                ours, timing = run_cli(kind, path, tmp)
                times[kind]["floor"].append(fl)
                times[kind]["load"].append(ours)
                phases[kind] = timing
                print(
                    f"run {r + 1}: {kind}: load {ours:.2f} s, floor {fl:.2f} s,"
                    f" ratio {ours / fl:.2f}x  [{timing}]",
                    flush=True,
                )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    load_after = os.getloadavg()

    rows_md = []
    for kind in kinds:
        med, fmed = statistics.median(times[kind]["load"]), statistics.median(times[kind]["floor"])
        pairs = [a / b for a, b in zip(times[kind]["load"], times[kind]["floor"], strict=True)]
        worst = max(med / fmed, statistics.median(pairs))
        f = files[kind]
        rows_md.append(
            f"| {kind} | {f['rows']:,} | {f['mb']:.0f} | {med:.2f} | {fmed:.2f} | {med / fmed:.2f}x"
            f" | {', '.join(f'{r:.2f}x' for r in pairs)} ({statistics.median(pairs):.2f}x)"
            f" | {'yes' if worst < 3 else 'no'} |"
        )
        print(f"{kind}: median load {med:.2f} s, floor {fmed:.2f} s, ratio {med / fmed:.2f}x")
    where = "\n".join(f"- {k}: {phases.get(k, '')}" for k in kinds)
    text = f"""## Loading

`make bench-load` on {machine()}; {date.today().isoformat()}.
Load average (1 min) {load_before[0]:.1f} before the runs and {load_after[0]:.1f} after (other work shares the machine).
Network: {PARAMS["distributors"]} distributors, {PARAMS["stores"]:,} stores, {info["skus"]:,} SKUs (the sample generator, seed {PARAMS["seed"]});
the store already holds {", ".join(info["base_months"])} (stock and sales) and is copied fresh before each run.
Files: the whole month {info["month"]} as one CSV each, UTF-8, English headers (a dense count: every store x SKU, zeros included).

*load* = `assortment load KIND FILE` as a fresh process: read and decode, validate every row (each bad row
would be named with row, column and value), completeness guard, archive the raw file, one transaction that
replaces the month's slices, checkpoint, publish the read snapshot (a byte copy of the master).
*floor* = a fresh `python -c` process: `duckdb.connect(new)`, `create table t as select * from read_csv(FILE)`
(DuckDB's own type detection), checkpoint. Runs interleaved floor/load; medians of {args.runs}.

| file | rows | MB | load s | floor s | load / floor (medians) | each run's load / floor (median) | under 3x (both) |
|---|---:|---:|---:|---:|---:|---|---|
{chr(10).join(rows_md)}

Where the load's time went (last run, `ASSORTMENT_TIMING=1`):

{where}
"""
    if not args.no_write:
        write_section(text)
    print(text)


if __name__ == "__main__":
    main()
