"""The store: migrations, read snapshots beside a writer, and crash safety (kill -9 mid-load)."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import time

import duckdb
import pytest

from assortment import store
from assortment.config import Settings
from assortment.errors import NoDataError, PublishError
from assortment.ingest import load_file
from tests.conftest import TODAY, write

HEADER = "month,location_id,sku,on_hand\n"


def test_migrations_are_recorded_and_applied_once(settings):
    with store.writer(settings) as con:
        versions = [
            v for (v,) in con.execute("select version from schema_migrations order by 1").fetchall()
        ]
        assert versions == [v for v, _ in store.migrations()]
        assert store.migrate(con) == []


def test_reader_without_a_database_says_what_to_do(tmp_path):
    with (
        pytest.raises(NoDataError, match="assortment init"),
        store.reader(Settings(db_path=tmp_path / "x.duckdb")),
    ):
        pass


def test_readers_read_a_snapshot_while_a_writer_holds_the_master(loaded, tmp_path):
    path = write(tmp_path / "a.csv", HEADER + "2026-10,D01,S1-BLK-75B,5\n")
    with store.writer(loaded) as con:
        load_file(con, loaded, "stock", path, today=TODAY)
        # the writer has committed but not published: a reader in another process sees
        # the previous snapshot, and neither waits for the other
        code = (
            "import duckdb,sys; c=duckdb.connect(sys.argv[1], read_only=True);"
            "print(c.execute('select count(*) from stock').fetchall()[0][0])"
        )
        out = subprocess.run(
            [sys.executable, "-c", code, str(store.current_snapshot(loaded))],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        assert out.stdout.strip() == "0"
    with store.reader(loaded) as r:
        assert r.execute("select count(*) from stock").fetchall() == [(1,)]


def test_snapshot_reader_follows_new_publications(loaded, tmp_path):
    reader = store.SnapshotReader(loaded, threads=1)
    threads = "select current_setting('threads')"
    first = reader.version()
    assert reader.cursor().execute(threads).fetchall() == [(1,)]
    with store.writer(loaded) as con:
        load_file(
            con,
            loaded,
            "stock",
            write(tmp_path / "a.csv", HEADER + "2026-10,D01,S1-BLK-75B,5\n"),
            today=TODAY,
        )
    time.sleep(0.6)
    assert reader.version() != first
    assert reader.cursor().execute("select count(*) from stock").fetchall() == [(1,)]
    assert reader.cursor().execute(threads).fetchall() == [(1,)]  # the new snapshot's too
    reader.close()


def test_the_dashboards_reader_runs_a_query_on_one_thread(loaded, monkeypatch):
    from dashboard.data import Data

    assert Data(loaded).reader.threads == 1
    monkeypatch.setenv("ASSORTMENT_READER_THREADS", "0")
    assert not Data(loaded).reader.threads  # DuckDB's default: one per core


def test_second_writer_waits_then_reports_busy(loaded, monkeypatch):
    monkeypatch.setattr(store, "LOCK_TIMEOUT_S", 0.3)
    from assortment.errors import StoreBusyError

    with store.writer(loaded, publish=False), pytest.raises(StoreBusyError), store.writer(loaded):
        pass


# The CLI with a fault the test injects itself (production code has no test hook): after the
# last statement of the load's transaction, say so and wait to be killed before the commit.
_PAUSE_BEFORE_COMMIT = """
import sys, time
from assortment import cli, store

real_execute = store.execute

def execute_then_pause(con, name, **params):
    rows = real_execute(con, name, **params)
    if name == "load_slice_source":
        print("PAUSED-IN-TRANSACTION", flush=True)
        time.sleep(60)
    return rows

store.execute = execute_then_pause
sys.argv = ["assortment", *sys.argv[1:]]
cli.main()
"""


@pytest.mark.slow
def test_kill_minus_nine_mid_load_keeps_the_previous_data(loaded, tmp_path):
    good = write(
        tmp_path / "good.csv", HEADER + "2026-10,D01,S1-BLK-75B,5\n2026-10,D01-S001,S2-NUD-M,2\n"
    )
    with store.writer(loaded) as con:
        load_file(con, loaded, "stock", good, today=TODAY)
    with duckdb.connect(str(loaded.db_path), read_only=True) as c:
        before = sorted(c.execute("select * from stock").fetchall())
        summary_before = sorted(c.execute("select * from stock_summary").fetchall())
    lines = "".join(f"2026-10,D01,S1-BLK-80B,{i}\n" for i in range(1, 2))
    new = write(tmp_path / "new.csv", HEADER + lines + "2026-10,D01-S002,S1-NUD-75B,7\n")
    env = dict(os.environ, ASSORTMENT_DB=str(loaded.db_path), ASSORTMENT_TODAY=TODAY.isoformat())
    with subprocess.Popen(
        [sys.executable, "-c", _PAUSE_BEFORE_COMMIT, "load", "stock", str(new)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    ) as proc:
        try:
            assert proc.stdout is not None
            line = proc.stdout.readline()  # old rows deleted, new ones inserted, not committed
            assert "PAUSED-IN-TRANSACTION" in line
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)
    with store.writer(loaded) as con:  # reopening replays the WAL: only committed work survives
        assert sorted(con.execute("select * from stock").fetchall()) == before
        assert sorted(con.execute("select * from stock_summary").fetchall()) == summary_before
        # and the store still works
        load_file(con, loaded, "stock", new, today=TODAY)
        assert con.execute("select count(*) from stock").fetchall() == [(3,)]


def test_archive_keeps_every_file_byte_for_byte(loaded, tmp_path):
    data = ("月份,门店编码,条码,期末库存\n2026-10,D01,S1-BLK-75B,1\n").encode("gb18030")
    path = tmp_path / "盘点.csv"
    path.write_bytes(data)
    with store.writer(loaded) as con:
        load_file(con, loaded, "stock", path, today=TODAY)
    archived = list((loaded.archive_dir / "stock").iterdir())
    assert (
        len(archived) == 1
        and archived[0].read_bytes() == data
        and archived[0].name.endswith("盘点.csv")
    )


def test_cli_exit_codes(loaded, tmp_path):
    env = dict(os.environ, ASSORTMENT_DB=str(loaded.db_path), ASSORTMENT_TODAY=TODAY.isoformat())

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "assortment", *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )

    ok = run(
        "load", "stock", str(write(tmp_path / "ok.csv", HEADER + "2026-10,D01,S1-BLK-75B,5\n"))
    )
    assert ok.returncode == 0, ok.stderr
    errors_out = tmp_path / "errors.csv"
    bad = run(
        "load",
        "stock",
        str(write(tmp_path / "bad.csv", HEADER + "2026-10,D01,S1-BLK-75B,-5\n")),
        "--errors-out",
        str(errors_out),
    )
    assert bad.returncode == 1 and "Traceback" not in bad.stderr
    assert "row 2, column 'on_hand', value '-5': is negative" in bad.stderr
    assert "bad.csv,2,on_hand,'-5,is negative" in errors_out.read_text("utf-8-sig")
    usage = run("load", "stock", str(tmp_path / "missing.csv"))
    assert usage.returncode == 2 and "no such file" in usage.stderr
    assert run("load", "nonsense").returncode == 2
    checked = run(
        "load",
        "stock",
        "--check",
        str(write(tmp_path / "c.csv", HEADER + "2026-10,D01,S2-NUD-M,9\n")),
    )
    assert checked.returncode == 0 and "valid (not stored)" in checked.stdout
    with store.reader(loaded) as con:
        assert con.execute("select count(*) from stock where on_hand = 9").fetchall() == [(0,)]
    bad_check = run("load", "stock", "--check", str(tmp_path / "bad.csv"))
    assert bad_check.returncode == 1 and "is negative" in bad_check.stderr
    status = run("status")
    assert status.returncode == 0 and "2026-10" in status.stdout


# ---------------------------------------------------------------- self-healing publish


def _stock_rows(settings: Settings) -> list[tuple]:
    with store.reader(settings) as con:
        return sorted(con.execute("select * from stock").fetchall())


def _cli_env(settings: Settings, **extra: str) -> dict[str, str]:
    return dict(
        os.environ,
        ASSORTMENT_DB=str(settings.db_path),
        ASSORTMENT_TODAY=TODAY.isoformat(),
        **extra,
    )


@pytest.mark.slow
@pytest.mark.parametrize("stage", ["copy", "rename", "pointer"])
def test_writer_killed_while_publishing_is_healed_by_the_next_writer(loaded, tmp_path, stage):
    """Killed after the master commit, before readers see it: the retried load says
    'unchanged' and still publishes, and the partial copy is gone at once."""
    path = write(tmp_path / "a.csv", HEADER + "2026-10,D01,S1-BLK-75B,5\n")
    env = _cli_env(loaded, ASSORTMENT_TEST_PUBLISH_FAULT=f"{stage}:60")
    with subprocess.Popen(
        [sys.executable, "-m", "assortment", "load", "stock", str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    ) as proc:
        try:
            assert proc.stdout is not None
            lines = [proc.stdout.readline(), proc.stdout.readline()]
            assert "loaded" in lines[0] and f"PAUSED-IN-PUBLISH {stage}" in lines[1], lines
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)
    assert _stock_rows(loaded) == []  # readers are still on the old snapshot
    assert store.is_stale(loaded)
    retry = subprocess.run(
        [sys.executable, "-m", "assortment", "load", "stock", str(path)],
        capture_output=True,
        text=True,
        env=_cli_env(loaded),
        timeout=120,
    )
    assert retry.returncode == 0, retry.stderr
    assert "unchanged" in retry.stdout and "publishing it now" in retry.stderr
    assert [r[2:] for r in _stock_rows(loaded)] == [(1, 5)]
    assert not store.is_stale(loaded)
    assert list(loaded.snapshot_dir.glob(".*")) == []  # no temporary copy left behind


def test_any_writer_publishes_what_an_interrupted_one_left(loaded, tmp_path):
    path = write(tmp_path / "a.csv", HEADER + "2026-10,D01,S1-BLK-75B,5\n")
    with store.writer(loaded, publish=False) as con:  # as if killed before publishing
        load_file(con, loaded, "stock", path, today=TODAY)
    (loaded.snapshot_dir / ".assortment-x.duckdb.tmp").write_bytes(b"partial copy")
    assert _stock_rows(loaded) == [] and store.is_stale(loaded)
    with store.writer(loaded):  # a writer that changes nothing (a user added, a no-op load)
        assert list(loaded.snapshot_dir.glob(".*.tmp")) == []  # removed at once, under the lock
    assert len(_stock_rows(loaded)) == 1 and not store.is_stale(loaded)


def test_retried_cli_load_publishes_what_a_killed_load_committed(loaded, tmp_path):
    """The defect as users met it: the load committed, its process died before publishing,
    and the retried load said 'unchanged' while every reader kept the old numbers."""
    path = write(tmp_path / "a.csv", HEADER + "2026-10,D01,S1-BLK-75B,5\n")
    with store.writer(loaded, publish=False) as con:  # committed, then killed
        load_file(con, loaded, "stock", path, today=TODAY)
    retry = subprocess.run(
        [sys.executable, "-m", "assortment", "load", "stock", str(path)],
        capture_output=True,
        text=True,
        env=_cli_env(loaded),
        timeout=120,
    )
    assert retry.returncode == 0 and "unchanged" in retry.stdout, retry.stderr
    assert [r[2:] for r in _stock_rows(loaded)] == [(1, 5)]


def test_a_writer_that_changes_nothing_does_not_copy_the_store_again(loaded):
    before = store.current_snapshot(loaded)
    with store.writer(loaded) as con:
        con.execute("select count(*) from stock").fetchall()
    assert store.current_snapshot(loaded) == before


def test_failed_publish_is_reported_cleaned_up_and_retried(loaded, tmp_path, monkeypatch):
    """A disk that fills while the snapshot is copied: the load is stored, the failure is a
    PublishError naming the folder, no partial copy stays, and the next writer publishes."""
    path = write(tmp_path / "a.csv", HEADER + "2026-10,D01,S1-BLK-75B,5\n")
    real_copy = store.shutil.copyfile
    calls = []

    def full_disk(src, dst):  # writes part of the copy, then the disk is full
        calls.append(dst)
        with open(dst, "wb") as fh:
            fh.write(b"\0" * 4096)
        raise OSError(errno.ENOSPC, "No space left on device", str(dst))

    monkeypatch.setattr(store.shutil, "copyfile", full_disk)
    with (
        pytest.raises(PublishError, match="stored.*No space left.*assortment verify"),
        store.writer(loaded) as con,
    ):
        load_file(con, loaded, "stock", path, today=TODAY)
    assert len(calls) == 3  # retried before giving up
    assert list(loaded.snapshot_dir.glob(".*")) == []
    assert _stock_rows(loaded) == [] and store.is_stale(loaded)
    monkeypatch.setattr(store.shutil, "copyfile", real_copy)
    with store.writer(loaded) as con:
        assert load_file(con, loaded, "stock", path, today=TODAY).result == "unchanged"
    assert len(_stock_rows(loaded)) == 1 and not store.is_stale(loaded)


def test_cli_reports_a_failed_publish_in_words_and_a_retry_heals_it(loaded, tmp_path):
    path = write(tmp_path / "a.csv", HEADER + "2026-10,D01,S1-BLK-75B,5\n")
    cmd = [sys.executable, "-m", "assortment", "load", "stock", str(path)]
    failed = subprocess.run(
        cmd,
        capture_output=True,
        text=True,
        env=_cli_env(loaded, ASSORTMENT_TEST_PUBLISH_FAULT="rename:fail"),
        timeout=120,
    )
    assert failed.returncode == 1 and "Traceback" not in failed.stderr, failed.stderr
    assert "loaded" in failed.stdout and "publishing it for readers failed" in failed.stderr
    assert _stock_rows(loaded) == []
    status = subprocess.run(
        [sys.executable, "-m", "assortment", "load", "stock", str(path)],
        capture_output=True,
        text=True,
        env=_cli_env(loaded),
        timeout=120,
    )
    assert status.returncode == 0 and "unchanged" in status.stdout
    assert len(_stock_rows(loaded)) == 1


def test_a_reader_whose_snapshot_was_pruned_meanwhile_reads_current_again(loaded, monkeypatch):
    """CURRENT read, then two publishes prune that snapshot before it is opened."""
    real = store.current_snapshot
    gone = loaded.snapshot_dir / "assortment-19990101T000000000000.duckdb"
    answers = [gone]

    def racing(settings):
        return answers.pop() if answers else real(settings)

    monkeypatch.setattr(store, "current_snapshot", racing)
    with store.reader(loaded) as con:
        assert con.execute("select count(*) from products").fetchall() == [(5,)]
    assert answers == []
