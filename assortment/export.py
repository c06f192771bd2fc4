"""Exports (a contract): the result tables of a month as CSV, XLSX or Parquet."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import polars as pl

from assortment import months, store
from assortment.errors import NoDataError, UsageError
from assortment.i18n import action_reason

EXPORTS: dict[str, str] = {
    "style-health": "export_style_health",
    "compliance": "export_compliance",
    "actions": "export_actions",
    "order-plan": "export_order_plan",
    "bestsellers": "export_bestsellers",
    "new-styles": "export_new_styles",
    "follow-through": "export_follow_through",
    "rep-scorecard": "export_rep_scorecard",
    "stuck": "export_stuck",
}
JUDGED_BY_NEXT_MONTH = ("follow-through", "rep-scorecard")
"""Exports of month M that read the count (and results) of M+1 too (domain.md 8)."""
FORMATS = (".csv", ".xlsx", ".parquet")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def classified_months(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Months with classification results, ``YYYY-MM``, ascending."""
    return [str(m) for m in store.query(con, "export_months")["month"]]


def export_frame(
    con: duckdb.DuckDBPyConnection, kind: str, month: str | None
) -> tuple[str, pl.DataFrame]:
    """The export table of ``kind`` for ``month`` (default: the latest classified month)."""
    if kind not in EXPORTS:
        raise UsageError(f"unknown export {kind!r}; choose one of {', '.join(EXPORTS)}")
    classified = classified_months(con)
    if not classified:
        raise NoDataError("nothing is classified yet: run `assortment classify` first")
    month = month or classified[-1]
    if months.fmt(months.parse(month)) not in classified:
        raise NoDataError(
            f"{month} is not classified; run `assortment classify --month {month}` "
            f"(classified: {', '.join(classified[-6:])})"
        )
    return month, store.query(con, EXPORTS[kind], month=months.parse(month))


def formula_safe(value: str) -> str:
    """``value`` prefixed with an apostrophe when a spreadsheet would run it as a formula."""
    return "'" + value if value[:1] in _FORMULA_START else value


def neutralise_formulas(frame: pl.DataFrame) -> pl.DataFrame:
    """:func:`formula_safe` on every text cell of ``frame``."""
    text_cols = [c for c, t in frame.schema.items() if t == pl.String]
    risky = "^[" + "".join("\\" + ch if ch in "-+" else ch for ch in _FORMULA_START) + "]"
    return frame.with_columns(
        pl.when(pl.col(c).str.contains(risky))
        .then(pl.lit("'") + pl.col(c))
        .otherwise(pl.col(c))
        .alias(c)
        for c in text_cols
    )


def finite_numbers(frame: pl.DataFrame) -> pl.DataFrame:
    """Float cells that are NaN or infinite become empty (a workbook would show #NUM!)."""
    floats = [c for c, t in frame.schema.items() if t in (pl.Float32, pl.Float64)]
    return frame.with_columns(
        pl.when(pl.col(c).is_finite()).then(pl.col(c)).otherwise(None).alias(c) for c in floats
    )


def write_frame(frame: pl.DataFrame, out: Path, *, sheet: str = "data") -> None:
    """Write by extension (.csv in UTF-8, .xlsx, .parquet), atomically; CSV/XLSX text cells are formula-safe."""
    suffix = out.suffix.lower()
    if suffix not in FORMATS:
        raise UsageError(f"cannot write {out.name!r}: use one of {', '.join(FORMATS)}")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    frame = finite_numbers(frame)
    if suffix == ".csv":
        neutralise_formulas(frame).write_csv(tmp)
    elif suffix == ".xlsx":
        neutralise_formulas(frame).write_excel(tmp, worksheet=sheet[:31], autofit=True)
    else:
        frame.write_parquet(tmp)
    os.replace(tmp, out)


def with_reason_words(actions: pl.DataFrame, lang: str = "en") -> pl.DataFrame:
    """The actions export with ``reason`` in words (after ``value_cny``), made from each row's
    reason code and parameters; the code and parameter columns stay, after it."""
    words = [action_reason(row, lang) for row in actions.iter_rows(named=True)]
    at = actions.columns.index("value_cny") + 1
    return actions.insert_column(at, pl.Series("reason", words, dtype=pl.String))


def export(con: duckdb.DuckDBPyConnection, kind: str, month: str | None, out: Path) -> int:
    """Write one export; returns the number of rows."""
    _, frame = export_frame(con, kind, month)
    if kind == "actions":
        frame = with_reason_words(frame)
    write_frame(frame, out, sheet=kind)
    return frame.height
