"""The benchmark's pandas baseline (benchmarks/pandas_rules.py) agrees with the polars job.

A small synthetic network is loaded into a temp store; for the last month and the month
before, ``run_month_pandas`` and ``assortment.job.read_inputs`` + ``compute`` must give the
same compliance, style health and bestsellers (``compare_with_polars`` finds no difference).
So must ``run_month_pandas_raw``, the end-to-end variant that reads the stored rows, and its
output must be the same frames as ``run_month_pandas``'s.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest

from assortment import store
from assortment.config import Rules, Settings
from assortment.ingest import load_file
from assortment.job import compute, read_inputs
from assortment.months import parse as parse_month
from assortment.sample import Network, generate, load_network
from tests.conftest import TODAY, write

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

from pandas_rules import (  # noqa: E402
    compare_with_polars,
    run_month_pandas,
    run_month_pandas_raw,
)

NETWORK: dict[str, Any] = {"seed": 3, "distributors": 3, "stores": 20, "styles": 60, "months": 8}


@pytest.fixture(scope="module")
def net() -> Network:
    return generate(**NETWORK)


@pytest.fixture(scope="module")
def months(net: Network) -> list[str]:
    return net.months


@pytest.fixture(scope="module")
def con(
    net: Network, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A store holding the small network, every month loaded."""
    folder = tmp_path_factory.mktemp("pandas_baseline")
    settings = Settings(db_path=folder / "data" / "assortment.duckdb")
    load_network(net, settings, folder=folder)
    with store.writer(settings) as c:
        yield c


def _differences(
    con: duckdb.DuckDBPyConnection, month: date, rules: Rules, run: Any = run_month_pandas
) -> list[str]:
    theirs = compute(read_inputs(con, month, rules), month, rules)
    mine = run(con, month, rules)
    return compare_with_polars(mine, theirs)


@pytest.mark.parametrize("back", [0, 1], ids=["last_month", "month_before"])
def test_pandas_matches_polars(
    con: duckdb.DuckDBPyConnection, months: list[str], back: int
) -> None:
    month = parse_month(months[-1 - back])
    rules = Rules.from_toml(None)
    mine = run_month_pandas(con, month, rules)
    assert set(mine) >= {"style_health", "compliance", "bestsellers"}
    # The network exercises several statuses and segments, or the comparison proves little.
    assert len(mine["style_health"]) > 100
    assert len(mine["bestsellers"]) > 0
    assert len(set(mine["compliance"]["status"])) >= 3
    assert set(mine["style_health"]["segment"]) == {"bestseller", "new", "slow_moving", "steady"}
    diffs = _differences(con, month, rules)
    assert diffs == [], "\n".join(diffs[:20])


def test_pandas_matches_polars_with_other_rules(
    con: duckdb.DuckDBPyConnection, months: list[str]
) -> None:
    """Other thresholds move other branches (fewer core sizes, a looser size run, ...)."""
    rules = replace(
        Rules(),
        lookback_months=2,
        new_months=3,
        bestseller_share=0.3,
        bestseller_max_styles=5,
        slow_sell_through=0.3,
        core_size_share=0.6,
        broken_size_min_core_share=0.5,
        core_colour_share=0.4,
    )
    month = parse_month(months[-1])
    assert _differences(con, month, rules) == []


@pytest.mark.parametrize("back", [0, 1, 3], ids=["last_month", "month_before", "three_back"])
def test_pandas_raw_matches_polars(
    con: duckdb.DuckDBPyConnection, months: list[str], back: int
) -> None:
    """The end-to-end variant (raw stock and sales rows) equals the polars job and run_month_pandas."""
    month = parse_month(months[-1 - back])
    rules = Rules.from_toml(None)
    raw = run_month_pandas_raw(con, month, rules)
    assert len(raw["style_health"]) > 100
    assert len(set(raw["compliance"]["status"])) >= 3
    assert raw["compliance"]["shrinking"].any()  # the history from raw stock is exercised
    diffs = _differences(con, month, rules, run_month_pandas_raw)
    assert diffs == [], "\n".join(diffs[:20])
    same = run_month_pandas(con, month, rules)
    for name in ("style_health", "compliance", "bestsellers"):
        pd.testing.assert_frame_equal(raw[name], same[name], check_dtype=False)


def test_pandas_raw_matches_polars_with_other_rules(
    con: duckdb.DuckDBPyConnection, months: list[str]
) -> None:
    """A 2-month window and 3-month new season move the raw variant's month ranges."""
    rules = replace(Rules(), lookback_months=2, new_months=3, core_size_share=0.6)
    month = parse_month(months[-1])
    assert _differences(con, month, rules, run_month_pandas_raw) == []


def test_comparison_reports_differences(con: duckdb.DuckDBPyConnection, months: list[str]) -> None:
    """compare_with_polars is not vacuous: a changed status, figure or segment is reported."""
    month = parse_month(months[-1])
    rules = Rules.from_toml(None)
    theirs = compute(read_inputs(con, month, rules), month, rules)
    mine = run_month_pandas(con, month, rules)
    compliance = mine["compliance"].copy()
    compliance.loc[0, "status"] = "bogus"
    compliance.loc[1, "slow_stock_share"] = compliance.loc[1, "slow_stock_share"] + 1e-6
    health = mine["style_health"].copy()
    health.loc[0, "segment"] = "bogus"
    changed = {**mine, "compliance": compliance, "style_health": health.iloc[:-1]}
    diffs = compare_with_polars(changed, theirs)
    assert any(" status: pandas 'bogus'" in d for d in diffs)
    assert any(" slow_stock_share: " in d for d in diffs)
    assert any(" segment: pandas 'bogus'" in d for d in diffs)
    assert any("only in polars" in d for d in diffs)


STOCK_CSV = """month,location_id,sku,on_hand
2026-10,D01,S1-BLK-75B,3
2026-10,D01,S2-NUD-M,0
2026-10,D01-S001,S1-NUD-75B,2
2026-10,D01-S002,S2-NUD-M,0
"""
SALES_CSV = """month,location_id,sku,units_sold
2026-09,D01,S1-BLK-75B,5
2026-10,D01-S001,S2-NUD-L,0
"""
ZERO_STOCK_CSV = "month,location_id,sku,on_hand\n2026-10,D01-S001,S2-NUD-M,0\n"


@pytest.mark.parametrize(
    "files",
    [
        {"stock": STOCK_CSV},
        {"stock": STOCK_CSV, "sales": SALES_CSV},
        {"stock": ZERO_STOCK_CSV},
    ],
    ids=["no_sales", "sales", "nothing_in_stock"],
)
def test_pandas_matches_polars_on_edge_cases(
    loaded: Settings, tmp_path: Path, files: dict[str, str]
) -> None:
    """The tiny store of conftest: no sales at all, zero rows, a month with nothing in stock."""
    month = date(2026, 10, 1)
    with store.writer(loaded) as c:
        for kind, text in files.items():
            load_file(c, loaded, kind, write(tmp_path / f"{kind}.csv", text), today=TODAY)
        for rules in (Rules(), replace(Rules(), bestseller_share=1.0, core_colour_share=0.0)):
            assert _differences(c, month, rules) == []
            assert _differences(c, month, rules, run_month_pandas_raw) == []
