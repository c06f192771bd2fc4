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
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import re
import shutil
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from assortment.config import Settings
from assortment.errors import EnvironmentProblemError, NoDataError, StoreBusyError

SQL_DIR = Path(os.environ.get("ASSORTMENT_SQL_DIR", Path(__file__).resolve().parent.parent / "sql"))
_MIGRATION = re.compile(r"^(\d{3})_[a-z0-9_]+\.sql$")
_KEEP_SNAPSHOTS = 2

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


def query_text(name: str) -> str:
    """The text of ``sql/queries/<name>.sql``."""
    return (SQL_DIR / "queries" / f"{name}.sql").read_text("utf-8")


def query(con: duckdb.DuckDBPyConnection, name: str, **params: Any) -> pl.DataFrame:
    """Run ``sql/queries/<name>.sql`` with bound ``$name`` parameters; the result as polars."""
    return con.sql(query_text(name), params=params or None).pl()


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
def writer(settings: Settings, *, publish: bool = True) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the master database read-write under the writers' lock.

    The caller runs its own transactions. On a clean exit the database is checkpointed,
    closed and (with ``publish``) copied to a new read snapshot. If the caller raises,
    its open transaction is rolled back and nothing is published.
    """
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    with _file_lock(settings.lock_path, LOCK_TIMEOUT_S):
        con = _connect(settings.db_path)
        try:
            migrate(con)
            yield con
            con.execute("checkpoint")
        finally:
            con.close()
        if publish:
            publish_snapshot(settings)


def publish(settings: Settings) -> Path:
    """Publish a new read snapshot of the master (takes the writers' lock)."""
    with _file_lock(settings.lock_path, LOCK_TIMEOUT_S):
        return publish_snapshot(settings)


def publish_snapshot(settings: Settings) -> Path:
    """Copy the (closed, checkpointed) master to a new snapshot and point CURRENT at it.

    Must be called while holding the writers' lock with no open connection to the master.
    """
    snap_dir = settings.snapshot_dir
    snap_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    name = f"{settings.db_path.stem}-{stamp}.duckdb"
    tmp = snap_dir / f".{name}.tmp"
    shutil.copyfile(settings.db_path, tmp)
    with open(tmp, "rb+") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, snap_dir / name)
    pointer_tmp = snap_dir / ".CURRENT.tmp"
    pointer_tmp.write_text(name, "utf-8")
    os.replace(pointer_tmp, snap_dir / "CURRENT")
    _prune_snapshots(snap_dir, keep=name)
    return snap_dir / name


def _prune_snapshots(snap_dir: Path, *, keep: str) -> None:
    snaps = sorted(p for p in snap_dir.glob("*.duckdb") if p.name != keep)
    for old in snaps[: max(0, len(snaps) - (_KEEP_SNAPSHOTS - 1))]:
        with contextlib.suppress(OSError):
            old.unlink()
    for stale in snap_dir.glob(".*.tmp"):
        if stale.name != ".CURRENT.tmp" and time.time() - stale.stat().st_mtime > 3600:
            with contextlib.suppress(OSError):
                stale.unlink()


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


@contextlib.contextmanager
def reader(settings: Settings) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to the current snapshot, closed on exit."""
    con = _connect(current_snapshot(settings), read_only=True)
    try:
        yield con
    finally:
        con.close()


class SnapshotReader:
    """A long-lived reader for servers: one read-only connection per snapshot, reopened
    when a writer publishes a new one. ``cursor()`` gives a thread-local cursor."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self._path: Path | None = None
        self._con: duckdb.DuckDBPyConnection | None = None
        self._checked = 0.0

    def connection(self) -> duckdb.DuckDBPyConnection:
        """The connection to the newest snapshot (checked at most every 0.5 s)."""
        with self._lock:
            now = time.monotonic()
            if self._con is None or now - self._checked > 0.5:
                self._checked = now
                path = current_snapshot(self.settings)
                if path != self._path:
                    # cursors already handed out keep the old snapshot open until dropped
                    self._con = _connect(path, read_only=True)
                    self._path = path
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
        con = _connect(settings.db_path)
        try:
            applied = migrate(con)
            con.execute("checkpoint")
        finally:
            con.close()
        if applied or not (settings.snapshot_dir / "CURRENT").exists():
            publish_snapshot(settings)
    return applied
