"""`assortment verify` and `assortment rebuild`: the store checked against its archive and log."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from assortment import store
from assortment.config import Settings
from assortment.errors import StoreCheckError, ValidationError
from assortment.ingest import load_file
from assortment.job import classify
from assortment.rebuild import rebuild
from assortment.verify import verify
from tests.conftest import TODAY, write

STOCK = "month,location_id,sku,on_hand\n"
SALES = "month,location_id,sku,units_sold,amount\n"


def all_tables(path: Path) -> dict[str, list[tuple]]:
    """Every table of a database file, rows sorted (for before/after comparisons)."""
    with duckdb.connect(str(path), read_only=True) as con:
        names = [t for (t,) in store.query(con, "store_tables").iter_rows()]
        return {t: sorted(con.execute(f'select * from "{t}"').fetchall(), key=repr) for t in names}


@pytest.fixture
def history(loaded: Settings, tmp_path: Path) -> Settings:
    """Two months of counts and sales, a corrected re-count, a rejected file, an unchanged
    re-load, a user, and classified results."""
    files = tmp_path / "in"
    files.mkdir()
    with store.writer(loaded) as con:
        first = write(
            files / "s09.csv",
            STOCK + "2026-09,D01,S1-BLK-75B,4\n2026-09,D01-S001,S2-NUD-M,3\n",
        )
        load_file(con, loaded, "stock", first, today=TODAY)
        oct_ = write(
            files / "s10.csv",
            STOCK
            + "2026-10,D01,S1-BLK-75B,2\n2026-10,D01,S1-BLK-80B,1\n2026-10,D01-S001,S2-NUD-L,6\n",
        )
        load_file(con, loaded, "stock", oct_, today=TODAY)
        fixed = write(files / "s10_fix.csv", STOCK + "2026-10,D01,S1-BLK-75B,5\n")
        load_file(con, loaded, "stock", fixed, today=TODAY)  # replaces D01's October slice
        sales = write(files / "sales10.csv", SALES + "2026-10,D01-S001,S2-NUD-L,2,118\n")
        load_file(con, loaded, "sales", sales, today=TODAY)
        with pytest.raises(ValidationError):
            load_file(
                con,
                loaded,
                "stock",
                write(files / "bad.csv", STOCK + "2026-10,D01,S1-BLK-75B,-1\n"),
                today=TODAY,
            )
        assert load_file(con, loaded, "stock", fixed, today=TODAY).result == "unchanged"
        con.execute(
            "insert into users (username, password_hash, role, scope) values ('rep1', 'x', 'rep', '张伟')"
        )
    classify(loaded, all_months=True)
    return loaded


def test_verify_passes_on_a_consistent_store(history):
    report = verify(history, today=TODAY)
    assert report.ok, report.text()
    assert "the store is consistent" in report.text()


def test_rebuild_gives_identical_tables(history):
    before = all_tables(history.db_path)
    report = rebuild(history, today=TODAY)
    assert report.identical and report.replaced, report.lines()
    assert report.n_replayed == 6  # products, locations, 3 stock files, 1 sales file
    after = all_tables(history.db_path)
    assert set(after) == set(before)
    for table in before:
        if table == "classify_runs":
            continue
        assert after[table] == before[table], table
    assert after["classify_runs"] == before["classify_runs"]  # history kept as it was
    assert report.backup is not None and report.backup.exists()
    # readers see the rebuilt store, and it keeps working
    with store.reader(history) as con:
        assert con.execute(
            "select on_hand from stock where month = '2026-10-01' and sku_key = 1"
        ).fetchall() == [(5,)]
    assert verify(history, today=TODAY).ok


def test_tampered_tables_are_found_and_rebuild_restores_them(history):
    with store.writer(history) as con:  # as a bad manual edit or a bug would
        con.execute("delete from stock where on_hand = 6")
        con.execute("update sales set units_sold = 99")
    report = verify(history, deep=True, today=TODAY)
    assert not report.ok
    text = report.text()
    assert (
        "PROBLEM stock summary: " in text
        and "2026-10 D01-S001: stored 1 styles / 6 units, recount None / None" in text
    )
    assert "PROBLEM rebuild from the archive" in text
    assert "stock: 0 rows only in the store, 1 only in the rebuilt copy" in text
    assert "sales: 1 rows only in the store, 1 only in the rebuilt copy" in text
    assert "what to do: `assortment rebuild`" in text
    assert "stock 2026-10 D01-S001 was loaded but its rows are gone" in text
    rebuilt = rebuild(history, today=TODAY)
    assert {d.table for d in rebuilt.diffs} >= {"stock", "sales"}
    assert verify(history, deep=True, today=TODAY).ok
    with store.reader(history) as con:
        assert con.execute("select units_sold from sales").fetchall() == [(2,)]


def test_slice_written_by_no_logged_load_is_named(history):
    with store.writer(history) as con:
        con.execute("update slice_source set sha256 = 'abc' where kind = 'sales'")
        con.execute("delete from slice_source where kind = 'stock' and month = '2026-09-01'")
    text = verify(history, today=TODAY).text()
    assert "sales 2026-10 D01-S001 (load" in text and "was written by other bytes" in text
    assert "stock 2026-09 D01 has rows that no logged load wrote" in text


def test_missing_archive_file_is_named_and_blocks_rebuild(history):
    victim = next((history.archive_dir / "sales").iterdir())
    victim.unlink()
    report = verify(history, today=TODAY)
    assert not report.ok
    assert "'sales10.csv'" in report.text() and "restore the named files" in report.text()
    before = all_tables(history.db_path)
    with pytest.raises(StoreCheckError, match="not in .*archive.*sales10.csv"):
        rebuild(history, today=TODAY)
    assert all_tables(history.db_path) == before  # nothing changed


def test_changed_archive_file_is_named(history):
    victim = next((history.archive_dir / "sales").iterdir())
    victim.write_bytes(victim.read_bytes() + b"2026-10,D01,S1-BLK-75B,1,199\n")
    assert "was changed after it was archived" in verify(history, today=TODAY).text()


def test_verify_publishes_what_readers_were_missing(history, tmp_path):
    with store.writer(history, publish=False) as con:  # as if killed before publishing
        load_file(
            con,
            history,
            "sales",
            write(tmp_path / "s.csv", SALES + "2026-09,D01,S1-BLK-75B,1,199\n"),
            today=TODAY,
        )
    (history.snapshot_dir / ".x.duckdb.tmp").write_bytes(b"partial")
    report = verify(history, today=TODAY)
    assert report.ok, report.text()
    assert "1 temporary file(s) of interrupted writers removed" in report.text()
    assert "repaired: readers were on older data than the master" in report.text()
    with store.reader(history) as con:
        assert con.execute("select count(*) from sales").fetchall() == [(2,)]


def test_cli_verify_and_rebuild_exit_codes(history, tmp_path):
    env = dict(os.environ, ASSORTMENT_DB=str(history.db_path), ASSORTMENT_TODAY=TODAY.isoformat())

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "assortment", *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=300,
        )

    ok = run("verify")
    assert ok.returncode == 0 and "the store is consistent" in ok.stdout, ok.stderr
    with store.writer(history) as con:
        con.execute("delete from stock_summary")
    bad = run("verify")
    assert (
        bad.returncode == 1
        and "PROBLEM stock summary" in bad.stdout
        and "Traceback" not in bad.stderr
    )
    dry = run("rebuild", "--dry-run")
    assert (
        dry.returncode == 1 and "stock_summary: 0 rows only in the store, 4 only in" in dry.stdout
    )
    assert run("verify").returncode == 1  # a dry run changes nothing
    fixed = run("rebuild")
    assert fixed.returncode == 0 and "the previous one is" in fixed.stdout
    assert run("verify").returncode == 0
    env["ASSORTMENT_DB"] = str(tmp_path / "none" / "x.duckdb")
    missing = run("verify")
    assert missing.returncode == 1 and "assortment init" in missing.stderr


@pytest.mark.slow
def test_rebuild_of_a_sample_network_loaded_through_the_cli_is_identical(tmp_path):
    """A generated network (messy files: GB18030, XLSX, Chinese headers) loaded with the CLI,
    classified, rebuilt from its archive: every table holds the same rows."""
    db = tmp_path / "data" / "assortment.duckdb"
    env = dict(os.environ, ASSORTMENT_DB=str(db), ASSORTMENT_TODAY=TODAY.isoformat())

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        out = subprocess.run(
            [sys.executable, "-m", "assortment", *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=600,
        )
        assert out.returncode == 0, out.stderr
        return out

    files = tmp_path / "net"
    run(
        "sample",
        "--out",
        str(files),
        "--distributors",
        "2",
        "--stores",
        "6",
        "--styles",
        "20",
        "--months",
        "4",
    )
    run("init")
    run("load", "products", str(files / "products.csv"))
    run("load", "locations", str(files / "locations.csv"))
    run("load", "stock", *sorted(str(p) for p in (files / "stock").iterdir()))
    run("load", "sales", *sorted(str(p) for p in (files / "sales").iterdir()))
    run("classify", "--all-months")
    before = all_tables(db)
    out = run("rebuild")
    assert re.search(r"compared \d+ tables: identical", out.stdout), out.stdout
    after = all_tables(db)
    assert after == before
    assert sum(len(before[t]) for t in ("stock", "sales")) > 500
