"""Classification benchmark: `classify` for the last month vs two pandas baselines and the DuckDB floor.

Networks (built once with the sample generator, dense month-end counts, cached in bench_data/):
full = 50 distributors, 2,000 stores, 200 styles x 2 colours x ~10 sizes, 12 months
(about 100 million stock rows), plus 1/4 and 1/2 of it to show how time grows.

Timed, each in a fresh process (peak memory = that process's max RSS), median of 3:
* classify: read month M's inputs from DuckDB through Arrow, run the polars rules,
  write every result table back in one transaction (``assortment.job.run_month``);
* pandas (same inputs): the same pre-filtered, pre-aggregated SQL inputs and the same rules in
  straightforward pandas (benchmarks/pandas_rules.py ``run_month_pandas``): engine vs engine;
* pandas raw: straightforward end to end from the stored rows (``run_month_pandas_raw``):
  plain SELECTs of stock M-3..M (zeros included), sales of 12 months, products and locations,
  then on hand, counted locations, the shrinking history and the sales sums in pandas, and the
  same rule code; both pandas outputs are checked equal to the polars job's;
* floor: one bare DuckDB query summing the window's stock and sales to (location, style).

Usage: python benchmarks/bench_classify.py [--sizes quarter,half,full] [--runs 3] [--no-pandas]
(--no-pandas skips both pandas baselines and the check.)
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


def db_path(size: str) -> Path:
    return BENCH_DIR / size / "assortment.duckdb"


def build(size: str) -> dict[str, float]:
    """Generate and load the network of ``size`` unless bench_data/ already holds it."""
    from assortment.config import Settings
    from assortment.sample import generate, load_network

    distributors, stores = SIZES[size]
    marker = BENCH_DIR / size / "built.json"
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

    shutil.rmtree(BENCH_DIR / size, ignore_errors=True)
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
        folder=BENCH_DIR / size / "masters",
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
    from assortment.job import compute, read_inputs, run_month
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
    elif kind == "pandas":
        sys.path.insert(0, str(ROOT / "benchmarks"))
        from pandas_rules import run_month_pandas

        con = duckdb.connect(str(db_path(size)), read_only=True)
        res = run_month_pandas(con, month, rules)
        out["pairs"] = len(res["style_health"])
        con.close()
    elif kind == "pandas_raw":
        sys.path.insert(0, str(ROOT / "benchmarks"))
        from pandas_rules import run_month_pandas_raw

        con = duckdb.connect(str(db_path(size)), read_only=True)
        res = run_month_pandas_raw(con, month, rules)
        out["pairs"] = len(res["style_health"])
        con.close()
    elif kind == "floor":
        con = duckdb.connect(str(db_path(size)), read_only=True)
        start = add_months(month, -(rules.lookback_months - 1))
        table = con.sql(FLOOR_SQL, params={"start": start, "month": month}).to_arrow_table()
        out["pairs"] = table.num_rows
        con.close()
    elif kind == "check":
        sys.path.insert(0, str(ROOT / "benchmarks"))
        from pandas_rules import compare_with_polars, run_month_pandas, run_month_pandas_raw

        con = duckdb.connect(str(db_path(size)), read_only=True)
        polars_results = compute(read_inputs(con, month, rules), month, rules)
        for key, run in (
            ("differences", run_month_pandas),
            ("differences_raw", run_month_pandas_raw),
        ):
            diffs = compare_with_polars(run(con, month, rules), polars_results)
            out[key] = len(diffs)
            for d in diffs[:10]:
                print(f"  DIFF {run.__name__}:", d, file=sys.stderr)
        con.close()
    out["seconds"] = time.perf_counter() - t0
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def measure(kind: str, size: str) -> dict[str, float]:
    proc = subprocess.run(
        [sys.executable, __file__, "--child", kind, "--size", size],
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
    parser.add_argument("--no-pandas", action="store_true")
    parser.add_argument("--child")
    parser.add_argument("--size")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_child(args.child, args.size)))
        return

    sizes = [s for s in args.sizes.split(",") if s]
    rows = []
    for size in sizes:
        print(f"[{size}] building network (cached in bench_data/)", flush=True)
        built = build(size)
        res: dict[str, list[dict[str, float]]] = {
            "classify": [],
            "floor": [],
            "pandas": [],
            "pandas_raw": [],
        }
        kinds = ["floor", "classify"] + ([] if args.no_pandas else ["pandas", "pandas_raw"])
        for i in range(args.runs):
            for kind in kinds:
                r = measure(kind, size)
                res[kind].append(r)
                print(
                    f"  [{size}] run {i + 1} {kind}: {r['seconds']:.2f} s, peak {r['peak_rss_mb']:,.0f} MB",
                    flush=True,
                )
        check = None if args.no_pandas else measure("check", size)
        med = {k: statistics.median(x["seconds"] for x in v) for k, v in res.items() if v}
        peak = {k: max(x["peak_rss_mb"] for x in v) for k, v in res.items() if v}
        rows.append((size, built, med, peak, check))

    lines = [
        "## Classification",
        "",
        f"`make bench` on {machine()}; {date.today().isoformat()}.",
        "Medians of 3 runs, each in a fresh process (peak = that process's max RSS).",
        "classify = read month M's inputs from DuckDB via Arrow + polars rules + write all result tables;",
        "floor = one DuckDB query summing the 3-month window's stock and sales to (location, style).",
        "Two pandas baselines, same rule code (benchmarks/pandas_rules.py), written as an analyst would:",
        "pandas (same inputs) = the same pre-aggregated SQL inputs as classify (zero stock rows dropped, sales summed",
        "per location and SKU, history from stock_summary), so engine vs engine;",
        "pandas raw = straightforward end to end from the stored rows (plain SELECTs of stock M-3..M with its zeros,",
        "12 months of sales, products, locations; everything else in pandas).",
        "Output equal = both pandas outputs equal the polars job's.",
        "",
        "| network | stock rows | sales rows | classify s | floor s | pandas (same inputs) s | pandas raw s"
        " | classify / floor | pandas (same inputs) / classify | pandas raw / classify | classify peak MB"
        " | pandas output equal |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for size, built, med, peak, check in rows:
        d, st = SIZES[size]
        pandas_s = med.get("pandas")
        raw_s = med.get("pandas_raw")
        if check is None:
            equal = "-"
        elif check.get("differences") == 0 and check.get("differences_raw") == 0:
            equal = "yes"
        else:
            equal = f"NO (same inputs {check.get('differences')}, raw {check.get('differences_raw')} differences)"
        cells = [
            f"{size}: {d} distributors, {st} stores, {built['skus']:,} SKUs",
            f"{built['stock_rows']:,}",
            f"{built['sales_rows']:,}",
            f"{med['classify']:.2f}",
            f"{med['floor']:.2f}",
            f"{pandas_s:.2f}" if pandas_s else "-",
            f"{raw_s:.2f}" if raw_s else "-",
            f"{med['classify'] / med['floor']:.2f}x",
            f"{pandas_s / med['classify']:.1f}x" if pandas_s else "-",
            f"{raw_s / med['classify']:.1f}x" if raw_s else "-",
            f"{peak['classify']:,.0f}",
            equal,
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
