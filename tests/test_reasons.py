"""Reasons are data: codes and typed parameters in the results, words only at the edges.

On the demo network (``make demo``: the generator's default network, classified every month),
no reason that is exported, shown on the dashboard or printed in a report names a location by
anything but its code; and the results store carries codes that every edge words the same
way in English and Chinese.
"""

from __future__ import annotations

import csv
import re
from datetime import date

import duckdb
import polars as pl
import pytest

from assortment import i18n, months, store, vocab
from assortment.config import Settings
from assortment.export import export
from assortment.job import classify
from assortment.report import visit_sheet
from assortment.sample import generate, load_network
from assortment.users import User
from dashboard import figures
from dashboard.data import Data

ADMIN = User("admin", "admin")
# "transfer from X (holds N)" / "从 X 调货": X must be the source's location code
_FROM = (
    re.compile(r"transfer from (\S+) \(holds (\d+)\)"),
    re.compile(r"从 (\S+) 调货（(?:现有|该处有) (\d+) 件）"),
)


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Settings:
    """The demo store, built as ``make demo`` builds it (every month classified)."""
    tmp = tmp_path_factory.mktemp("demo")
    settings = Settings(db_path=tmp / "data" / "assortment.duckdb")
    load_network(generate(), settings, folder=tmp)
    classify(settings, all_months=True)
    return settings


@pytest.fixture(scope="module")
def codes(demo) -> tuple[set[str], set[str]]:
    """The demo's location codes and the internal location keys that must never show."""
    with store.reader(demo) as con:
        rows = con.execute("select location_id, location_key from locations").fetchall()
    return {code for code, _ in rows}, {str(key) for _, key in rows}


def _months(settings: Settings) -> list[str]:
    with store.reader(settings) as con:
        return [months.fmt(m) for (m,) in con.execute("select month from classify_runs").fetchall()]


def _check_sources(texts: list[tuple[str, str | None, int | None]], codes: set[str]) -> int:
    """Every 'from X' names the row's own source code; returns how many transfers were seen."""
    seen = 0
    for text, source, held in texts:
        found = [m for pattern in _FROM for m in pattern.finditer(text)]
        if source is None:
            assert not found, text
            continue
        assert len(found) == 1, text
        assert found[0][1] == source and source in codes, (text, source)
        assert int(found[0][2]) == held, (text, held)
        seen += 1
    return seen


def test_exported_reasons_name_locations_by_code_only(demo, codes, tmp_path):
    known, keys = codes
    n_transfers = 0
    for month in _months(demo):
        out = tmp_path / f"actions_{month}.csv"
        with store.reader(demo) as con:
            export(con, "actions", month, out)
        with out.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
        assert list(rows[0])[:11] == [
            "month",
            "location_id",
            "action",
            "style",
            "colour",
            "size",
            "sku",
            "units",
            "source_location_id",
            "value_cny",
            "reason",
        ]
        for r in rows:
            assert r["reason_code"] in vocab.ACTION_REASONS
            assert r["reason"] and "{" not in r["reason"]
            assert r["source_location_id"] == "" or r["source_location_id"] in known
        n_transfers += _check_sources(
            [
                (
                    r["reason"],
                    r["source_location_id"] or None,
                    int(r["source_on_hand"]) if r["source_on_hand"] else None,
                )
                for r in rows
            ],
            known,
        )
        assert not any(re.search(rf"\bfrom {k}\b", r["reason"]) for r in rows for k in keys)
    assert n_transfers > 0  # the demo plants transfers: the check above has something to check


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_dashboard_and_report_reasons_name_locations_by_code_only(demo, codes, lang):
    known, _ = codes
    month = _months(demo)[-1]
    with store.reader(demo) as con:
        with_transfers = [
            loc
            for (loc,) in con.execute(
                "select distinct location_id from actions"
                " where action = 'transfer' and month = ? order by 1",
                [months.parse(month)],
            ).fetchall()
        ]
    assert with_transfers
    data = Data(demo)
    n_transfers = 0
    for loc in with_transfers:
        frame = data.location_actions(ADMIN, loc, month)
        shown = figures.action_rows(frame, lang=lang)
        rows = list(frame.iter_rows(named=True))
        n_transfers += _check_sources(
            [
                (s["reason"], r["source_location_id"], r["source_on_hand"])
                for s, r in zip(shown, rows, strict=True)
            ],
            known,
        )
        printed = [i18n.action_reason(r, lang) for r in rows]  # the report's workbooks
        _check_sources(
            [
                (p, r["source_location_id"], r["source_on_hand"])
                for p, r in zip(printed, rows, strict=True)
            ],
            known,
        )
    assert n_transfers > 0


def _row(code: str, action: str = "replenish") -> dict:
    return {
        "action": action,
        "reason_code": code,
        "style": "B1001",
        "colour": "BLK",
        "size": "75B",
        "sku": "B1001-BLK-75B",
        "value_cny": 199.0,
        "bestseller_rank": 3,
        "launch_month": date(2026, 9, 1),
        "units": 8,
        "units_sold": 1,
        "sell_through": 1 / 9,
        "source_location_id": "D01-S008",
        "source_on_hand": 4,
        "lacking_location_ids": "D02-S001;D02-S003",
    }


# the parameters each code is worded from, as they must show in the words
_SHOWN = {
    "bestseller_not_in_stock": ["3"],
    "new_style_not_in_stock": ["2026-09"],
    "broken_size_run": ["BLK", "75B"],
    "slow_moving": ["1", "8", "11%"],
    "stuck_at_distributor": ["11%", "D02-S001, D02-S003"],
}


@pytest.mark.parametrize("code", vocab.ACTION_REASONS)
@pytest.mark.parametrize("action", ["replenish", "transfer"])
def test_codes_round_trip_to_words_in_both_languages(code, action):
    row = _row(code, action)
    words = {lang: i18n.action_reason(row, lang) for lang in i18n.LANGS}
    for text in words.values():
        assert text and code not in text and "{" not in text
        assert all(value in text for value in _SHOWN[code]), text
        assert ("D01-S008" in text and "4" in text) == (action == "transfer"), text
    assert re.search(r"[\u4e00-\u9fff]", words["zh"])
    assert not re.search(r"[\u4e00-\u9fff]", words["en"])
    # the dashboard's action list and the export say it in the same words
    shown = figures.action_rows(pl.DataFrame([{**row, "source_name": None}]), lang="en")
    assert shown[0]["reason"] == words["en"]


def test_a_distribute_line_with_no_store_to_send_to_says_so() -> None:
    """A distributor with no active store of its own (domain.md 9: still a distribute line,
    of 0 units): the words say there is no store, not "send to" and nothing."""
    row = {**_row("stuck_at_distributor", "distribute"), "lacking_location_ids": ""}
    for lang, words in (("en", "no active store of its own"), ("zh", "本组没有可铺货的在营门店")):
        text = i18n.action_reason(row, lang)
        assert "11%" in text and words in text, text
        assert not text.rstrip().endswith(("to", "铺到", "：", ";")), text
        assert visit_sheet.source_words(row, lang) == i18n.t("visit.distribute_no_store", lang)


def test_the_results_table_holds_codes_not_words(demo):
    with store.reader(demo) as con:
        columns = {
            name
            for (name,) in con.execute(
                "select column_name from information_schema.columns where table_name = 'actions'"
            ).fetchall()
        }
        bad = con.execute(
            "select count(*) from actions where reason_code not in ?",
            [list(vocab.ACTION_REASONS)],
        ).fetchone()
    assert "reason" not in columns
    assert {"reason_code", "bestseller_rank", "launch_month", "source_on_hand"} <= columns
    assert bad == (0,)


def test_migration_turns_stored_sentences_into_codes_and_parameters(tmp_path, monkeypatch):
    """A store classified before sql/010 keeps its results: sentences become codes."""
    con = duckdb.connect(str(tmp_path / "old.duckdb"))
    every = store.migrations()
    with monkeypatch.context() as patch:
        patch.setattr(store, "migrations", lambda: [(v, p) for v, p in every if v < 10])
        store.migrate(con)
    con.execute(
        "insert into actions (month, location_id, action, style, colour, size, sku, units,"
        " source_location_id, value_cny, reason, rules_fingerprint) values"
        " ('2026-10-01', 'D01-S001', 'replenish', 'B1', 'BLK', '75B', 'B1-BLK-75B', 1, null,"
        "  199, 'bestseller #3 not in stock', 'fp'),"
        " ('2026-10-01', 'D01-S001', 'transfer', 'B1', 'BLK', '80B', 'B1-BLK-80B', 1, 'D01-S008',"
        "  199, 'new style (launched 2026-09) not in stock; transfer from 9 (holds 4)', 'fp'),"
        " ('2026-10-01', 'D01-S001', 'replenish', 'B1', 'BK', '70A', 'B1-BK-70A', 1, null,"
        "  199, 'broken size run: colour BK lacks core size 70A', 'fp'),"
        " ('2026-10-01', 'D01-S002', 'clearance', 'B2', null, null, null, 8, null,"
        "  800, 'slow-moving: 1 sold over the window, 8 on hand (sell-through 11%)', 'fp')"
    )
    applied = store.migrate(con)
    assert "010_reason_codes.sql" in applied
    got = con.execute(
        "select action, reason_code, bestseller_rank, launch_month, source_location_id,"
        " source_on_hand, units_sold, round(sell_through, 4) from actions order by sku nulls last"
    ).fetchall()
    con.close()
    assert got == [
        ("replenish", "broken_size_run", None, None, None, None, None, None),
        ("replenish", "bestseller_not_in_stock", 3, None, None, None, None, None),
        ("transfer", "new_style_not_in_stock", None, date(2026, 9, 1), "D01-S008", 4, None, None),
        ("clearance", "slow_moving", None, None, None, None, 1, 0.1111),
    ]
    row = dict(
        zip(
            ("action", "reason_code", "launch_month", "source_location_id", "source_on_hand"),
            ("transfer", "new_style_not_in_stock", date(2026, 9, 1), "D01-S008", 4),
            strict=True,
        )
    )
    assert i18n.action_reason(row, "en") == (
        "new style (launched 2026-09) not in stock; transfer from D01-S008 (holds 4)"
    )
