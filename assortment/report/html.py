"""The report's HTML building blocks: escaping, number formats, headings and a table engine."""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from assortment import i18n

E = html.escape


def fmt_int(value: Any) -> str:
    """``1,234``; empty for missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return f"{i18n.whole(value):,}"


def fmt_pct(value: Any) -> str:
    """``85%``; empty for missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return f"{value * 100:.0f}%"


def fmt_delta(now: int, before: int | None) -> str:
    """``+3``, ``−2``, ``±0``; empty without a previous month."""
    if before is None:
        return ""
    d = now - before
    return f"+{d}" if d > 0 else (f"−{-d}" if d < 0 else "±0")


def tag(name: str, text: str, *, cls: str = "", count: int | None = None, lang: str = "en") -> str:
    """``<name class=cls>text (count)</name>`` with ``text`` escaped; the count in ``lang``'s
    brackets (:func:`i18n.paren`)."""
    attr = f' class="{cls}"' if cls else ""
    tail = "" if count is None else E(i18n.paren(f"{count:,}", lang))
    return f"<{name}{attr}>{E(text)}{tail}</{name}>"


@dataclass(frozen=True)
class Col:
    """A table column: header, how to get the cell's HTML from a row, numeric alignment."""

    label: str
    cell: Callable[[dict[str, Any]], str]
    num: bool = False


def table(
    cols: Sequence[Col], rows: Sequence[dict[str, Any]], *, foot: dict[int, str] | None = None
) -> str:
    """An HTML table; ``foot`` maps column positions to the cells of a totals row."""

    def cls(c: Col) -> str:
        return ' class="n"' if c.num else ""

    head = "".join(f"<th{cls(c)}>{E(c.label)}</th>" for c in cols)
    body = "".join(
        "<tr>" + "".join(f"<td{cls(c)}>{c.cell(r)}</td>" for c in cols) + "</tr>" for r in rows
    )
    tfoot = ""
    if foot is not None:
        cells = "".join(f"<td{cls(c)}>{foot.get(i, '')}</td>" for i, c in enumerate(cols))
        tfoot = f"<tfoot><tr>{cells}</tr></tfoot>"
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody>{tfoot}</table>"


def field(key: str) -> Callable[[dict[str, Any]], str]:
    """A cell showing ``row[key]`` as text."""
    return lambda r: E("" if r.get(key) is None else str(r[key]))


def integer(key: str) -> Callable[[dict[str, Any]], str]:
    """A cell showing ``row[key]`` as a whole number."""
    return lambda r: fmt_int(r.get(key))


def percent(key: str) -> Callable[[dict[str, Any]], str]:
    """A cell showing ``row[key]`` as a percentage."""
    return lambda r: fmt_pct(r.get(key))


def category(lang: str, key: str = "category") -> Callable[[dict[str, Any]], str]:
    """A cell showing a category code by its display name (``bra`` -> ``Bra`` / ``文胸``)."""
    return lambda r: E(i18n.word("category", r.get(key), lang))


def status_badge(lang: str, status: str | None) -> str:
    """A coloured status label."""
    if status is None:
        return ""
    return f'<span class="badge s-{E(status)}">{E(i18n.word("status", status, lang))}</span>'
