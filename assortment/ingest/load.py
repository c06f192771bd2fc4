"""Store validated files: one transaction per file, slices replaced, raw file archived, every load logged."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb
import polars as pl

from assortment import months
from assortment.config import Settings
from assortment.errors import UsageError, ValidationError
from assortment.ingest.read import read_table
from assortment.ingest.validate import (
    KINDS,
    Reference,
    validate_facts,
    validate_locations,
    validate_products,
    wanted_columns,
)

# fault injection for the crash test: sleep this long inside the open transaction
_PAUSE_ENV = "ASSORTMENT_TEST_PAUSE_IN_LOAD"


@dataclass
class LoadResult:
    """What a load (or a dry-run check) found and did."""

    file_name: str
    kind: str
    sha256: str
    n_rows: int
    result: str  # 'loaded' | 'unchanged' | 'checked'
    encoding: str = ""
    months: list[str] = field(default_factory=list)
    locations: list[str] = field(default_factory=list)
    slices: list[tuple[str, str]] = field(default_factory=list)
    load_id: int | None = None

    def summary(self) -> str:
        """One line for the terminal."""
        what = {
            "loaded": "loaded",
            "unchanged": "unchanged (this exact file is already loaded)",
            "checked": "valid (not stored)",
        }[self.result]
        extra = ""
        if self.kind in ("stock", "sales"):
            extra = (
                f", {len(self.slices)} (month, location) slice(s) in "
                f"{', '.join(self.months)} for {len(self.locations)} location(s)"
            )
        return f"{self.file_name}: {self.kind}, {self.n_rows:,} rows{extra}: {what}"


def reference(con: duckdb.DuckDBPyConnection, *, today: date | None = None) -> Reference:
    """What rows are checked against: the stored products and locations."""
    products = con.sql("select sku, sku_key, style, colour, size from products").pl()
    locations = con.sql("select location_id, location_key, kind from locations").pl()
    return Reference(products=products, locations=locations, today=today or date.today())


def sha256_of(data: bytes) -> str:
    """Hex sha256 of a file's bytes."""
    return hashlib.sha256(data).hexdigest()


def _read_source(source: Path | bytes) -> bytes:
    if isinstance(source, Path):
        try:
            return source.read_bytes()
        except OSError as exc:
            raise UsageError(f"cannot read {str(source)!r}: {exc.strerror or exc}") from None
    return source


def validate_file(
    con: duckdb.DuckDBPyConnection,
    kind: str,
    source: Path | bytes,
    *,
    file_name: str | None = None,
    sheet: str | None = None,
    today: date | None = None,
) -> tuple[pl.DataFrame, LoadResult]:
    """Read and validate a file against what ``con`` holds; nothing is written.

    Returns the typed rows and a LoadResult with result 'checked'.

    Raises:
        ValidationError: every bad row named.
        UsageError: unknown kind or unreadable path.
    """
    if kind not in KINDS:
        raise UsageError(f"unknown file kind {kind!r}; use one of {', '.join(KINDS)}")
    data = _read_source(source)
    name = file_name or (source.name if isinstance(source, Path) else "upload")
    table = read_table(data, wanted=wanted_columns(kind), file_name=name, sheet=sheet)
    ref = reference(con, today=today)
    if kind == "products":
        rows = validate_products(table)
    elif kind == "locations":
        rows = validate_locations(table, ref)
    else:
        rows = validate_facts(table, kind, ref)
    result = LoadResult(
        file_name=name,
        kind=kind,
        sha256=sha256_of(data),
        n_rows=rows.height,
        result="checked",
        encoding=table.encoding,
    )
    if kind in ("stock", "sales"):
        slices = (
            rows.select("month", "location_key")
            .unique()
            .join(ref.locations.select("location_key", "location_id"), on="location_key")
            .sort("month", "location_id")
        )
        result.slices = [
            (months.fmt(m), loc)
            for m, loc in slices.select("month", "location_id").iter_rows()
        ]
        result.months = sorted({m for m, _ in result.slices})
        result.locations = sorted({loc for _, loc in result.slices})
    return rows, result


def archive(settings: Settings, kind: str, sha: str, file_name: str, data: bytes) -> Path:
    """Keep the file byte for byte: ``archive/<kind>/<sha256>__<name>`` (written once)."""
    safe = re.sub(r"[^\w.\-\u4e00-\u9fff]+", "_", Path(file_name).name)[:120] or "file"
    folder = settings.archive_dir / kind
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{sha}__{safe}"
    if not target.exists():
        tmp = folder / f".{sha}.tmp"
        tmp.write_bytes(data)
        os.replace(tmp, target)
    return target


def log_rejection(
    con: duckdb.DuckDBPyConnection,
    kind: str,
    file_name: str,
    sha: str,
    err: ValidationError,
    *,
    loaded_by: str | None,
) -> None:
    """Record a rejected file in the load log (its own small transaction)."""
    con.execute(
        "insert into load_log (loaded_by, file_name, sha256, kind, n_rows, slices, result, message)"
        " values (?, ?, ?, ?, 0, '[]', 'rejected', ?)",
        [
            loaded_by,
            file_name,
            sha,
            kind,
            f"{err.total} problem(s); first: {err.errors[0] if err.errors else ''}",
        ],
    )


def load_file(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    kind: str,
    source: Path | bytes,
    *,
    file_name: str | None = None,
    sheet: str | None = None,
    loaded_by: str | None = None,
    today: date | None = None,
) -> LoadResult:
    """Validate and store one file in one transaction (writer connection required).

    A stock or sales file replaces each (month, location) slice it contains. Loading
    the same bytes again when they are still what the slices hold changes nothing.

    Raises:
        ValidationError: the file is rejected as a whole (the rejection is logged).
    """
    data = _read_source(source)
    name = file_name or (source.name if isinstance(source, Path) else "upload")
    sha = sha256_of(data)
    archive(settings, kind, sha, name, data)
    try:
        rows, result = validate_file(con, kind, data, file_name=name, sheet=sheet, today=today)
    except ValidationError as err:
        log_rejection(con, kind, name, sha, err, loaded_by=loaded_by)
        raise
    con.execute("begin transaction")
    try:
        if kind == "products":
            _store_products(con, rows)
        elif kind == "locations":
            _store_locations(con, rows)
        elif _unchanged(con, kind, rows, sha):
            result.result = "unchanged"
        else:
            _store_facts(con, kind, rows)
        if result.result != "unchanged":
            result.result = "loaded"
        result.load_id = con.execute(
            "insert into load_log (loaded_by, file_name, sha256, kind, n_rows, slices, result, message)"
            " values (?, ?, ?, ?, ?, ?, ?, ?) returning load_id",
            [
                loaded_by,
                name,
                sha,
                kind,
                result.n_rows,
                json.dumps(result.slices, ensure_ascii=False),
                result.result,
                None,
            ],
        ).fetchall()[0][0]  # type: ignore[index]
        if kind in ("stock", "sales") and result.result == "loaded":
            con.execute(
                "insert or replace into slice_source"
                " select distinct ?, month, location_key, ?, ? from incoming",
                [kind, result.load_id, sha],
            )
        pause = os.environ.get(_PAUSE_ENV)
        if pause:
            import time

            print("PAUSED-IN-TRANSACTION", flush=True)
            time.sleep(float(pause))
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    finally:
        _unregister(con)
    return result


def _unregister(con: duckdb.DuckDBPyConnection) -> None:
    for view in ("incoming",):
        with contextlib.suppress(duckdb.Error, KeyError):
            con.unregister(view)


def _unchanged(con: duckdb.DuckDBPyConnection, kind: str, rows: pl.DataFrame, sha: str) -> bool:
    """True when every slice of the file was last written by this very file."""
    con.register("incoming", rows)
    n_slices, n_same = con.execute(
        "with s as (select distinct month, location_key from incoming)"
        " select count(*), count(ss.sha256) filter (where ss.sha256 = ?)"
        " from s left join slice_source ss on ss.kind = ? and ss.month = s.month"
        " and ss.location_key = s.location_key",
        [sha, kind],
    ).fetchall()[0]
    return n_slices > 0 and n_slices == n_same


def _store_facts(con: duckdb.DuckDBPyConnection, kind: str, rows: pl.DataFrame) -> None:
    """Replace the file's (month, location) slices of ``stock`` or ``sales``."""
    con.register("incoming", rows)
    con.execute(
        "create or replace temp table incoming_slices as"
        " select distinct month, location_key from incoming"
    )
    if kind == "stock":
        con.execute(
            "delete from stock s using incoming_slices i"
            " where s.month = i.month and s.location_key = i.location_key"
        )
        con.execute(
            "insert into stock select month, location_key, sku_key, qty::integer from incoming"
            " order by month, location_key, sku_key"
        )
        con.execute(
            "delete from stock_summary s using incoming_slices i"
            " where s.month = i.month and s.location_key = i.location_key"
        )
        con.execute(
            "insert into stock_summary"
            " select i.month, i.location_key,"
            "  count(distinct p.style) filter (where i.qty > 0), sum(i.qty), count(*)"
            " from incoming i join products p using (sku_key)"
            " group by i.month, i.location_key"
        )
    else:
        con.execute(
            "delete from sales s using incoming_slices i"
            " where s.month = i.month and s.location_key = i.location_key"
        )
        con.execute(
            "insert into sales select month, location_key, sku_key, qty::integer, amount from incoming"
            " order by month, location_key, sku_key"
        )


def _with_keys(
    con: duckdb.DuckDBPyConnection, rows: pl.DataFrame, table: str, id_col: str, key_col: str
) -> pl.DataFrame:
    """Keep the stored surrogate key of each id; number new ids after the largest key."""
    existing = con.sql(
        f"select {id_col}, {key_col} from {table}"
    ).pl()  # identifiers from a fixed list
    start = con.execute(f"select coalesce(max({key_col}), 0) from {table}").fetchall()[0][0]  # type: ignore[index]
    keyed = rows.join(existing, on=id_col, how="left", maintain_order="left")
    return keyed.with_columns(
        pl.when(pl.col(key_col).is_null())
        .then(pl.col(key_col).is_null().cum_sum() + start)
        .otherwise(pl.col(key_col))
        .cast(pl.Int32)
        .alias(key_col)
    )


def _store_products(con: duckdb.DuckDBPyConnection, rows: pl.DataFrame) -> None:
    """Insert new SKUs and update known ones (SKUs are never deleted: facts refer to them)."""
    keyed = _with_keys(con, rows, "products", "sku", "sku_key")
    con.register("incoming", keyed)
    con.execute("delete from products where sku_key in (select sku_key from incoming)")
    con.execute(
        "insert into products select sku_key, sku, style, colour, size, category, launch_month,"
        " price_cny, style_name, season, is_core_size from incoming"
    )
    # a SKU may have moved to another style: recount the stored slices' active styles
    has_counts = con.execute("select count(*) from stock_summary").fetchall()[0][0]
    if has_counts:
        con.execute("delete from stock_summary")
        con.execute(
            "insert into stock_summary"
            " select s.month, s.location_key,"
            "  count(distinct p.style) filter (where s.on_hand > 0), sum(s.on_hand), count(*)"
            " from stock s join products p using (sku_key)"
            " group by s.month, s.location_key"
        )


def _store_locations(con: duckdb.DuckDBPyConnection, rows: pl.DataFrame) -> None:
    """Insert new locations and update known ones (closing is done with status 'closed')."""
    keyed = _with_keys(con, rows, "locations", "location_id", "location_key")
    con.register("incoming", keyed)
    con.execute("delete from locations where location_key in (select location_key from incoming)")
    con.execute(
        "insert into locations select location_key, location_id, name, kind, distributor_id, region,"
        " province, city, rep, min_styles, status from incoming"
    )


def load_frame(
    con: duckdb.DuckDBPyConnection, kind: str, frame: pl.DataFrame, *, file_name: str
) -> LoadResult:
    """Store an in-memory frame with canonical column names through the same validation
    (used by the benchmark, which would otherwise write gigabytes of CSV)."""
    from assortment.ingest.read import RawTable

    text = (
        frame.with_columns(pl.all().cast(pl.String))
        .with_row_index("_row", offset=2)
        .with_columns(pl.col("_row").cast(pl.Int64))
    )
    table = RawTable(
        file_name=file_name, frame=text, headers={c: c for c in frame.columns}, encoding="frame"
    )
    ref = reference(con)
    rows = validate_facts(table, kind, ref)
    con.execute("begin transaction")
    try:
        _store_facts(con, kind, rows)
        con.execute(
            "insert into load_log (file_name, sha256, kind, n_rows, slices, result)"
            " values (?, '', ?, ?, '[]', 'loaded')",
            [file_name, kind, rows.height],
        )
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    finally:
        _unregister(con)
    return LoadResult(
        file_name=file_name, kind=kind, sha256="", n_rows=rows.height, result="loaded"
    )
