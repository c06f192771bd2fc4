"""The only module that opens DuckDB: migrations, the writers' lock and read snapshots.

DuckDB allows one read-write process or many read-only processes, never both. So:

* Writers (loads, classify, user management) take an exclusive file lock, open the
  *master* database read-write, commit one transaction per file, checkpoint, close,
  and then *publish* a snapshot: a byte copy of the checkpointed master written under
  a temporary name and renamed into ``snapshots/``; the file ``snapshots/CURRENT`` is
  then replaced atomically to name it.
* Readers (dashboard, monthly report, exports, status) open the snapshot named by
  ``CURRENT`` read-only. They never open the master, so they never wait on a writer
  and a writer never waits on them. An open reader keeps its (possibly unlinked)
  snapshot until it reconnects; old snapshots are deleted after each publish.
* Publishing heals itself. Beside each snapshot a small record keeps the master's
  size, mtime and inode at the moment it was copied. Every writer (and ``assortment
  verify``) compares the master with the record of the snapshot ``CURRENT`` names and
  publishes whenever they differ, so a writer killed, or a disk that filled, between
  the master commit and the publish never leaves readers on old data for good: the next
  writer publishes even when its own work changed nothing. DuckDB does not touch the
  file when a writer changes nothing, so an unchanged store is not copied again.
  Temporary copies are written only under the writers' lock, so whatever temporary
  file the next lock holder finds is a leftover and is removed at once.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import logging
import os
import re
import shutil
import threading
import time
import warnings
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from assortment.config import Settings
from assortment.errors import (
    AssortmentError,
    EnvironmentProblemError,
    NoDataError,
    PublishError,
    StoreBusyError,
)
from assortment.timing import phase

# query_served's extra copy is chosen (see there); catch_warnings per call would race in threads
warnings.filterwarnings("ignore", "Arrow output on a DB-API result", UserWarning)

SQL_DIR = Path(os.environ.get("ASSORTMENT_SQL_DIR", Path(__file__).resolve().parent.parent / "sql"))
_MIGRATION = re.compile(r"^(\d{3})_[a-z0-9_]+\.sql$")
_KEEP_SNAPSHOTS = 2
_STAMP_SUFFIX = ".published.json"  # beside each snapshot: the master stamp it was copied from
_FAULT_ENV = "ASSORTMENT_TEST_PUBLISH_FAULT"  # test-only fault injection, see _fault()

log = logging.getLogger(__name__)

LOCK_TIMEOUT_S = float(os.environ.get("ASSORTMENT_LOCK_TIMEOUT", "120"))


def _connect(path: Path, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    try:
        con = duckdb.connect(str(path), read_only=read_only)
    except duckdb.IOException as exc:  # unwritable folder or file, full disk: the user's to fix
        reason = str(exc).split("\n", 1)[0]
        raise EnvironmentProblemError(
            f"cannot open the database {str(path)!r}: {reason} (check the path, the folder's "
            "permissions and the free disk space; --db or ASSORTMENT_DB choose another)"
        ) from None
    con.execute("set enable_progress_bar = false")  # no bars in the CLI's or the server's output
    return con


def connect(path: Path) -> duckdb.DuckDBPyConnection:
    """A read-write connection to a database file, for callers that hold the writers' lock
    (verify replaying the master's WAL, rebuild writing its scratch copy)."""
    return _connect(path)


def connect_read_only(path: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection to a database file (the master under the writers' lock, or a
    snapshot)."""
    return _connect(path, read_only=True)


def query_text(name: str) -> str:
    """The text of ``sql/queries/<name>.sql``."""
    return (SQL_DIR / "queries" / f"{name}.sql").read_text("utf-8")


def query(con: duckdb.DuckDBPyConnection, name: str, **params: Any) -> pl.DataFrame:
    """Run ``sql/queries/<name>.sql`` with bound ``$name`` parameters; the result as polars.

    Read through the Arrow C stream interface: the same frame as ``.pl()`` without importing
    pyarrow (a tenth of a second of every command's start).
    """
    return pl.DataFrame(con.sql(query_text(name), params=params or None))


def query_served(con: duckdb.DuckDBPyConnection, name: str, **params: Any) -> pl.DataFrame:
    """:func:`query` for a long-running reader (the dashboard): the same frame, a quarter to a
    third less CPU on its queries of 10-40 ms.

    DuckDB 2 plans a ``con.sql(...)`` relation twice (once to name its columns, once to run
    it) and tokenizes its text in Python; ``execute`` plans it once, in C++. Its Arrow result
    needs pyarrow (a tenth of a second to import: paid once by a server, at every start by a
    command, hence :func:`query` there) and copies the rows once more, which costs little at
    the dashboard's sizes (measured on the 2,000-location network, one DuckDB thread: a rep's
    month of styles 21 -> 14 ms, the admin's 66,000 rows 83 -> 75 ms).
    """
    table = con.execute(query_text(name), params or None).to_arrow_table()
    return pl.DataFrame(pl.from_arrow(table))


class _ArrowStream:
    """A polars frame seen through the Arrow C stream interface only (see :func:`register`)."""

    def __init__(self, frame: pl.DataFrame) -> None:
        self._frame = frame

    def __arrow_c_stream__(self, requested_schema: object = None) -> object:
        return self._frame.__arrow_c_stream__(requested_schema)


def register(con: duckdb.DuckDBPyConnection, name: str, frame: pl.DataFrame) -> None:
    """Make a polars frame readable as the view ``name`` (``con.unregister(name)`` when done).

    Through the Arrow C stream interface, as :func:`query` reads: DuckDB would otherwise
    import pyarrow to convert the frame.
    """
    con.register(name, _ArrowStream(frame))


def statement_text(name: str) -> str:
    """The text of ``sql/statements/<name>.sql`` (one statement that changes data)."""
    return (SQL_DIR / "statements" / f"{name}.sql").read_text("utf-8")


def execute(con: duckdb.DuckDBPyConnection, name: str, **params: Any) -> list[tuple[Any, ...]]:
    """Run ``sql/statements/<name>.sql`` with bound ``$name`` parameters.

    Returns:
        The rows of its ``returning`` clause (DuckDB answers a count row for other statements).
    """
    return con.execute(statement_text(name), params or None).fetchall()


def migrations() -> list[tuple[int, Path]]:
    """The numbered schema files of ``sql/``, in order."""
    found = []
    for path in sorted(SQL_DIR.glob("*.sql")):
        m = _MIGRATION.match(path.name)
        if m:
            found.append((int(m.group(1)), path))
    return found


def migrate(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Apply every migration not yet recorded in ``schema_migrations``; returns their names."""
    con.execute(
        "create table if not exists schema_migrations ("
        " version integer primary key, name varchar not null, applied_at timestamp not null)"
    )
    done = {v for (v,) in con.execute("select version from schema_migrations").fetchall()}
    applied = []
    for version, path in migrations():
        if version in done:
            continue
        con.execute("begin transaction")
        try:
            con.execute(path.read_text("utf-8"))
            con.execute(
                "insert into schema_migrations values (?, ?, current_timestamp)",
                [version, path.name],
            )
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise
        applied.append(path.name)
    return applied


@contextlib.contextmanager
def _file_lock(path: Path, timeout_s: float) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
                if time.monotonic() >= deadline:
                    raise StoreBusyError(
                        f"another load or classification is writing to {path.parent} "
                        f"and has not finished after {timeout_s:g} s; try again later"
                    ) from None
                time.sleep(0.1)
        yield
    finally:
        os.close(fd)  # closing releases the lock


@contextlib.contextmanager
def writer_lock(settings: Settings) -> Iterator[None]:
    """Hold the writers' lock without opening the master (verify, rebuild)."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    with _file_lock(settings.lock_path, LOCK_TIMEOUT_S):
        yield


@contextlib.contextmanager
def writer(settings: Settings, *, publish: bool = True) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the master database read-write under the writers' lock.

    The caller runs its own transactions. On exit the database is checkpointed and closed
    and (with ``publish``) a new read snapshot is published whenever the master differs
    from the published one: after this writer's own work, and also when an earlier writer
    committed but died (or failed) before publishing. If the caller raises, its open
    transaction is rolled back; what earlier transactions committed is still published.

    Raises:
        PublishError: the data is stored but a snapshot could not be published (disk
            full, read-only folder); the next writer or ``assortment verify`` retries.
    """
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    with _file_lock(settings.lock_path, LOCK_TIMEOUT_S):
        remove_leftovers(settings)
        if publish and (settings.snapshot_dir / "CURRENT").exists() and is_stale(settings):
            log.warning(
                "the data readers see was behind %s (an earlier write stopped before"
                " publishing it); publishing it now",
                settings.db_path,
            )
        con = _connect(settings.db_path)
        clean = False
        try:
            migrate(con)
            yield con
            with phase("checkpoint"):
                con.execute("checkpoint")
            clean = True
        finally:
            if not clean:
                for stmt in ("rollback", "checkpoint"):
                    with contextlib.suppress(duckdb.Error):
                        con.execute(stmt)
            con.close()
            if publish and clean:
                with phase("publish"):
                    publish_if_stale(settings)
            elif publish:
                # the caller's error wins; a failure here is retried by the next writer
                with contextlib.suppress(AssortmentError, OSError):
                    publish_if_stale(settings)


def publish(settings: Settings) -> Path:
    """Publish a new read snapshot of the master (takes the writers' lock)."""
    with _file_lock(settings.lock_path, LOCK_TIMEOUT_S):
        remove_leftovers(settings)
        return publish_snapshot(settings)


_HEADER_BYTES = 3 * 4096
"""DuckDB's file header and its two database headers; each checkpoint writes a new iteration
count into one of them."""


def master_stamp(settings: Settings) -> dict[str, int | str] | None:
    """Size, modification time, inode and a hash of the headers of the master file (None when
    it does not exist).

    DuckDB leaves the file untouched when a writer changes nothing, so a different stamp
    means different data. The header hash is what tells two writes apart when they land in the
    same tick of the file system's coarse clock with the same size (size and mtime alone did
    not: a password change right after another write was never published).
    """
    try:
        st = os.stat(settings.db_path)
        with open(settings.db_path, "rb") as f:
            head = hashlib.sha256(f.read(_HEADER_BYTES)).hexdigest()
    except FileNotFoundError:
        return None
    return {"size": st.st_size, "mtime_ns": st.st_mtime_ns, "ino": st.st_ino, "head": head}


def published_stamp(settings: Settings) -> dict[str, int] | None:
    """The master stamp recorded when the snapshot named by CURRENT was published."""
    try:
        name = (settings.snapshot_dir / "CURRENT").read_text("utf-8").strip()
        record = json.loads((settings.snapshot_dir / f"{name}{_STAMP_SUFFIX}").read_text("utf-8"))
    except (OSError, ValueError):
        return None
    if not (settings.snapshot_dir / name).is_file():
        return None
    return record.get("master") if isinstance(record, dict) else None


def is_stale(settings: Settings) -> bool:
    """True when the published snapshot is not a copy of the master as it is now.

    That happens when a writer committed and was killed (or the disk filled) before it
    published; it is repaired by :func:`publish_if_stale`. Call with the writers' lock held
    (or accept that a writer may be between its commit and its publish).
    """
    stamp = master_stamp(settings)
    if stamp is None:
        return False
    wal = settings.db_path.with_name(settings.db_path.name + ".wal")
    if wal.exists() and wal.stat().st_size > 0:
        return True  # committed work not yet checkpointed into the file
    return stamp != published_stamp(settings)


def publish_if_stale(settings: Settings) -> Path | None:
    """Publish a snapshot when the master differs from the published one (lock held).

    Returns the new snapshot, or None when the published one was current.
    """
    if not is_stale(settings):
        return None
    return publish_snapshot(settings)


def publish_snapshot(settings: Settings, *, attempts: int = 3) -> Path:
    """Copy the (closed, checkpointed) master to a new snapshot and point CURRENT at it.

    Must be called while holding the writers' lock with no open connection to the master.
    A failed attempt removes its partial copy and is retried (``attempts`` in all).

    Raises:
        PublishError: every attempt failed (the master keeps the data; readers keep the
            previous snapshot until a later writer or ``assortment verify`` publishes).
    """
    for attempt in range(1, attempts + 1):
        try:
            return _publish_once(settings)
        except OSError as exc:
            remove_leftovers(settings)
            if attempt == attempts:
                where = exc.filename or settings.snapshot_dir
                raise PublishError(
                    f"the data is stored in {settings.db_path}, but publishing it for readers"
                    f" failed ({exc.strerror or exc}: {where}); the dashboard, exports and"
                    " reports still show the previous data. Free space or fix permissions"
                    f" in {settings.snapshot_dir}, then run `assortment verify` (any later"
                    " load or classification also publishes it)"
                ) from None
            time.sleep(0.2 * attempt)
    raise AssertionError("unreachable")  # pragma: no cover


def _fault(stage: str) -> None:
    """Test-only fault injection (env ``ASSORTMENT_TEST_PUBLISH_FAULT=<stage>:<action>``).

    ``action`` is a number of seconds to pause (printing ``PAUSED-IN-PUBLISH <stage>`` so a
    test can kill the process at that moment) or ``fail`` (an OSError as from a full disk).
    """
    spec = os.environ.get(_FAULT_ENV, "")
    want, _, action = spec.partition(":")
    if not spec or want != stage:
        return
    if action == "fail":
        raise OSError(errno.ENOSPC, "No space left on device", f"(injected at {stage})")
    print(f"PAUSED-IN-PUBLISH {stage}", flush=True)
    time.sleep(float(action or "60"))


def _publish_once(settings: Settings) -> Path:
    snap_dir = settings.snapshot_dir
    snap_dir.mkdir(parents=True, exist_ok=True)
    stamp = master_stamp(settings)
    _fault("copy")
    name = f"{settings.db_path.stem}-{datetime.now(UTC).strftime('%Y%m%dT%H%M%S%f')}.duckdb"
    tmp = snap_dir / f".{name}.tmp"
    shutil.copyfile(settings.db_path, tmp)
    with open(tmp, "rb+") as fh:
        os.fsync(fh.fileno())
    _fault("rename")
    os.replace(tmp, snap_dir / name)
    record_tmp = snap_dir / f".{name}{_STAMP_SUFFIX}.tmp"
    record_tmp.write_text(json.dumps({"master": stamp}), "utf-8")
    os.replace(record_tmp, snap_dir / f"{name}{_STAMP_SUFFIX}")
    _fault("pointer")
    pointer_tmp = snap_dir / ".CURRENT.tmp"
    pointer_tmp.write_text(name, "utf-8")
    os.replace(pointer_tmp, snap_dir / "CURRENT")
    _prune_snapshots(snap_dir, keep=name)
    return snap_dir / name


def remove_leftovers(settings: Settings) -> list[Path]:
    """Delete temporary files a killed or failed writer left in ``snapshots/`` (lock held).

    Only the holder of the writers' lock writes temporary files, so every one found while
    holding it is a leftover. Returns what was removed.
    """
    removed = []
    for stale in settings.snapshot_dir.glob(".*.tmp"):
        with contextlib.suppress(OSError):
            stale.unlink()
            removed.append(stale)
    return removed


def _prune_snapshots(snap_dir: Path, *, keep: str) -> None:
    snaps = sorted(p for p in snap_dir.glob("*.duckdb") if p.name != keep)
    for old in snaps[: max(0, len(snaps) - (_KEEP_SNAPSHOTS - 1))]:
        with contextlib.suppress(OSError):
            old.unlink()
    for record in snap_dir.glob(f"*{_STAMP_SUFFIX}"):
        if not (snap_dir / record.name.removesuffix(_STAMP_SUFFIX)).exists():
            with contextlib.suppress(OSError):
                record.unlink()


def current_snapshot(settings: Settings) -> Path:
    """The snapshot readers should open; NoDataError when nothing was ever published."""
    pointer = settings.snapshot_dir / "CURRENT"
    try:
        name = pointer.read_text("utf-8").strip()
    except FileNotFoundError:
        raise NoDataError(
            f"no database at {settings.db_path}: run `assortment init` and load some files first"
        ) from None
    return settings.snapshot_dir / name


def open_current(settings: Settings) -> tuple[Path, duckdb.DuckDBPyConnection]:
    """Open the snapshot CURRENT names read-only.

    Between reading CURRENT and opening the file, writers may publish twice and prune the
    named snapshot; then CURRENT is read again (a few times) instead of failing the read.
    """
    for attempt in range(5):
        path = current_snapshot(settings)
        try:
            return path, _connect(path, read_only=True)
        except (duckdb.IOException, EnvironmentProblemError):
            if path.exists() or attempt == 4:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


@contextlib.contextmanager
def reader(settings: Settings) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to the current snapshot, closed on exit."""
    _, con = open_current(settings)
    try:
        yield con
    finally:
        con.close()


class SnapshotReader:
    """A long-lived reader for servers: one read-only connection per snapshot, reopened
    when a writer publishes a new one. ``cursor()`` gives a thread-local cursor.

    ``threads``: DuckDB threads per query (None: DuckDB's default, one per core). A server's
    concurrency comes from its requests, each a small query: one thread each measured 20-40%
    less CPU per query than two on 2 cores (no hand-over between threads).
    """

    def __init__(self, settings: Settings, *, threads: int | None = None) -> None:
        self.settings = settings
        self.threads = threads
        self._lock = threading.Lock()
        self._path: Path | None = None
        self._con: duckdb.DuckDBPyConnection | None = None
        self._pointer: tuple[int, int, int] | None = None  # (inode, mtime, ctime) of CURRENT
        self._checked = 0.0  # when CURRENT was last read; 0 makes the next call read it

    def connection(self) -> duckdb.DuckDBPyConnection:
        """The connection to the newest snapshot.

        ``CURRENT`` is replaced by rename on every publish, so its inode tells a new snapshot
        from the one in use: one ``stat`` per call (microseconds), and a read that starts after
        a publish finished, in this process or any other (another server worker, the CLI),
        never sees the data before it.
        """
        with self._lock:
            try:
                st = os.stat(self.settings.snapshot_dir / "CURRENT")
                pointer: tuple[int, int, int] | None = (st.st_ino, st.st_mtime_ns, st.st_ctime_ns)
            except FileNotFoundError:
                pointer = None
            if self._con is None or pointer != self._pointer or self._checked == 0.0:
                self._checked = time.monotonic()
                self._pointer = pointer
                path = current_snapshot(self.settings)
                if path != self._path:
                    # cursors already handed out keep the old snapshot open until dropped
                    self._path, self._con = open_current(self.settings)
                    if self.threads:
                        self._con.execute(f"set threads = {int(self.threads)}")
            assert self._con is not None
            return self._con

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A new cursor on the newest snapshot (cheap; one per request or thread)."""
        return self.connection().cursor()

    def version(self) -> str:
        """Name of the snapshot in use: changes whenever new data is published."""
        self.connection()
        return self._path.name if self._path else ""

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            if self._con is not None:
                self._con.close()
                self._con = None
                self._path = None


def init(settings: Settings) -> list[str]:
    """Create or migrate the database and publish a first snapshot; returns applied migrations."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    with _file_lock(settings.lock_path, LOCK_TIMEOUT_S):
        remove_leftovers(settings)
        con = _connect(settings.db_path)
        try:
            applied = migrate(con)
            con.execute("checkpoint")
        finally:
            con.close()
        if applied or not (settings.snapshot_dir / "CURRENT").exists():
            publish_snapshot(settings)
        else:
            publish_if_stale(settings)
    return applied
