"""The store's inputs as Parquet partitioned by month: the layout another engine (Spark) reads.

The layout (a customer's own pipeline may write the same)::

    DIR/
      products.parquet                      one row per SKU
      locations.parquet                     one row per location
      stock/month=YYYY-MM/part-0.parquet    one row per (location, SKU) counted at month end
      sales/month=YYYY-MM/part-0.parquet    one row per (location, SKU) sold in the month

Columns (Parquet types):

* products: ``sku_key`` (int32, optional), ``sku``, ``style``, ``colour``, ``size``,
  ``category`` (string), ``launch_month`` (date, 1st of month), ``price`` (double),
  ``style_name``, ``season`` (string, nullable), ``is_core_size`` (boolean, nullable).
* locations: ``location_key`` (int32, optional), ``location_id``, ``name``, ``kind``
  (``distributor`` | ``store``), ``distributor_id`` (null for a distributor), ``region``,
  ``province``, ``city``, ``rep`` (string), ``min_styles`` (int32, nullable), ``status``
  (``active`` | ``closed``).
* stock: ``location_id``, ``sku`` (string), ``on_hand`` (int64). Rows of 0 may be left out,
  but a location counted in a month has at least one row in it (an absent SKU is 0).
* sales: ``location_id``, ``sku`` (string), ``units_sold`` (int64), ``amount`` (double,
  nullable).

The month is the folder name (``month=2026-10``, Hive style), not a column in the files. The
data must satisfy domain.md's data contract (section 3: one row per month, location and SKU,
known codes, whole non-negative quantities): the store's loaders check that, a pipeline
writing this layout directly must too. ``sku_key`` and ``location_key`` are the store's
integer keys; without them the Spark engine numbers the codes in ascending order (ties are
broken on codes, 6.3, so results do not depend on the numbering).
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from assortment import months, store

FACT_TABLES = ("stock", "sales")
"""The fact tables, one folder each, partitioned by month."""


@dataclass(frozen=True)
class ParquetExport:
    """What :func:`export` wrote."""

    folder: Path
    months: list[str]
    n_stock: int
    n_sales: int

    def summary(self) -> str:
        """One line for the terminal."""
        span = f"{self.months[0]}..{self.months[-1]}" if self.months else "no months"
        return (
            f"wrote {len(self.months)} months ({span}) to {self.folder}:"
            f" {self.n_stock:,} stock rows, {self.n_sales:,} sales rows"
        )


def month_folder(folder: Path, table: str, month: str) -> Path:
    """``folder/<table>/month=YYYY-MM``."""
    return folder / table / f"month={month}"


def _write(frame: pl.DataFrame, path: Path) -> None:
    """Write ``frame`` to ``path`` under a temporary name, then rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    frame.write_parquet(tmp, statistics=True)
    os.replace(tmp, path)


def export(con: duckdb.DuckDBPyConnection, folder: Path) -> ParquetExport:
    """Write the store's products, locations, stock and sales to ``folder`` (see the layout).

    Each file is written under a temporary name and renamed; month folders of ``stock/`` and
    ``sales/`` that the store no longer has are removed, so the folder mirrors the store.
    """
    folder.mkdir(parents=True, exist_ok=True)
    _write(store.query(con, "parquet_products"), folder / "products.parquet")
    _write(store.query(con, "parquet_locations"), folder / "locations.parquet")
    written = [months.fmt(m) for m in store.query(con, "parquet_months")["month"].to_list()]
    counts = {}
    for table in FACT_TABLES:
        n = 0
        for month in written:
            frame = store.query(con, f"parquet_{table}", month=months.parse(month))
            _write(frame, month_folder(folder, table, month) / "part-0.parquet")
            n += frame.height
        counts[table] = n
        for old in (folder / table).glob("month=*"):
            if old.name.removeprefix("month=") not in written:
                shutil.rmtree(old)
    return ParquetExport(folder, written, counts["stock"], counts["sales"])
