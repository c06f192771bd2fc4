"""The product's vocabulary, once: the codes it speaks (statuses, reasons, action kinds, segments,
location kinds), their order and colours, and how sizes sort.

Codes are stored and exported as they are here; words for them are made only at the edges
(dashboard, reports, CLI) from these codes. Rule thresholds are not here: they live in
``assortment/rules.toml`` (read by :mod:`assortment.config`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from assortment import months

LOCATION_KINDS = ("distributor", "store")
"""``locations.kind`` (domain.md 3)."""

SEGMENTS = ("bestseller", "new", "slow_moving", "steady")
"""A classified pair's segment, in the order the rules try them (domain.md 4.4)."""

SEGMENT_COLOURS = {
    "bestseller": "#be185d",
    "new": "#7c3aed",
    "slow_moving": "#a16207",
    "steady": "#0284c7",
}

STATUSES = ("fail", "warn", "no_count", "pass")
"""A location's compliance status (domain.md 5), worst first: the order of every table,
chart, legend and count."""

STATUS_RANK = {status: i for i, status in enumerate(STATUSES)}
"""Sort key of a status (0 is the worst)."""

STATUS_COLOURS = {
    "fail": "#dc2626",
    "warn": "#d97706",
    "no_count": "#9ca3af",
    "pass": "#15803d",
}

COMPLIANCE_REASONS = (
    "below_min_styles",
    "bestsellers_missing",
    "new_styles_missing",
    "many_broken_sizes",
    "slow_stock_heavy",
    "assortment_shrinking",
)
"""The checks that trip a location's status, in domain.md 5's order (the first three fail,
the others warn). A compliance row's ``reasons`` lists them in this order; their parameters
are the row's own figures (``active_styles``, ``min_styles``, ``bestseller_coverage`` ...)."""

ACTION_KINDS = ("replenish", "transfer", "distribute", "clearance")
"""``actions.action``, in the order a location's list shows them."""

ACTION_REASONS = (
    "bestseller_not_in_stock",
    "new_style_not_in_stock",
    "broken_size_run",
    "slow_moving",
    "stuck_at_distributor",
)
"""``actions.reason_code``: why an action line exists. Each code's parameters are typed
columns of the row (:mod:`assortment.actions` gives the contract)."""

ACTION_REASON_PARAMS = {
    "bestseller_not_in_stock": ("style", "bestseller_rank"),
    "new_style_not_in_stock": ("style", "launch_month"),
    "broken_size_run": ("style", "colour", "size"),
    "slow_moving": ("style", "units_sold", "units", "sell_through"),
    "stuck_at_distributor": ("style", "sell_through", "lacking_location_ids"),
}
"""The columns each reason code is worded from; a transfer adds ``TRANSFER_PARAMS``."""

TRANSFER_PARAMS = ("source_location_id", "source_on_hand")

SOURCE_KINDS = ("distributor", "store", "brand")
"""``actions.source_kind``: who gives the units of a transfer or replenish line (6.3)."""

PLAN_COVERAGE = ("counted", "carried", "left_out")
"""How a location takes part in the order plan (6.6): its count of M, a carried count, or not."""

FOLLOW_STATUSES = ("done", "partly", "not_done", "unknown")
"""``follow_through.follow_status``: an action line of M judged by the count of M+1 (8)."""

LOCATION_CHANGES = ("fixed", "worse")
"""``location_changes.change``: a location's status from M to M+1 (8)."""


def reason_params(row: Mapping[str, Any]) -> dict[str, str]:
    """The parameters of an action row's reason as text, for any language's wording.

    Every column of :data:`ACTION_REASON_PARAMS` and :data:`TRANSFER_PARAMS` is given: a
    month as ``YYYY-MM``, ``sell_through`` as a whole percent (``11%``), a list of locations
    (``lacking_location_ids``, stored ``;``-separated) with commas, a missing value as
    ``–``, anything else as written.
    """
    out = {name: _text(row.get(name)) for name in _PARAM_NAMES}
    share = row.get("sell_through")
    out["sell_through"] = "–" if share is None else f"{share * 100:.0f}%"
    out["lacking_location_ids"] = out["lacking_location_ids"].replace(";", ", ")
    return out


_PARAM_NAMES = (
    tuple(dict.fromkeys(p for params in ACTION_REASON_PARAMS.values() for p in params))
    + TRANSFER_PARAMS
)


def _text(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, date):
        return months.fmt(value)
    return str(value)


LETTER_SIZES = ("XXS", "XS", "S", "M", "L", "XL", "XXL", "XXXL", "2XL", "3XL", "4XL", "F", "FREE")
"""Letter sizes in wearing order."""

_LETTER_RANK = {s: i for i, s in enumerate(LETTER_SIZES)}
_BRA_SIZE = re.compile(r"^(\d{2,3})\s*([A-K]{1,2})$")


def parse_bra_size(size: str | None) -> tuple[int, str] | None:
    """A bra size as (band, cup): ``75B`` -> (75, 'B'); None for S/M/L and the like."""
    m = _BRA_SIZE.match((size or "").strip().upper())
    return (int(m.group(1)), m.group(2)) if m else None


def size_key(size: str | None) -> tuple[int, float, str]:
    """Sort key of a size as a shop orders them: XS < S < M < L < XL, then bra sizes by band
    and cup (70A < 70B < 75A < 100A), then other numbers numerically, then the rest by text."""
    u = (size or "").strip().upper()
    if u in _LETTER_RANK:
        return (0, float(_LETTER_RANK[u]), "")
    bra = parse_bra_size(u)
    if bra is not None:
        return (1, float(bra[0]), bra[1])
    try:
        return (2, float(u), "")
    except ValueError:
        return (3, 0.0, u)


def size_order(sizes: list[str]) -> list[str]:
    """The distinct ``sizes`` in :func:`size_key` order."""
    return sorted(dict.fromkeys(sizes), key=size_key)
