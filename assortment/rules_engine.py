"""Small helpers shared by the classification, compliance and action rules (tolerance, per-kind
thresholds, the (location, SKU) pair key)."""

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


# the job's surrogate keys fit in 32 bits: a (location, SKU) pair packs into one Int64
_NARROW_LOCATION = (pl.Int8, pl.Int16, pl.Int32, pl.UInt8, pl.UInt16)
_NARROW_SKU = (*_NARROW_LOCATION, pl.UInt32)
_SIGNED = (pl.Int8, pl.Int16, pl.Int32)
PAIR = "_pair"


def _lowest_sku(schema: pl.Schema, location: str, sku: str) -> int | None:
    """The SKU dtype's minimum when the pair packs into an Int64, else None."""
    if schema[location] not in _NARROW_LOCATION or schema[sku] not in _NARROW_SKU:
        return None
    return -(1 << 31) if schema[sku] in _SIGNED else 0


def pair_key(frame: pl.LazyFrame, location: str = "location_id", sku: str = "sku") -> pl.Expr:
    """One key column (``_pair``) for a (location, SKU) pair of ``frame``.

    The job's integer surrogate keys are packed into one Int64, ``location * 2**32 + (sku -
    lowest)`` where ``lowest`` is the SKU dtype's minimum (one to one, and undone by
    :func:`pair_columns`): polars joins, groups and de-duplicates on one integer column
    several times faster than on two. Other keys (codes, in the tests) become a struct.
    """
    low = _lowest_sku(frame.collect_schema(), location, sku)
    if low is not None:
        return (
            pl.col(location).cast(pl.Int64) * (1 << 32) + (pl.col(sku).cast(pl.Int64) - low)
        ).alias(PAIR)
    return pl.struct(pl.col(location).alias("location"), pl.col(sku).alias("sku")).alias(PAIR)


def pair_columns(
    frame: pl.LazyFrame, location: str = "location_id", sku: str = "sku"
) -> list[pl.Expr]:
    """``location`` and ``sku`` back from ``_pair`` (made by :func:`pair_key` on ``frame``)."""
    schema = frame.collect_schema()
    low = _lowest_sku(schema, location, sku)
    if low is not None:
        loc = pl.col(PAIR) // (1 << 32)
        return [
            loc.cast(schema[location]).alias(location),
            (pl.col(PAIR) - loc * (1 << 32) + low).cast(schema[sku]).alias(sku),
        ]
    return [
        pl.col(PAIR).struct.field("location").alias(location),
        pl.col(PAIR).struct.field("sku").alias(sku),
    ]


def unique_pairs(keys: pl.LazyFrame, like: pl.LazyFrame) -> pl.LazyFrame:
    """_pair, location_id, sku: the distinct pairs of ``keys`` (a frame with ``_pair``), the
    keys' dtypes those of ``like``."""
    return keys.select(PAIR).unique().with_columns(pair_columns(like))
