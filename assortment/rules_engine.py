"""Small helpers shared by the classification, compliance and action rules (tolerance, months)."""

from __future__ import annotations

from datetime import date

import polars as pl

from assortment.config import Rules

TOL = 1e-9
"""Tolerance for every ratio compared with a threshold (domain.md 5: 4 of 5 meets 0.8)."""


def month_index(d: date) -> int:
    """Months since year 0 (``2026-10`` -> ``2026 * 12 + 9``): month arithmetic as integers."""
    return d.year * 12 + d.month - 1


def month_index_expr(column: str) -> pl.Expr:
    """:func:`month_index` of a Date column, as an Int32 expression."""
    col = pl.col(column)
    return col.dt.year().cast(pl.Int32) * 12 + col.dt.month().cast(pl.Int32) - 1


def kind_threshold(rules: Rules, name: str) -> pl.Expr:
    """The per-kind threshold ``name`` for each row's ``kind`` (a non-distributor is a store)."""
    return (
        pl.when(pl.col("kind") == "distributor")
        .then(pl.lit(getattr(rules.distributor, name)))
        .otherwise(pl.lit(getattr(rules.store, name)))
    )


def at_least(ratio: pl.Expr, threshold: float) -> pl.Expr:
    """``ratio >= threshold`` with the 1e-9 tolerance."""
    return ratio >= threshold - TOL


def below(ratio: pl.Expr, threshold: float | pl.Expr) -> pl.Expr:
    """``ratio < threshold`` with the 1e-9 tolerance (exactly at the threshold is not below)."""
    return ratio < threshold - TOL


def above(ratio: pl.Expr, threshold: float | pl.Expr) -> pl.Expr:
    """``ratio > threshold`` with the 1e-9 tolerance (exactly at the threshold is not above)."""
    return ratio > threshold + TOL
