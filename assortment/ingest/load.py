"""Store validated files: one transaction per file, slices replaced, raw file archived, every load logged.

Choices (domain.md section 3):

* a file that loads is archived for good (``archive/<kind>/<sha256>__<name>``) before its
  transaction commits; a rejected or held file is kept a while in ``rejected/``, within
  a count, an age and a total size (:mod:`assortment.ingest.retention`);
* the completeness guard compares each (month, location) of a stock file with the count
  it replaces, else the latest stored count before that month; a first count has nothing
  to compare with and is never held; a confirmed drop is recorded in the load log.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb
import polars as pl

from assortment import months, store
from assortment.config import KeepLimits, Rules, Settings
from assortment.errors import (
    AssortmentError,
    UsageError,
    ValidationError,
    environment_problem,
)
from assortment.ingest import retention
from assortment.ingest.read import read_table
from assortment.ingest.validate import (
    KINDS,
    Reference,
    count_drops,
    slices_of,
    validate_facts,
    validate_locations,
    validate_products,
    wanted_columns,
)
from assortment.timing import phase


@dataclass(frozen=True)
class Drop:
    """A (month, location) whose count would fall below ``count_drop_share`` of before."""

    month: str
    location_id: str
    before: int
    after: int

    def __str__(self) -> str:
        return f"{self.location_id} {self.month}: {self.before} -> {self.after} styles in stock"


class CountDropError(AssortmentError):
    """A stock file would leave locations with far fewer styles than stored: held until the
    person confirms (CLI ``--accept-drop``, the upload page's tick box)."""

    def __init__(self, file_name: str, drops: list[Drop], *, share: float) -> None:
        self.file_name = file_name
        self.drops = drops
        self.share = share
        shown = "\n".join(f"  {d}" for d in drops[:20])
        more = f"\n  ... and {len(drops) - 20} more" if len(drops) > 20 else ""
        super().__init__(
            f"{file_name}: held, nothing was stored: {len(drops)} location(s) would keep fewer "
            f"than {share:.0%} of the styles in stock they had (a half-finished count?):\n"
            f"{shown}{more}\nif the count is complete, load it again with --accept-drop"
        )


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
    already_loaded: bool = False  # every slice was last written by these very bytes
    drops: list[Drop] = field(default_factory=list)

    def summary(self) -> str:
        """One line for the terminal."""
        what = {
            "loaded": "loaded",
            "unchanged": "unchanged (this exact file is already loaded)",
            "checked": "valid (not stored)",
        }[self.result]
        if self.result == "checked" and self.already_loaded:
            what = "valid, unchanged (this exact file is already loaded)"
        if self.result == "loaded" and self.drops:
            what = f"loaded (fewer styles confirmed: {'; '.join(map(str, self.drops))})"
        extra = ""
        if self.kind in ("stock", "sales"):
            extra = (
                f", {len(self.slices)} (month, location) slice(s) in "
                f"{', '.join(self.months)} for {len(self.locations)} location(s)"
            )
        return f"{self.file_name}: {self.kind}, {self.n_rows:,} rows{extra}: {what}"


def reference(con: duckdb.DuckDBPyConnection, *, today: date | None = None) -> Reference:
    """What rows are checked against: the stored products and locations."""
    products = store.query(con, "load_reference_products")
    locations = store.query(con, "load_reference_locations")
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
    rules: Rules | None = None,
    sha256: str | None = None,
) -> tuple[pl.DataFrame, LoadResult]:
    """Read and validate a file against what ``con`` holds; nothing is written.

    Returns the typed rows and a LoadResult with result 'checked', saying whether the
    file is already loaded and, for a stock file, which counts would drop (the
    completeness guard: ``rules.count_drop_share``). ``sha256`` is the file's digest when
    the caller already has it.

    Raises:
        ValidationError: every bad row named.
        UsageError: unknown kind or unreadable path.
    """
    if kind not in KINDS:
        raise UsageError(f"unknown file kind {kind!r}; use one of {', '.join(KINDS)}")
    rules = rules or Rules()
    data = _read_source(source)
    name = file_name or (source.name if isinstance(source, Path) else "upload")
    with phase("read"):
        table = read_table(
            data,
            wanted=wanted_columns(kind),
            file_name=name,
            sheet=sheet,
            max_unpacked_mb=rules.max_unpacked_mb,
        )
    with phase("validate"):
        ref = reference(con, today=today)
        if kind == "products":
            rows = validate_products(table, ref)
        elif kind == "locations":
            rows = validate_locations(table, ref)
        else:
            rows = validate_facts(table, kind, ref)
    digest = sha256 or sha256_of(data)
    result = LoadResult(
        file_name=name,
        kind=kind,
        sha256=digest,
        n_rows=rows.height,
        result="checked",
        encoding=table.encoding,
    )
    with phase("guard"):
        _check_slices(con, kind, rows, ref, result, rules)
    return rows, result


def _check_slices(
    con: duckdb.DuckDBPyConnection,
    kind: str,
    rows: pl.DataFrame,
    ref: Reference,
    result: LoadResult,
    rules: Rules,
) -> None:
    """Fill in a stock or sales file's slices, whether it is already loaded and (stock) the
    counts that would drop (the completeness guard)."""
    if kind in ("stock", "sales"):
        slices = (
            slices_of(rows)
            .join(ref.locations.select("location_key", "location_id"), on="location_key")
            .sort("month", "location_id")
        )
        result.slices = [
            (months.fmt(m), loc) for m, loc in slices.select("month", "location_id").iter_rows()
        ]
        result.months = sorted({m for m, _ in result.slices})
        result.locations = sorted({loc for _, loc in result.slices})
        same = store.query(con, "load_same_slices", kind=kind, sha256=result.sha256)
        result.already_loaded = bool(result.slices) and (
            slices.select("month", "location_key")
            .join(same, on=["month", "location_key"], how="anti")
            .height
            == 0
        )
    if kind == "stock" and not result.already_loaded:
        keys = rows["location_key"].unique().to_list()
        stored = store.query(con, "load_stored_counts", location_keys=keys)
        drops = count_drops(rows, ref.products, stored, share=rules.count_drop_share).join(
            ref.locations.select("location_key", "location_id"), on="location_key"
        )
        result.drops = [
            Drop(months.fmt(m), loc, int(before), int(after))
            for m, loc, before, after in drops.sort("month", "location_id")
            .select("month", "location_id", "before", "after")
            .iter_rows()
        ]


def archive(settings: Settings, kind: str, sha: str, file_name: str, data: bytes) -> Path:
    """Keep the file byte for byte: ``archive/<kind>/<sha256>__<name>`` (written once).

    Raises:
        EnvironmentProblemError: the folder cannot be written (full, read-only, no
            permission); nothing is stored then.
    """
    folder = settings.archive_dir / kind
    target = folder / f"{sha}__{retention.safe_name(file_name)}"
    tmp = folder / f".{sha}.tmp"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if not target.exists():
            with open(tmp, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise environment_problem(folder, exc, what="keep the file in the archive folder") from None
    return target


def keep_rejected(settings: Settings, kind: str, sha: str, file_name: str, data: bytes) -> None:
    """Keep a rejected or held file a while in ``rejected/<kind>/`` (bounded; best effort)."""
    retention.keep(
        settings.rejected_dir / kind,
        f"{sha}__{retention.safe_name(file_name)}",
        data,
        KeepLimits.rejected(),
    )


def log_rejection(
    con: duckdb.DuckDBPyConnection,
    kind: str,
    file_name: str,
    sha: str,
    err: ValidationError | CountDropError,
    *,
    loaded_by: str | None,
) -> None:
    """Record a rejected (or held) file in the load log (its own small transaction)."""
    if isinstance(err, CountDropError):
        result = "held"
        message = f"{len(err.drops)} count(s) would drop; first: {err.drops[0]}"
    else:
        result = "rejected"
        first = err.errors[0] if err.errors else ""
        message = f"{err.total} problem{'s' if err.total != 1 else ''}; first: {first}"
    store.execute(
        con,
        "load_log_insert",
        loaded_by=loaded_by,
        file_name=file_name,
        sha256=sha,
        kind=kind,
        n_rows=0,
        slices="[]",
        result=result,
        message=message,
        confirmed_drops=None,
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
    accept_drop: bool = False,
) -> LoadResult:
    """Validate and store one file in one transaction (writer connection required).

    A stock or sales file replaces each (month, location) slice it contains. Loading
    the same bytes again when they are still what the slices hold changes nothing.

    Args:
        accept_drop: The person confirmed that counts with far fewer styles than before
            are complete (the completeness guard); recorded in the load log.

    Raises:
        ValidationError: the file is rejected as a whole (the rejection is logged).
        CountDropError: a stock file would drop counts and ``accept_drop`` is false
            (logged as held).
        EnvironmentProblemError: the archive folder cannot be written.
    """
    data = _read_source(source)
    name = file_name or (source.name if isinstance(source, Path) else "upload")
    with phase("sha256"):
        sha = sha256_of(data)
    rules = settings.rules()
    try:
        rows, result = validate_file(
            con, kind, data, file_name=name, sheet=sheet, today=today, rules=rules, sha256=sha
        )
        if result.drops and not accept_drop:
            raise CountDropError(name, result.drops, share=rules.count_drop_share)
    except (ValidationError, CountDropError) as err:
        keep_rejected(settings, kind, sha, name, data)
        log_rejection(con, kind, name, sha, err, loaded_by=loaded_by)
        raise
    with phase("archive"):
        archive(settings, kind, sha, name, data)
    del data
    with phase("store"):
        _store_file(con, kind, rows, result, name=name, sha=sha, loaded_by=loaded_by)
    return result


def _store_file(
    con: duckdb.DuckDBPyConnection,
    kind: str,
    rows: pl.DataFrame,
    result: LoadResult,
    *,
    name: str,
    sha: str,
    loaded_by: str | None,
) -> None:
    """The one transaction of a file: its rows stored, the load logged (``result`` updated)."""
    con.execute("begin transaction")
    try:
        if kind == "products":
            _store_products(con, rows)
        elif kind == "locations":
            _store_locations(con, rows)
        elif result.already_loaded:
            result.result = "unchanged"
        else:
            _store_facts(con, kind, rows)
        if result.result != "unchanged":
            result.result = "loaded"
        confirmed = (
            json.dumps(
                [[d.month, d.location_id, d.before, d.after] for d in result.drops],
                ensure_ascii=False,
            )
            if result.drops and result.result == "loaded"
            else None
        )
        result.load_id = store.execute(
            con,
            "load_log_insert",
            loaded_by=loaded_by,
            file_name=name,
            sha256=sha,
            kind=kind,
            n_rows=result.n_rows,
            slices=json.dumps(result.slices, ensure_ascii=False),
            result=result.result,
            message=f"fewer styles confirmed: {'; '.join(map(str, result.drops))}"
            if confirmed
            else None,
            confirmed_drops=confirmed,
        )[0][0]
        if kind in ("stock", "sales") and result.result == "loaded":
            store.execute(con, "load_slice_source", kind=kind, load_id=result.load_id, sha256=sha)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    finally:
        _unregister(con)


def _unregister(con: duckdb.DuckDBPyConnection) -> None:
    for view in ("incoming",):
        with contextlib.suppress(duckdb.Error, KeyError):
            con.unregister(view)


def _store_facts(con: duckdb.DuckDBPyConnection, kind: str, rows: pl.DataFrame) -> None:
    """Replace the file's (month, location) slices of ``stock`` or ``sales``."""
    store.register(con, "incoming", rows)
    store.execute(con, "load_incoming_slices")
    store.execute(con, f"load_{kind}_delete")  # kind is 'stock' or 'sales'
    store.execute(con, f"load_{kind}_insert")
    if kind == "stock":
        store.execute(con, "stock_summary_delete")
        store.execute(con, "stock_summary_insert_incoming")


def _recount_stock_summary(con: duckdb.DuckDBPyConnection) -> None:
    """Recount ``stock_summary`` for the slices in the temp table ``incoming_slices``."""
    store.execute(con, "stock_summary_delete")
    store.execute(con, "stock_summary_insert")


def _with_keys(
    con: duckdb.DuckDBPyConnection, rows: pl.DataFrame, table: str, id_col: str, key_col: str
) -> pl.DataFrame:
    """Keep the stored surrogate key of each id; number new ids after the largest key."""
    existing = store.query(con, f"load_keys_{table}")  # table is products or locations
    start = existing.select(pl.col(key_col).max().fill_null(0)).item()
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
    store.register(con, "incoming", keyed)
    store.execute(con, "load_products_delete")
    store.execute(con, "load_products_insert")
    # a SKU may have moved to another style: recount every stored slice's active styles
    store.execute(con, "load_all_stock_slices")
    _recount_stock_summary(con)


def _store_locations(con: duckdb.DuckDBPyConnection, rows: pl.DataFrame) -> None:
    """Insert new locations and update known ones (closing is done with status 'closed')."""
    keyed = _with_keys(con, rows, "locations", "location_id", "location_key")
    store.register(con, "incoming", keyed)
    store.execute(con, "load_locations_delete")
    store.execute(con, "load_locations_insert")


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
        store.execute(
            con,
            "load_log_insert",
            loaded_by=None,
            file_name=file_name,
            sha256="",
            kind=kind,
            n_rows=rows.height,
            slices="[]",
            result="loaded",
            message=None,
            confirmed_drops=None,
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
