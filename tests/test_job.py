"""The classification job end to end: store -> rules -> result tables -> exports (the contract)."""

from __future__ import annotations

import csv
from pathlib import Path

import polars as pl
import pytest

from assortment import job, store
from assortment.config import Rules, Settings
from assortment.errors import NoDataError, UsageError
from assortment.export import export, neutralise_formulas
from assortment.ingest import load_file
from assortment.job import classify
from assortment.sample import generate, load_network

EXPORT_COLUMNS = {
    "style-health": "month, location_id, style, segment, is_bestseller, is_new, on_hand, units_sold, sell_through,"
    " broken_size, broken_colour, missing_core_skus",
    "compliance": "month, location_id, kind, distributor_id, region, rep, status, active_styles, min_styles,"
    " bestseller_coverage, new_coverage, broken_size_share, slow_stock_share, shrinking, reasons",
}


@pytest.fixture(scope="module")
def network_store(tmp_path_factory) -> Settings:
    tmp = tmp_path_factory.mktemp("net")
    net = generate(seed=5, distributors=3, stores=18, styles=60, months=7)
    settings = Settings(db_path=tmp / "data" / "assortment.duckdb")
    load_network(net, settings, folder=tmp)
    classify(settings)
    return settings


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.mark.parametrize("kind", ["style-health", "compliance"])
def test_exports_have_exactly_the_contract_columns(network_store, tmp_path, kind):
    out = tmp_path / f"{kind}.csv"
    with store.reader(network_store) as con:
        n = export(con, kind, None, out)
    with out.open(encoding="utf-8") as fh:
        header = fh.readline().strip()
    assert header == EXPORT_COLUMNS[kind].replace(" ", "")
    assert n > 0 and len(read_csv(out)) == n


def test_actions_and_order_plan_exports(network_store, tmp_path):
    with store.reader(network_store) as con:
        export(con, "actions", None, tmp_path / "a.csv")
        export(con, "order-plan", None, tmp_path / "o.xlsx")
        export(con, "compliance", None, tmp_path / "c.parquet")
    actions = read_csv(tmp_path / "a.csv")
    assert {
        "location_id",
        "action",
        "style",
        "colour",
        "size",
        "units",
        "source_location_id",
        "reason",
    } <= set(actions[0])
    assert {a["action"] for a in actions} <= {"replenish", "transfer", "distribute", "clearance"}
    transfers = [a for a in actions if a["action"] == "transfer"]
    assert all(a["source_location_id"] for a in transfers)
    plan = pl.read_excel(tmp_path / "o.xlsx")
    assert (
        plan.columns[:5] == ["month", "region", "style", "size", "units"]
        and (plan["units"] >= 0).all()
    )
    comp = pl.read_parquet(tmp_path / "c.parquet")
    assert comp["status"].is_in(["pass", "warn", "fail", "no_count"]).all()


def test_compliance_lists_every_active_location_and_no_closed_one(network_store, tmp_path):
    with store.reader(network_store) as con:
        export(con, "compliance", None, tmp_path / "c.csv")
        active = {
            r[0]
            for r in con.execute(
                "select location_id from locations where status = 'active'"
            ).fetchall()
        }
        closed = {
            r[0]
            for r in con.execute(
                "select location_id from locations where status = 'closed'"
            ).fetchall()
        }
    rows = read_csv(tmp_path / "c.csv")
    assert {r["location_id"] for r in rows} == active
    assert not closed & {r["location_id"] for r in rows}
    order = [
        "below_min_styles",
        "bestsellers_missing",
        "new_styles_missing",
        "many_broken_sizes",
        "slow_stock_heavy",
        "assortment_shrinking",
    ]
    for r in rows:
        reasons = [x for x in r["reasons"].split(";") if x]
        assert reasons == sorted(reasons, key=order.index)
        assert (r["status"] == "pass") == (not reasons and r["status"] != "no_count")


def test_rerun_replaces_the_month_and_records_the_rules(network_store, tmp_path):
    with store.reader(network_store) as con:
        before = con.execute("select count(*) from style_health").fetchall()[0][0]
    rules_file = tmp_path / "rules.toml"
    rules_file.write_text("lookback_months = 2\n[store]\nmin_styles = 25\n")
    other = Settings(db_path=network_store.db_path, rules_path=rules_file)
    classify(other)
    with store.reader(network_store) as con:
        fps = con.execute("select distinct rules_fingerprint from compliance").fetchall()
        runs = con.execute("select count(*) from classify_runs").fetchall()[0][0]
        after = con.execute("select count(*) from style_health").fetchall()[0][0]
        mins = con.execute(
            "select distinct min_styles from compliance where kind = 'store'"
        ).fetchall()
    assert fps == [(Rules.from_toml(rules_file).fingerprint,)] and runs == 1
    assert after > 0 and before > 0
    assert (25,) in mins
    classify(network_store)  # back to the defaults for the other tests


def test_month_errors_are_clear(network_store, tmp_path):
    with pytest.raises(NoDataError, match="no stock counts for 2020-01"):
        classify(network_store, month="2020-01")
    with pytest.raises(UsageError, match="YYYY-MM"):
        classify(network_store, month="last")
    with store.reader(network_store) as con, pytest.raises(NoDataError, match="not classified"):
        export(con, "compliance", "2020-01", tmp_path / "x.csv")
    with store.reader(network_store) as con, pytest.raises(UsageError, match="unknown export"):
        export(con, "nonsense", None, tmp_path / "x.csv")


def test_empty_database_says_what_to_do(settings):
    with pytest.raises(NoDataError, match="load stock files first"):
        classify(settings)


def test_csv_cells_that_look_like_formulas_are_neutralised():
    frame = pl.DataFrame({"a": ["=1+1", "+x", "-y", "@z", "ok", None], "n": [-1, 2, 3, 4, 5, 6]})
    out = neutralise_formulas(frame)
    assert out["a"].to_list() == ["'=1+1", "'+x", "'-y", "'@z", "ok", None]
    assert out["n"].to_list() == [-1, 2, 3, 4, 5, 6]


def test_partitions_give_the_same_results(network_store):
    from assortment.job import compute, read_inputs, resolve_month

    rules = Rules()
    with store.reader(network_store) as con:
        month = resolve_month(con, None)
        inputs = read_inputs(con, month, rules)
    one = compute(inputs, month, rules, partitions=1)
    three = compute(inputs, month, rules, partitions=3)
    for name in ("style_health", "compliance", "actions"):
        keys = [
            c
            for c in ("location_id", "style", "action", "colour", "size", "sku")
            if c in one[name].columns
        ]
        a = one[name].sort(keys, nulls_last=True)
        b = three[name].sort(keys, nulls_last=True)
        assert a.equals(b), name


def test_export_classifies_first_when_results_are_missing_or_out_of_date(tmp_path):
    import os
    import subprocess
    import sys

    net = generate(seed=9, distributors=2, stores=6, styles=40, months=4)
    settings = Settings(db_path=tmp_path / "data" / "assortment.duckdb")
    load_network(net, settings, folder=tmp_path)
    env = dict(os.environ, ASSORTMENT_DB=str(settings.db_path))
    last = net.months[-1]

    def export_compliance(
        name: str,
    ) -> tuple[subprocess.CompletedProcess[str], list[dict[str, str]]]:
        out = tmp_path / name
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "assortment",
                "export",
                "compliance",
                "--month",
                last,
                "--out",
                str(out),
            ],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )
        assert proc.returncode == 0, proc.stderr
        return proc, read_csv(out)

    first, rows = export_compliance("c1.csv")  # never classified: classified on the way
    assert "classified first" in first.stderr and rows
    again, _ = export_compliance("c2.csv")  # current: not classified again
    assert "classified first" not in again.stderr
    # a corrected count for one store empties it: the export must reflect it
    store_id = next(
        r["location_id"] for r in rows if r["kind"] == "store" and r["status"] != "no_count"
    )
    sku = net.products["sku"][0]
    path = tmp_path / "fix.csv"
    path.write_text(f"month,location_id,sku,on_hand\n{last},{store_id},{sku},0\n", encoding="utf-8")
    with store.writer(settings) as con:  # confirmed: the completeness guard would hold it
        load_file(con, settings, "stock", path, accept_drop=True)
    third, rows = export_compliance("c3.csv")
    assert "classified first" in third.stderr
    fixed = next(r for r in rows if r["location_id"] == store_id)
    assert fixed["active_styles"] == "0" and fixed["status"] == "fail"


def test_earlier_counts_of_the_window_are_the_stores_styles_in_stock(network_store):
    """had_w (domain.md 9) is derived from the rows read for the rate of sale (6.1): it must be
    what the month-end counts of W before M say, store by store (a style is in stock when its
    SKUs' on hand adds up to 1 or more)."""
    from assortment import months
    from assortment.job import read_inputs, resolve_month

    rules = Rules()
    with store.reader(network_store) as con:
        month = resolve_month(con, None)
        inputs = read_inputs(con, month, rules)
        counts = con.table("stock").pl()
        stores = con.table("locations").pl().filter(pl.col("kind") == "store")["location_key"]
    earlier = months.window(month, rules.lookback_months)[:-1]
    style_of = dict(inputs.products.select("sku", "style").iter_rows())
    totals: dict[tuple[int, str, object], int] = {}
    for m, loc, sku, on_hand in counts.select(
        "month", "location_key", "sku_key", "on_hand"
    ).iter_rows():
        if m in earlier and loc in set(stores):
            key = (loc, style_of[sku], m)
            totals[key] = totals.get(key, 0) + on_hand
    expected = {(loc, style) for (loc, style, _), units in totals.items() if units >= 1}
    got = set(inputs.had_w.select("location_id", "style").iter_rows())
    assert expected and got == expected


def test_classify_imports_neither_pyarrow_nor_the_dashboard_stack(network_store):
    """`assortment classify` starts fast: it reads and writes DuckDB through the Arrow C stream
    interface and never imports pyarrow, pandas, dash, plotly or openpyxl."""
    import subprocess
    import sys

    heavy = ("pyarrow", "pandas", "dash", "plotly", "openpyxl")
    script = (
        "import sys\n"
        "from assortment.cli import main\n"
        f"sys.argv = ['assortment', '--db', {str(network_store.db_path)!r}, 'classify']\n"
        "try:\n    main()\nexcept SystemExit as exc:\n    assert not exc.code, exc.code\n"
        f"print(sorted(m for m in {heavy!r} if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip().splitlines()[-1] == "[]"


def test_the_console_entry_exits_fast_with_the_commands_code_and_all_its_output(network_store):
    """`assortment` (cli.entry) leaves with os._exit after the command: its output is complete
    when piped and its exit code is the command's (0 done, 1 rejected input, 2 usage)."""
    import subprocess
    import sys

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        script = (
            "import sys\nfrom assortment.cli import entry\n"
            f"sys.argv = ['assortment', '--db', {str(network_store.db_path)!r}, *{args!r}]\n"
            "entry()\nprint('not reached')\n"
        )
        return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)

    done = run("classify")
    assert done.returncode == 0, done.stderr
    assert "locations" in done.stdout and "not reached" not in done.stdout
    out = network_store.db_path.parent / "style_health.csv"
    exported = run("export", "style-health", "--out", str(out))
    assert exported.returncode == 0, exported.stderr
    text = out.read_text(encoding="utf-8-sig")
    assert text.startswith("month,") and text.count("\n") > 10 and text.endswith("\n")
    rejected = run("classify", "--month", "1999-01")
    assert rejected.returncode == 1 and "no stock counts for 1999-01" in rejected.stderr
    assert run("no-such-command").returncode == 2


def test_results_of_another_version_of_the_code_are_not_current(network_store, monkeypatch):
    """An upgrade must not leave a month's results as the old code made them: the export and
    the monthly batch classify again when the engine fingerprint differs."""
    settings = network_store
    rules = settings.rules()
    with store.reader(settings) as con:
        ((month,),) = con.execute("select max(month) from classify_runs").fetchall()
        assert job.is_current(con, month, rules)
        ((engine,),) = con.execute(
            "select engine_fingerprint from classify_runs where month = ?", [month]
        ).fetchall()
    assert engine == job.engine_fingerprint() and len(engine) == 12
    monkeypatch.setattr(job, "engine_fingerprint", lambda: "another-one")
    with store.reader(settings) as con:
        assert not job.is_current(con, month, rules)


def test_a_snapshot_from_before_the_upgrade_is_not_current_and_does_not_fail(
    network_store, tmp_path
):
    """Readers may see a snapshot published by the previous version (no writer has migrated
    the store since the upgrade): the monthly batch and the export then classify (which
    migrates), they do not stop on the missing column."""
    import shutil

    import duckdb

    old = tmp_path / "old.duckdb"
    shutil.copy(network_store.db_path, old)
    con = duckdb.connect(str(old))
    con.execute("alter table classify_runs drop column engine_fingerprint")
    ((month,),) = con.execute("select max(month) from classify_runs").fetchall()
    assert not job.is_current(con, month, network_store.rules())
    con.close()
