"""Classification benchmark: `classify` for the last month vs the DuckDB floor.

Networks (built once with the sample generator, dense month-end counts, cached in bench_data/):
full = 50 distributors, 2,000 stores, 200 styles x 2 colours x ~10 sizes, 12 months
(about 100 million stock rows), plus 1/4 and 1/2 of it to show how time grows.

Timed, each in a fresh process (peak memory = that process's max RSS), median of 3:
* classify: read month M's inputs from DuckDB through Arrow, run the polars rules,
  write every result table back in one transaction (``assortment.job.run_month``);
* floor: one bare DuckDB query summing the window's stock and sales to (location, style): no
  engine can classify the month faster than it reads the month's window.

(A pandas copy of the rules used to be timed here too; it was a third copy of domain.md kept in
sync by hand, and was removed. The rules' independent check is tests/reference_rules.py.)

Usage: python benchmarks/bench_classify.py [--sizes quarter,half,full] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from common import machine, write_section  # noqa: E402  (benchmarks/ is on sys.path)

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BENCH_DIR = ROOT / "bench_data"
END_MONTH = "2026-10"
SIZES = {
    "quarter": (12, 500),
    "half": (25, 1000),
    "full": (50, 2000),
}
STYLES, MONTHS, SEED = 200, 12, 11

FLOOR_SQL = """
-- one row per location and style: stock and units over the window (the floor)
with stock_w as (
    select s.location_key, p.style, sum(s.on_hand) as on_hand
    from stock as s join products as p using (sku_key)
    where s.month between $start::date and $month::date
    group by s.location_key, p.style
),

sales_w as (
    select s.location_key, p.style, sum(s.units_sold) as units_sold
    from sales as s join products as p using (sku_key)
    where s.month between $start::date and $month::date
    group by s.location_key, p.style
)

select * from stock_w full join sales_w using (location_key, style)
"""


def _dir(size: str) -> Path:
    return BENCH_DIR / (size if MONTHS == 12 else f"{size}-{MONTHS}m")


def db_path(size: str) -> Path:
    return _dir(size) / "assortment.duckdb"


def build(size: str) -> dict[str, float]:
    """Generate and load the network of ``size`` unless bench_data/ already holds it."""
    from assortment.config import Settings
    from assortment.sample import generate, load_network

    distributors, stores = SIZES[size]
    marker = _dir(size) / "built.json"
    params = {
        "distributors": distributors,
        "stores": stores,
        "styles": STYLES,
        "months": MONTHS,
        "seed": SEED,
    }
    if marker.exists() and json.loads(marker.read_text()).get("params") == params:
        return json.loads(marker.read_text())["figures"]
    import shutil

    shutil.rmtree(_dir(size), ignore_errors=True)
    settings = Settings(db_path=db_path(size))
    t0 = time.perf_counter()
    net = generate(
        seed=SEED,
        distributors=distributors,
        stores=stores,
        styles=STYLES,
        months=MONTHS,
        end_month=END_MONTH,
        colours_per_style=(2, 2),
        dense=True,
    )
    n_stock, n_sales = load_network(
        net,
        settings,
        folder=_dir(size) / "masters",
        on_month=lambda month, n_st, n_sa: print(
            f"  [{size}] loaded {month}: {n_st:,} stock rows, {n_sa:,} sales rows", flush=True
        ),
    )
    seconds = time.perf_counter() - t0
    figures = {
        "stock_rows": n_stock,
        "sales_rows": n_sales,
        "skus": net.products.height,
        "locations": net.locations.height,
        "load_seconds": seconds,
        "db_mb": db_path(size).stat().st_size / 1e6,
    }
    marker.write_text(json.dumps({"params": params, "figures": figures}))
    return figures


# ---------------------------------------------------------------- the timed pieces (run in a child process)


def _child(kind: str, size: str) -> dict[str, float]:
    import duckdb

    from assortment.config import Rules
    from assortment.job import run_month
    from assortment.months import add as add_months
    from assortment.months import parse as parse_month

    rules = Rules.from_toml(None)
    month = parse_month(END_MONTH)
    t0 = time.perf_counter()
    out: dict[str, float] = {}
    if kind == "classify":
        con = duckdb.connect(str(db_path(size)))
        result = run_month(con, month, rules)
        con.close()
        out["pairs"] = result.n_pairs
    elif kind == "floor":
        con = duckdb.connect(str(db_path(size)), read_only=True)
        start = add_months(month, -(rules.lookback_months - 1))
        table = con.sql(FLOOR_SQL, params={"start": start, "month": month}).to_arrow_table()
        out["pairs"] = table.num_rows
        con.close()
    out["seconds"] = time.perf_counter() - t0
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def measure(kind: str, size: str) -> dict[str, float]:
    proc = subprocess.run(
        [sys.executable, __file__, "--child", kind, "--size", size, "--months", str(MONTHS)],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise SystemExit(f"{kind} on {size} failed:\n{proc.stderr[-3000:]}")
    if proc.stderr.strip():
        print(proc.stderr.strip(), file=sys.stderr)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="quarter,half,full")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--child")
    parser.add_argument("--size")
    parser.add_argument("--months", type=int, default=12, help="months of history (default 12)")
    args = parser.parse_args()
    global MONTHS
    MONTHS = args.months
    if args.child:
        print(json.dumps(_child(args.child, args.size)))
        return

    sizes = [s for s in args.sizes.split(",") if s]
    rows = []
    for size in sizes:
        print(f"[{size}] building network (cached in bench_data/)", flush=True)
        built = build(size)
        res: dict[str, list[dict[str, float]]] = {"classify": [], "floor": []}
        for i in range(args.runs):
            for kind in res:
                r = measure(kind, size)
                res[kind].append(r)
                print(
                    f"  [{size}] run {i + 1} {kind}: {r['seconds']:.2f} s, peak {r['peak_rss_mb']:,.0f} MB",
                    flush=True,
                )
        med = {k: statistics.median(x["seconds"] for x in v) for k, v in res.items() if v}
        peak = {k: max(x["peak_rss_mb"] for x in v) for k, v in res.items() if v}
        rows.append((size, built, med, peak))

    lines = [
        "## Classification",
        "",
        f"`make bench` on {machine()}; {date.today().isoformat()}.",
        "Medians of 3 runs, each in a fresh process (peak = that process's max RSS).",
        "classify = read month M's inputs from DuckDB via Arrow + polars rules + write all result tables;",
        "floor = one DuckDB query summing the 3-month window's stock and sales to (location, style).",
        "",
        "| network | stock rows | sales rows | classify s | floor s | classify / floor | classify peak MB |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for size, built, med, peak in rows:
        d, st = SIZES[size]
        cells = [
            f"{size}: {d} distributors, {st} stores, {built['skus']:,} SKUs",
            f"{built['stock_rows']:,}",
            f"{built['sales_rows']:,}",
            f"{med['classify']:.2f}",
            f"{med['floor']:.2f}",
            f"{med['classify'] / med['floor']:.2f}x",
            f"{peak['classify']:,.0f}",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    if len(rows) > 1:
        base = rows[0]
        growth = ", ".join(
            f"{r[0]} {r[2]['classify'] / base[2]['classify']:.2f}x time for {SIZES[r[0]][1] / SIZES[base[0]][1]:.0f}x stores"
            for r in rows[1:]
        )
        lines.append(f"Growth of classify time from {base[0]}: {growth}.")
    text = "\n".join(lines)
    print()
    print(text)
    write_section(text)


if __name__ == "__main__":
    main()
