"""`assortment verify`: check the store and repair what is safe to repair (publishing).

Checks, each with what to do when it fails:

1. Leftovers: temporary snapshot copies of killed writers are removed (under the lock).
2. Master vs published snapshot: when the master differs from the snapshot readers use,
   verify publishes it (the self-healing of ``store.writer``) and says so; then every
   table of the snapshot must hold the same rows as the master (count and row hash).
3. Load log vs archive: every file that was loaded (or re-loaded unchanged) must be in
   ``archive/<kind>/`` with the same sha256; otherwise ``rebuild`` cannot replay it.
4. Load log vs tables: every slice of ``stock`` and ``sales`` was written by a load the
   log records as loaded, with the same bytes, and that load listed the slice; every
   such slice still has its rows; ``stock_summary`` equals a recount of ``stock``.
5. With ``deep``: the archive replayed into a scratch database (``rebuild`` without
   replacing anything) must give the same rows in every table.

Exit codes (``assortment verify``): 0 the store is consistent (possibly after verify
published a snapshot, which it reports); 1 a problem verify cannot repair, each named
with what to do; 2 bad options; 3 a bug.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb

from assortment import store
from assortment.config import Settings
from assortment.errors import StoreCheckError

_SHOW = 5  # problems listed per check; the rest are counted


@dataclass
class Check:
    """One check: what was looked at, and what is wrong (empty when fine)."""

    name: str
    detail: str
    problems: list[str] = field(default_factory=list)
    advice: str = ""
    repaired: str = ""

    @property
    def ok(self) -> bool:
        """True when nothing is wrong."""
        return not self.problems

    def lines(self) -> list[str]:
        """This check for the terminal."""
        mark = "ok     " if self.ok else "PROBLEM"
        out = [f"{mark} {self.name}: {self.detail}"]
        if self.repaired:
            out.append(f"        repaired: {self.repaired}")
        for p in self.problems[:_SHOW]:
            out.append(f"        {p}")
        if len(self.problems) > _SHOW:
            out.append(f"        ... and {len(self.problems) - _SHOW} more")
        if self.problems and self.advice:
            out.append(f"        what to do: {self.advice}")
        return out


@dataclass
class VerifyReport:
    """Every check of one verify run."""

    checks: list[Check]

    @property
    def ok(self) -> bool:
        """True when every check passed."""
        return all(c.ok for c in self.checks)

    def text(self) -> str:
        """The report for the terminal."""
        lines = [line for c in self.checks for line in c.lines()]
        lines.append(
            "the store is consistent"
            if self.ok
            else f"{sum(not c.ok for c in self.checks)} check(s) found problems"
        )
        return "\n".join(lines)


def verify(settings: Settings, *, deep: bool = False, today: date | None = None) -> VerifyReport:
    """Check the store (see the module docstring); publishes a stale snapshot.

    Raises:
        NoDataError: there is no database yet.
        PublishError: the snapshot is stale and publishing it failed again.
    """
    from assortment.errors import NoDataError

    if not settings.db_path.exists():
        raise NoDataError(f"no database at {settings.db_path}: run `assortment init` first")
    checks = []
    with store.writer_lock(settings):
        removed = store.remove_leftovers(settings)
        checks.append(
            Check(
                "leftovers",
                f"{len(removed)} temporary file(s) of interrupted writers removed",
            )
        )
        if store.is_stale(settings):
            # replay any WAL into the file first: a snapshot is a copy of the file alone
            con = store.connect(settings.db_path)
            con.execute("checkpoint")
            con.close()
        published = store.publish_if_stale(settings)
        snap = Check("published snapshot", "")
        if published is not None:
            snap.repaired = (
                f"readers were on older data than the master; published {published.name}"
            )
        master = store.connect_read_only(settings.db_path)
        try:
            snap_path = store.current_snapshot(settings)
            snap.detail = f"{snap_path.name} against {settings.db_path.name}"
            snap.problems = _compare_snapshot(master, snap_path)
            snap.advice = (
                "run `assortment verify` again; if it persists, the snapshot folder is being"
                " changed by something else"
            )
            checks.append(snap)
            checks.append(_check_archive(master, settings))
            checks.extend(_check_tables(master))
        finally:
            master.close()
    if deep:
        checks.append(_check_rebuild(settings, today=today))
    return VerifyReport(checks)


def _fingerprints(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[int, int]]:
    out = {}
    for (table,) in store.query(con, "store_tables").iter_rows():
        q = f'"{table}"'  # from the catalogue
        fingerprint = store.query_text("verify_table_fingerprint").format(table=q)
        n, h = con.execute(fingerprint).fetchall()[0]
        out[table] = (int(n), int(h))
    return out


def _compare_snapshot(master: duckdb.DuckDBPyConnection, snap_path: Path) -> list[str]:
    snap = store.connect_read_only(snap_path)
    try:
        theirs = _fingerprints(snap)
    finally:
        snap.close()
    ours = _fingerprints(master)
    problems = []
    for table in sorted(set(ours) | set(theirs)):
        if table not in theirs:
            problems.append(f"table {table} is missing from the snapshot")
        elif table not in ours:
            problems.append(f"table {table} is only in the snapshot")
        elif ours[table] != theirs[table]:
            problems.append(
                f"table {table}: {ours[table][0]:,} rows in the master,"
                f" {theirs[table][0]:,} in the snapshot, contents differ"
            )
    return problems


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _check_archive(master: duckdb.DuckDBPyConnection, settings: Settings) -> Check:
    from assortment.rebuild import archived_file

    loads = store.query(master, "verify_archived_loads")
    check = Check("load log vs archive", f"{loads.height:,} stored files in the load log")
    checked: dict[tuple[str, str], bool] = {}
    for r in loads.iter_rows(named=True):
        what = (
            f"load {r['load_id']} ({r['kind']} {r['file_name']!r}, {r['loaded_at']:%Y-%m-%d %H:%M})"
        )
        if not r["sha256"]:
            check.problems.append(
                f"{what} was stored from memory, not from a file: it cannot be replayed"
            )
            continue
        path = archived_file(settings, r["kind"], r["sha256"])
        if path is None:
            check.problems.append(f"{what}: no archive/{r['kind']}/{r['sha256'][:12]}...__* file")
            continue
        key = (r["kind"], r["sha256"])
        if key not in checked:
            checked[key] = _sha256_file(path) == r["sha256"]
        if not checked[key]:
            check.problems.append(f"{what}: {path.name} was changed after it was archived")
    check.advice = (
        f"restore the named files into {settings.archive_dir} from a backup; until then"
        " `assortment rebuild` cannot reproduce those loads (the tables themselves are not affected)"
    )
    return check


def _check_tables(master: duckdb.DuckDBPyConnection) -> list[Check]:
    sources = store.query(master, "verify_slice_sources")
    slices = store.query(master, "verify_fact_slices")
    summary = store.query(master, "verify_stock_summary")
    n_sources = int(store.query(master, "verify_n_slices").item())
    words = {
        "load_missing": "names a load that is not in the load log",
        "load_not_loaded": "names a load the log does not record as a successful load of that kind",
        "sha_differs": "was written by other bytes than the load it names",
        "slice_not_in_load": "is not among the slices the load it names replaced",
        "no_source": "has rows that no logged load wrote",
        "rows_missing": "was loaded but its rows are gone",
    }
    rebuild_advice = (
        "run `assortment verify --deep` to see what the archive would rebuild, then"
        " `assortment rebuild` (the current database is kept beside the rebuilt one)"
    )
    a = Check(
        "load log vs tables",
        f"{n_sources:,} (kind, month, location) slices and their loads",
        problems=[
            f"{r['kind']} {r['month']} {r['location_id']} (load {r['load_id']}) {words[r['problem']]}"
            for r in sources.iter_rows(named=True)
        ]
        + [
            f"{r['kind']} {r['month']} {r['location_id']} {words[r['problem']]}"
            for r in slices.iter_rows(named=True)
        ],
        advice=rebuild_advice,
    )
    b = Check(
        "stock summary",
        "active styles and units of every counted (month, location) against a recount",
        problems=[
            f"{r['month']} {r['location_id']}: stored {r['stored_active_styles']} styles /"
            f" {r['stored_on_hand_units']} units, recount {r['counted_active_styles']} /"
            f" {r['counted_on_hand_units']}"
            for r in summary.iter_rows(named=True)
        ],
        advice=rebuild_advice,
    )
    return [a, b]


def _check_rebuild(settings: Settings, *, today: date | None) -> Check:
    from assortment.rebuild import rebuild

    check = Check("rebuild from the archive", "")
    try:
        report = rebuild(settings, dry_run=True, today=today)
    except StoreCheckError as exc:
        check.problems.append(str(exc))
        return check
    check.detail = (
        f"{report.n_replayed:,} loads replayed, {len(report.tables_compared)} tables compared"
    )
    check.problems = [
        f"{d.table}: {d.only_in_store:,} rows only in the store, {d.only_in_rebuilt:,} only in"
        " the rebuilt copy"
        for d in report.diffs
    ]
    check.advice = (
        "`assortment rebuild` replaces the tables with what the archive gives (the current"
        " database is kept beside it); first make sure the archive is complete"
    )
    return check
