"""Files the dashboard hands out: Excel and CSV bytes, formula-safe, with headers in words."""

from __future__ import annotations

import io
import re
from typing import Any

import polars as pl
from dash import dcc

from assortment.export import finite_numbers, neutralise_formulas

_SAFE_NAME = re.compile(r"[^\w.\-\u4e00-\u9fff]+")


def safe_name(name: str) -> str:
    """A file name without path or odd characters."""
    return _SAFE_NAME.sub("_", name).strip("_") or "download"


def frame_of(rows: list[dict[str, Any]], columns: list[tuple[str, str]]) -> pl.DataFrame:
    """Rows as a frame with the given (field, header) columns, in that order."""
    data = {header: [r.get(field) for r in rows] for field, header in columns}
    return pl.DataFrame(data, strict=False)


def xlsx_bytes(frame: pl.DataFrame, *, sheet: str = "data") -> bytes:
    """An .xlsx workbook of ``frame`` (text cells that look like formulas are neutralised)."""
    buf = io.BytesIO()
    neutralise_formulas(finite_numbers(frame)).write_excel(buf, worksheet=sheet[:31], autofit=True)
    return buf.getvalue()


def csv_bytes(frame: pl.DataFrame) -> bytes:
    """UTF-8 CSV with a BOM, so spreadsheet software shows Chinese text correctly."""
    buf = io.BytesIO()
    neutralise_formulas(frame).write_csv(buf)
    return b"\xef\xbb\xbf" + buf.getvalue()


def send_xlsx(frame: pl.DataFrame, name: str, *, sheet: str = "data") -> dict[str, Any]:
    """A dcc.Download payload of an Excel file."""
    return dcc.send_bytes(xlsx_bytes(frame, sheet=sheet), safe_name(name))


def send_csv(frame: pl.DataFrame, name: str) -> dict[str, Any]:
    """A dcc.Download payload of a CSV file."""
    return dcc.send_bytes(csv_bytes(frame), safe_name(name))
