"""assortment.months: the one place months are parsed, formatted and counted."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from assortment import months
from assortment.errors import UsageError

OCT = date(2026, 10, 1)

WRITTEN = [
    "2026-10",
    "2026-1 0".replace(" ", ""),
    "2026/10",
    "2026.10",
    "2026年10月",
    "2026年10",
    "202610",
    "2026-10-01",
    "2026-10-01 00:00:00",
    "2026-10-01T00:00:00",
    "  2026-10 ",
    "２０２６-１０",  # full-width digits, as Chinese input methods type them
    "２０２６／１０",  # full-width slash
    "２０２６年１０月",
    "２０２６１０",
]
NOT_MONTHS = [
    "",
    "October",
    "2026-13",
    "2026-00",
    "26-10",
    "1899-12",
    "3000-01",
    "2026-10-01 12:30",
    "2026-10x",
]


@pytest.mark.parametrize("text", WRITTEN)
def test_parse_reads_every_written_form(text: str) -> None:
    assert months.parse(text) == OCT
    assert months.try_parse(text) == OCT


def test_parse_single_digit_month() -> None:
    assert months.parse("2026-3") == date(2026, 3, 1)
    assert months.parse("2026年3月") == date(2026, 3, 1)


@pytest.mark.parametrize("text", NOT_MONTHS)
def test_parse_refuses_what_is_not_a_month(text: str) -> None:
    assert months.try_parse(text) is None
    with pytest.raises(UsageError, match="YYYY-MM"):
        months.parse(text)


def test_try_parse_none() -> None:
    assert months.try_parse(None) is None


def test_parse_expr_agrees_with_parse() -> None:
    texts = [*WRITTEN, *NOT_MONTHS, "2026-3", None]
    got = pl.DataFrame({"m": texts}, schema={"m": pl.String}).select(months.parse_expr("m"))
    assert got["m"].to_list() == [months.try_parse(t) for t in texts]


def test_fmt() -> None:
    assert months.fmt(OCT) == "2026-10"
    assert months.fmt(date(987, 3, 15)) == "0987-03"


def test_index_and_back() -> None:
    assert months.index(OCT) == 2026 * 12 + 9
    assert months.from_index(2026 * 12 + 9) == OCT
    assert months.from_index(2027 * 12) == date(2027, 1, 1)


def test_index_expr() -> None:
    frame = pl.DataFrame({"d": [OCT, date(2027, 1, 31)]})
    assert frame.select(months.index_expr("d"))["d"].to_list() == [24321, 24324]


def test_add_crosses_years_both_ways() -> None:
    assert months.add(OCT, 3) == date(2027, 1, 1)
    assert months.add(OCT, -10) == date(2025, 12, 1)
    assert months.add(OCT, 0) == OCT
    assert months.add(date(2026, 10, 31), 1) == date(2026, 11, 1)


def test_window_is_the_n_months_ending_with_m_oldest_first() -> None:
    # domain.md 4: for M = 2026-10 and L = 3, W is 2026-08, 2026-09, 2026-10
    assert months.window(OCT, 3) == [date(2026, 8, 1), date(2026, 9, 1), OCT]
    assert months.window(date(2026, 1, 1), 2) == [date(2025, 12, 1), date(2026, 1, 1)]
    assert months.window(OCT, 1) == [OCT]
    assert months.window_start(OCT, 3) == date(2026, 8, 1)
    assert months.window_start(OCT, 12) == date(2025, 11, 1)
