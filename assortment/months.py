"""Months, the one way: parse what people write, format ``YYYY-MM``, add, index, windows.

A month is a :class:`datetime.date` on the first of the month everywhere inside the
package (and a DuckDB ``date`` in the store); ``YYYY-MM`` text only at the edges.

Choices:

* :func:`parse` and :func:`parse_expr` accept the forms spreadsheets and people write
  (domain.md 3, README "File formats"): ``2026-10``, ``2026/10``, ``2026.10``,
  ``2026年10月``, ``202610``, a date cell ``2026-10-01`` (with an optional midnight time),
  and all of these typed with full-width characters (``２０２６-１０``), which are read as
  their ASCII forms by Unicode NFKC. Surrounding whitespace is ignored. Years outside
  1900..2999 are not months.
* Month arithmetic is on integer indexes (``year * 12 + month - 1``), so a window or a
  difference never goes through day counts.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

import polars as pl

from assortment.errors import UsageError

_SEPARATORS = re.compile(r"[年/.]")
# [0-9], not \d: \d also matches digits of other scripts (٢٠٢٦), which polars cannot cast
_PATTERN = r"^([0-9]{4})-([0-9]{1,2})(?:-[0-9]{1,2}(?:[ T]00:00(?::00(?:\.0+)?)?)?)?$"
_MONTH = re.compile(_PATTERN)
_MIN_YEAR, _MAX_YEAR = 1900, 2999


def _canonical(text: str) -> str:
    """NFKC, trimmed, separators as '-', a trailing 月 dropped, ``YYYYMM`` split."""
    s = _SEPARATORS.sub("-", unicodedata.normalize("NFKC", text).strip())
    s = s.removesuffix("月")
    if len(s) == 6 and s.isascii() and s.isdigit():
        s = f"{s[:4]}-{s[4:]}"
    return s


def try_parse(text: str | None) -> date | None:
    """The first day of the month written in ``text``; None when it is not a month."""
    if text is None:
        return None
    m = _MONTH.match(_canonical(str(text)))
    if m is None:
        return None
    year, mon = int(m[1]), int(m[2])
    if not (1 <= mon <= 12 and _MIN_YEAR <= year <= _MAX_YEAR):
        return None
    return date(year, mon, 1)


def parse(text: str) -> date:
    """The first day of the month written in ``text`` (any form of the module docstring).

    Raises:
        UsageError: ``text`` is not a month.
    """
    month = try_parse(text)
    if month is None:
        raise UsageError(f"month must be YYYY-MM (e.g. 2026-10), got {text!r}")
    return month


def parse_expr(column: str) -> pl.Expr:
    """:func:`try_parse` of a String column as a polars expression (null when not a month), named ``column``."""
    s = (
        pl.col(column)
        .str.normalize("NFKC")
        .str.strip_chars()
        .str.replace_all(r"[年/.]", "-")
        .str.replace(r"月$", "")
        .str.replace(r"^([0-9]{4})([0-9]{2})$", "$1-$2")
    )
    year = s.str.extract(_PATTERN, 1).cast(pl.Int32, strict=False)
    mon = s.str.extract(_PATTERN, 2).cast(pl.Int32, strict=False)
    ok = mon.is_between(1, 12) & year.is_between(_MIN_YEAR, _MAX_YEAR)
    return pl.when(ok).then(pl.date(year, mon, 1)).otherwise(None).alias(column)


def fmt(month: date) -> str:
    """``YYYY-MM``."""
    return f"{month.year:04d}-{month.month:02d}"


def index(month: date) -> int:
    """Months since year 0 (``2026-10`` -> ``2026 * 12 + 9``): month arithmetic as integers."""
    return month.year * 12 + month.month - 1


def from_index(value: int) -> date:
    """The first of the month with :func:`index` ``value``."""
    return date(value // 12, value % 12 + 1, 1)


def index_expr(column: str) -> pl.Expr:
    """:func:`index` of a Date column, as an Int32 expression."""
    col = pl.col(column)
    return col.dt.year().cast(pl.Int32) * 12 + col.dt.month().cast(pl.Int32) - 1


def add(month: date, n: int) -> date:
    """The first of the month ``n`` months after ``month`` (n may be negative)."""
    return from_index(index(month) + n)


def window(month: date, n: int) -> list[date]:
    """The ``n`` months ending with ``month``, oldest first (domain.md 4: W for n = L)."""
    end = index(month)
    return [from_index(i) for i in range(end - n + 1, end + 1)]


def window_start(month: date, n: int) -> date:
    """The first month of the ``n`` months ending with ``month``."""
    return add(month, -(n - 1))
