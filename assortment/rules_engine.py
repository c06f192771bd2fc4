"""Small helpers shared by the classification, compliance and action rules (tolerance, per-kind thresholds)."""

from __future__ import annotations

import polars as pl

from assortment.config import Rules

TOL = 1e-9
"""Tolerance for every ratio compared with a threshold (domain.md 5: 4 of 5 meets 0.8)."""


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
