"""`assortment rebuild`: rebuild the store's tables from the archive by replaying the load log.

Every file that was loaded is kept byte for byte in ``archive/<kind>/<sha256>__<name>``
and the load log records, in order, which of them changed data (``result = 'loaded'``).
Replaying exactly those files, in load-log order, through the ordinary loader into an
empty database gives the same products, locations, stock, sales, stock summary and slice
sources. Choices made here:

* The load log itself is history, not data: the rebuilt database keeps the original log
  (rejections and unchanged re-loads included) and ``slice_source`` names the original
  load ids.
* Tables that no file feeds (users, and whatever else the schema grows) are copied as
  they are; classification results are recomputed for every month that had them, with
  the rules recorded for that month, and ``classify_runs`` keeps its original rows.
* The load log is read from the master; when the master cannot be opened it is read from
  the newest published snapshot (said in the report).
* Nothing replaces the master until the rebuilt copy is complete. The previous master is
  kept beside it as ``<name>.before-rebuild-<time>``; ``dry_run`` only compares.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from inspect import signature
from pathlib import Path
from typing import Any

import duckdb

from assortment import months, store
from assortment.config import Rules, Settings
from assortment.errors import EnvironmentProblemError, StoreCheckError, ValidationError

# tables the replayed loads write; everything else is copied or recomputed
DATA_TABLES = ("products", "locations", "stock", "sales", "stock_summary", "slice_source")
HISTORY_TABLES = ("load_log", "classify_runs", "schema_migrations")


@dataclass
class TableDiff:
    """Rows of one table found in only one of the two databases."""

    table: str
    only_in_store: int
    only_in_rebuilt: int


@dataclass
class RebuildReport:
    """What a rebuild replayed and how the result compares with the store."""

    source: str  # 'master' or 'snapshot <name>'
    n_replayed: int
    months_classified: list[str]
    tables_compared: list[str]
    diffs: list[TableDiff] = field(default_factory=list)
    replaced: bool = False
    backup: Path | None = None

    @property
    def identical(self) -> bool:
        """True when every compared table holds the same rows in both databases."""
        return not self.diffs

    def lines(self) -> list[str]:
        """The report for the terminal."""
        out = [
            f"replayed {self.n_replayed} loads from the archive (load log read from {self.source});"
            f" classified {len(self.months_classified)} month(s) again",
            f"compared {len(self.tables_compared)} tables: "
            + ("identical" if self.identical else f"{len(self.diffs)} differ"),
        ]
        for d in self.diffs:
            out.append(
                f"  {d.table}: {d.only_in_store:,} rows only in the store,"
                f" {d.only_in_rebuilt:,} only in the rebuilt copy"
            )
        if self.replaced:
            out.append(f"the store now holds the rebuilt tables; the previous one is {self.backup}")
        return out


def archived_file(settings: Settings, kind: str, sha256: str) -> Path | None:
    """The archived copy of a loaded file, or None when it is missing."""
    if not sha256:
        return None
    found = sorted((settings.archive_dir / kind).glob(f"{sha256}__*"))
    return found[0] if found else None


def _open_source(settings: Settings) -> tuple[duckdb.DuckDBPyConnection, Path, str]:
    try:
        return store.connect_read_only(settings.db_path), settings.db_path, "master"
    except (duckdb.Error, EnvironmentProblemError):
        snap = store.current_snapshot(settings)
        return store.connect_read_only(snap), snap, f"snapshot {snap.name}"


def rebuild(
    settings: Settings, *, dry_run: bool = False, today: date | None = None
) -> RebuildReport:
    """Rebuild the tables from the archive, compare with the store, and (unless
    ``dry_run``) put the rebuilt database in place of the master and publish it.

    Raises:
        StoreCheckError: a loaded file is missing from the archive, was stored without a
            file, or no longer passes validation (nothing is changed).
    """
    with store.writer_lock(settings):
        store.remove_leftovers(settings)
        src, src_path, source = _open_source(settings)
        try:
            loads = src.sql(store.query_text("rebuild_loads")).fetchall()
            tables = [t for (t,) in store.query(src, "store_tables").iter_rows()]
            runs = [
                (m, rj) for m, rj in src.sql(store.query_text("rebuild_classify_runs")).fetchall()
            ]
        finally:
            src.close()
        missing = [
            f"load {load_id} ({kind} {file_name!r}, sha256 {sha[:12] or '-'})"
            for load_id, kind, file_name, sha, _ in loads
            if archived_file(settings, kind, sha) is None
        ]
        if missing:
            raise StoreCheckError(
                f"cannot rebuild: {len(missing)} loaded file(s) are not in {settings.archive_dir}"
                f" ({'; '.join(missing[:5])}{' ...' if len(missing) > 5 else ''}); restore them"
                " from a backup of the archive folder"
            )
        target = settings.data_dir / f".rebuild-{os.getpid()}.duckdb"
        _remove_db(target)
        try:
            report = _build(settings, target, src_path, loads, tables, runs, today=today)
            report.source = source
            if dry_run:
                return report
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
            backup = settings.db_path.with_name(f"{settings.db_path.name}.before-rebuild-{stamp}")
            if settings.db_path.exists():
                os.replace(settings.db_path, backup)
            wal = Path(f"{settings.db_path}.wal")
            if wal.exists():
                os.replace(wal, Path(f"{backup}.wal"))
            os.replace(target, settings.db_path)
            store.publish_snapshot(settings)
            report.replaced, report.backup = True, backup
            return report
        finally:
            _remove_db(target)


def _remove_db(path: Path) -> None:
    for p in (path, Path(f"{path}.wal")):
        p.unlink(missing_ok=True)


def _build(
    settings: Settings,
    target: Path,
    src_path: Path,
    loads: list[tuple],
    tables: list[str],
    runs: list[tuple[date, str]],
    *,
    today: date | None,
) -> RebuildReport:
    from assortment.ingest import load_file
    from assortment.job import RESULT_TABLES, run_month

    # the replay archives into the same folder (the files are there already: nothing written)
    replay = Settings(db_path=target, rules_path=settings.rules_path)
    # every replayed load was accepted once: a confirmation the loader asks for (the
    # completeness guard's accept_drop, where the loader has it) was given then
    confirmed: dict[str, Any] = (
        {"accept_drop": True} if "accept_drop" in signature(load_file).parameters else {}
    )
    con = store.connect(target)
    try:
        store.migrate(con)
        new_ids = []
        for load_id, kind, file_name, sha, loaded_by in loads:
            path = archived_file(settings, kind, sha)
            assert path is not None
            try:
                result = load_file(
                    con,
                    replay,
                    kind,
                    path,
                    file_name=file_name,
                    loaded_by=loaded_by,
                    today=today,
                    **confirmed,
                )
            except ValidationError as exc:
                raise StoreCheckError(
                    f"cannot rebuild: load {load_id} ({file_name!r}) no longer passes the"
                    f" checks: {exc}"
                ) from None
            new_ids.append((result.load_id, load_id))
        store.execute(con, "rebuild_attach_source", path=str(src_path))
        # the original history: load ids, rejections, unchanged re-loads, classify runs
        store.execute(con, "rebuild_id_map_create")
        con.executemany(store.statement_text("rebuild_id_map_insert"), new_ids)
        store.execute(con, "rebuild_slice_source_load_ids")
        _replace_with_source(con, "load_log")
        store.execute(con, "rebuild_load_id_seq")
        copied = [
            t
            for t in tables
            if t not in DATA_TABLES and t not in HISTORY_TABLES and t not in RESULT_TABLES
        ]
        for table in copied:  # identifiers from the source's own catalogue
            con.execute(store.statement_text("rebuild_table_copy").format(table=f'"{table}"'))
        classified = []
        for month, rules_json in runs:
            run_month(con, month, Rules.from_json(rules_json))
            classified.append(months.fmt(month))
        for table in ("classify_runs", "schema_migrations"):  # history, kept as it was
            _replace_with_source(con, table)
        compared = [t for t in tables if t not in ("schema_migrations", "classify_runs")]
        diffs = [d for t in compared if (d := _diff(con, t)) is not None]
        store.execute(con, "rebuild_detach_source")
        con.execute("checkpoint")
    finally:
        con.close()
    return RebuildReport(
        source="master",
        n_replayed=len(loads),
        months_classified=classified,
        tables_compared=compared,
        diffs=diffs,
    )


def _replace_with_source(con: duckdb.DuckDBPyConnection, table: str) -> None:
    """Replace the rows of a history table (one of HISTORY_TABLES) by the store's (src)."""
    assert table in HISTORY_TABLES, table
    con.execute(store.statement_text("rebuild_table_delete").format(table=table))
    con.execute(store.statement_text("rebuild_table_copy").format(table=table))


def _diff(con: duckdb.DuckDBPyConnection, table: str) -> TableDiff | None:
    """Rows of ``table`` in only one of main (rebuilt) and src (store); None when equal."""
    q = f'"{table}"'  # from the catalogue
    diff = store.query_text("rebuild_table_diff").format(table=q)
    only_store, only_rebuilt = con.execute(diff).fetchall()[0]
    if only_store == 0 and only_rebuilt == 0:
        return None
    return TableDiff(table, int(only_store), int(only_rebuilt))
