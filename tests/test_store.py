"""The store: migrations, read snapshots beside a writer, and crash safety (kill -9 mid-load)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import duckdb
import pytest

from assortment import store
from assortment.config import Settings
from assortment.errors import NoDataError
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
    reader = store.SnapshotReader(loaded)
    first = reader.version()
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
    reader.close()


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
