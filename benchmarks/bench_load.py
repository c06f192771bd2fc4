"""Time validating and loading a 600,000-row stock file (one distributor: 300 stores x 2,000 SKUs).

Prints the median of 3 runs of the whole load (read CSV, decode, validate every row,
replace the slices in DuckDB in one transaction, archive, log) and rows/s. The baseline
in the same run is DuckDB's own ``read_csv`` + ``insert`` of the same file with no
validation: the floor for getting those bytes into the store.
"""

from __future__ import annotations

import shutil
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

import duckdb
import polars as pl

from assortment import store
from assortment.config import Settings
from assortment.ingest import load_file

N_STORES, N_SKUS, RUNS = 300, 2_000, 3


def build(tmp: Path) -> tuple[Settings, Path]:
    styles = [f"ST{i:03d}" for i in range(N_SKUS // 10)]
    sizes = ["70A", "70B", "75A", "75B", "75C", "80B", "80C", "85B", "85C", "85D"]
    products = pl.DataFrame(
        {
            "sku": [f"{s}-BLK-{z}" for s in styles for z in sizes],
            "style": [s for s in styles for _ in sizes],
            "colour": "BLK",
            "size": [z for _ in styles for z in sizes],
            "category": "bra",
            "launch_month": "2025-09",
            "price": "199",
        }
    )
    locs = ["D01"] + [f"D01-S{i:03d}" for i in range(1, N_STORES)]
    locations = pl.DataFrame(
        {
            "location_id": locs,
            "name": locs,
            "kind": ["distributor"] + ["store"] * (N_STORES - 1),
            "distributor_id": [None] + ["D01"] * (N_STORES - 1),
            "region": "North",
            "province": "河北",
            "city": "石家庄",
            "rep": "张伟",
        }
    )
    products.write_csv(tmp / "products.csv")
    locations.write_csv(tmp / "locations.csv")
    stock = (
        pl.DataFrame({"location_id": locs})
        .join(products.select("sku"), how="cross")
        .with_columns(
            pl.lit("2026-10").alias("month"),
            (pl.int_range(pl.len()) * 7919 % 13).cast(pl.String).alias("on_hand"),
        )
        .select("month", "location_id", "sku", "on_hand")
    )
    path = tmp / "stock_D01_2026-10.csv"
    stock.write_csv(path)
    settings = Settings(db_path=tmp / "data" / "assortment.duckdb")
    store.init(settings)
    with store.writer(settings) as con:
        load_file(con, settings, "products", tmp / "products.csv")
        load_file(con, settings, "locations", tmp / "locations.csv")
    return settings, path


def time_load(settings: Settings, path: Path) -> float:
    # a different byte each run, so the load is never skipped as 'unchanged'
    data = path.read_bytes() + b"\n" * (int(time.time_ns()) % 7 + 1)
    t0 = time.perf_counter()
    with store.writer(settings, publish=False) as con:
        result = load_file(
            con, settings, "stock", data, file_name=path.name, today=date(2026, 11, 22)
        )
    elapsed = time.perf_counter() - t0
    assert result.result == "loaded" and result.n_rows == N_STORES * N_SKUS, result
    return elapsed


def time_floor(path: Path, tmp: Path) -> float:
    db = tmp / "floor.duckdb"
    db.unlink(missing_ok=True)
    t0 = time.perf_counter()
    con = duckdb.connect(str(db))
    con.execute(
        "create table stock as select * from read_csv(?, header = true,"
        " columns = {'month': 'varchar', 'location_id': 'varchar', 'sku': 'varchar', 'on_hand': 'integer'})",
        [str(path)],
    )
    con.execute("checkpoint")
    con.close()
    return time.perf_counter() - t0


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="bench_load_"))
    try:
        settings, path = build(tmp)
        rows = N_STORES * N_SKUS
        size_mb = path.stat().st_size / 1e6
        ours = [time_load(settings, path) for _ in range(RUNS)]
        floor = [time_floor(path, tmp) for _ in range(RUNS)]
        med, fmed = statistics.median(ours), statistics.median(floor)
        print(f"stock file: {rows:,} rows, {size_mb:.1f} MB CSV")
        print(
            f"assortment load stock (read + validate + replace + log), median of {RUNS}: {med:.2f} s"
            f"  ({rows / med:,.0f} rows/s)  runs: {', '.join(f'{t:.2f}' for t in ours)}"
        )
        print(f"floor: DuckDB read_csv into a table, no validation, median of {RUNS}: {fmed:.2f} s")
        print(f"ratio to floor: {med / fmed:.1f}x; target < 5 s: {'met' if med < 5 else 'NOT met'}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
