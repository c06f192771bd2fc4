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
known codes, whole non-negative quantities): the store's loaders check that, and
:func:`check_layout` checks a local layout written by someone else's pipeline with the same
rules before the Spark engine reads it. ``sku_key`` and ``location_key`` are the store's
integer keys; without them the Spark engine numbers the codes in ascending order (ties are
broken on codes, 6.3, so results do not depend on the numbering).
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import polars as pl

from assortment import months, store
from assortment.errors import RowError, UsageError, ValidationError
from assortment.ingest.read import RawTable, clean_cells
from assortment.ingest.validate import (
    MAX_ERRORS,
    Reference,
    validate_facts,
    validate_locations,
    validate_products,
)

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


# ------------------------------------------------------------------ checking a layout


def _raw_table(path: Path, folder: Path, *, month: str | None = None) -> RawTable:
    """A Parquet file as the loaders' validators read a file: every cell as text (dates as
    YYYY-MM, booleans as true/false) cleaned as a loaded file's cells are, ``_row`` numbering
    the data rows from 1, and the month of its folder as a ``month`` column for the fact
    tables."""
    frame = pl.read_parquet(path).drop("sku_key", "location_key", strict=False)
    as_text = []
    for name, dtype in frame.schema.items():
        col = pl.col(name)
        if dtype == pl.Date or isinstance(dtype, pl.Datetime):
            col = col.dt.strftime("%Y-%m")
        elif dtype == pl.Boolean:
            col = pl.when(col).then(pl.lit("true")).when(~col).then(pl.lit("false"))
        as_text.append(col.cast(pl.String).alias(name))
    frame = clean_cells(frame.select(as_text))
    if month is not None:
        frame = frame.with_columns(pl.lit(month).alias("month"))
    frame = frame.with_row_index("_row", offset=1).with_columns(pl.col("_row").cast(pl.Int64))
    names = [c for c in frame.columns if c != "_row"]
    return RawTable(
        file_name=str(path.relative_to(folder)),
        frame=frame,
        headers={c: c for c in names},
        encoding="parquet",
        columns=tuple(names),
    )


def check_layout(folder: Path, *, months_read: set[str] | None, today: date) -> None:
    """Check a Parquet layout written by someone else's pipeline as the loaders check files.

    products.parquet and locations.parquet whole, then every stock and sales file of the
    months in ``months_read`` (None: every month), against those products and locations: the
    same rules and the same messages as ``assortment load`` (domain.md 3), each error naming
    the file (relative to ``folder``), the data row (counted from 1), the column and the
    value. Files of no rows are allowed (a month without sales). A (location, SKU) given in
    two files of one month is refused too, in the later file, naming the earlier file and row
    (a load refuses it within one file; across part files it would be counted twice).

    Raises:
        UsageError: a file of the layout is missing or is not Parquet.
        ValidationError: for the first file with a bad row (every bad row of it named).
    """
    try:
        products = validate_products(_raw_table(folder / "products.parquet", folder))
        products = products.with_row_index("sku_key").with_columns(pl.col("sku_key").cast(pl.Int32))
        no_locations = pl.DataFrame(
            schema={
                "location_id": pl.String,
                "location_key": pl.Int32,
                "kind": pl.String,
                "distributor_id": pl.String,
            }
        )
        locations = validate_locations(
            _raw_table(folder / "locations.parquet", folder),
            Reference(products=products, locations=no_locations, today=today),
        )
        locations = locations.with_row_index("location_key").with_columns(
            pl.col("location_key").cast(pl.Int32)
        )
        ref = Reference(products=products, locations=locations, today=today)
        for table in FACT_TABLES:
            for part in sorted((folder / table).glob("month=*")):
                month = part.name.removeprefix("month=")
                named = months.try_parse(month) is not None
                if named and months_read is not None and month not in months_read:
                    continue  # (a folder not named by a month is always checked: reported)
                seen: list[pl.DataFrame] = []  # (location_key, sku_key, file, row) so far
                for path in sorted(part.glob("*.parquet")):
                    raw = _raw_table(path, folder, month=month)
                    if raw.frame.height:
                        keys = validate_facts(raw, table, ref).select(
                            "location_key",
                            "sku_key",
                            file=pl.lit(raw.file_name),
                            row=raw.frame["_row"],
                        )
                        _refuse_repeats(keys, seen, ref)
                        seen.append(keys)
    except (FileNotFoundError, pl.exceptions.ComputeError, OSError) as exc:
        raise UsageError(
            f"{folder} is not a readable input folder of the Parquet layout: {exc}"
            " (README: Engines)"
        ) from None


def _refuse_repeats(keys: pl.DataFrame, seen: list[pl.DataFrame], ref: Reference) -> None:
    """Refuse the (location, SKU) pairs of a month's part file that an earlier part file of
    the same month gave already (ValidationError naming each such row of the later file)."""
    if not seen:
        return
    earlier = pl.concat(seen).unique(["location_key", "sku_key"], keep="first")
    again = keys.join(earlier, on=["location_key", "sku_key"], suffix="_first").sort("row")
    if again.is_empty():
        return
    again = (
        again.join(
            ref.locations.select("location_key", "location_id"), on="location_key", how="left"
        )
        .join(ref.products.select("sku_key", "sku"), on="sku_key", how="left")
        .sort("row")
    )
    errors = [
        RowError(
            r["row"],
            "sku",
            r["sku"],
            f"repeats the month, location {r['location_id']} and SKU of row {r['row_first']}"
            f" of {r['file_first']} (each pair once per month, in one file)",
            "duplicate",
            {"first_row": r["row_first"], "first_file": r["file_first"]},
        )
        for r in again.head(MAX_ERRORS).iter_rows(named=True)
    ]
    raise ValidationError(str(keys["file"][0]), errors, total=again.height)


def months_around(
    folder: Path, *, month: str | list[str] | None, all_months: bool, history: int
) -> set[str] | None:
    """The months of ``folder``'s stock and sales a run for ``month`` reads: each month asked
    for (default: the latest counted) and the ``history`` months before it; None: all."""
    if all_months:
        return None
    if month is None:
        names = (p.name.removeprefix("month=") for p in (folder / "stock").glob("month=*"))
        counted = sorted(n for n in names if months.try_parse(n) is not None)
        asked = counted[-1:]
    else:
        asked = [month] if isinstance(month, str) else list(month)
    wanted: set[str] = set()
    for text in asked:
        m = months.try_parse(text)
        if m is None:
            continue  # the engine names a bad month itself
        wanted.update(months.fmt(months.add(m, -k)) for k in range(history + 1))
    return wanted
