"""Check each location's assortment against the brand's minimums (domain.md 5): pure polars."""

from __future__ import annotations

from datetime import date

import polars as pl

from assortment import months
from assortment.config import Rules
from assortment.rules_engine import above, below, kind_threshold
from assortment.vocab import COMPLIANCE_REASONS

_FIGURES = (
    "active_styles",
    "bestseller_coverage",
    "new_coverage",
    "broken_size_share",
    "slow_stock_share",
)


def location_figures(
    pairs: pl.LazyFrame, bestsellers: pl.LazyFrame, new_styles: pl.LazyFrame
) -> pl.LazyFrame:
    """The figures of domain.md 5 for every location that has classified pairs.

    Args:
        pairs: One row per classified (location, style) with on_hand, segment,
            is_bestseller, is_new, broken_size.
        bestsellers: The network's bestsellers (one row each).
        new_styles: The network's new styles (one row each).

    Returns:
        location_id, active_styles (Int64), bestseller_coverage, new_coverage,
        broken_size_share, slow_stock_share (f64). Coverage is 1.0 when the network has no
        bestsellers (new styles); the shares are 0.0 when their denominator is 0.
    """
    in_stock = pl.col("on_hand") > 0
    totals = bestsellers.select(pl.len().alias("_n_best")).join(
        new_styles.select(pl.len().alias("_n_new")), how="cross"
    )
    return (
        pairs.group_by("location_id")
        .agg(
            in_stock.sum().cast(pl.Int64).alias("active_styles"),
            (in_stock & pl.col("is_bestseller")).sum().alias("_best_in"),
            (in_stock & pl.col("is_new")).sum().alias("_new_in"),
            pl.col("broken_size").sum().alias("_broken"),
            pl.col("on_hand").filter(pl.col("segment") == "slow_moving").sum().alias("_slow"),
            pl.col("on_hand").sum().alias("_on_hand"),
        )
        .join(totals, how="cross")
        .select(
            "location_id",
            "active_styles",
            _ratio("_best_in", "_n_best", when_empty=1.0).alias("bestseller_coverage"),
            _ratio("_new_in", "_n_new", when_empty=1.0).alias("new_coverage"),
            _ratio("_broken", "active_styles", when_empty=0.0).alias("broken_size_share"),
            _ratio("_slow", "_on_hand", when_empty=0.0).alias("slow_stock_share"),
        )
    )


def _ratio(num: str, den: str, *, when_empty: float) -> pl.Expr:
    return (
        pl.when(pl.col(den) > 0)
        .then(pl.col(num).cast(pl.Float64) / pl.col(den))
        .otherwise(pl.lit(when_empty))
    )


def flag_shrinking(figures: pl.LazyFrame, history: pl.LazyFrame, *, month: date) -> pl.LazyFrame:
    """Adds ``shrinking``: counted in M-3, M-2, M-1 and M with M-3 > M-2 > M-1 > M (strictly).

    Args:
        figures: location_id and active_styles in M (null when not counted in M).
        history: location_id, month, active_styles for the months where each location was
            counted (other months are ignored).
        month: Month M.
    """
    m = months.index(month)
    idx = months.index_expr("month")
    back = history.group_by("location_id").agg(
        pl.col("active_styles").filter(idx == m - k).first().alias(f"_m{k}") for k in (1, 2, 3)
    )
    return (
        figures.join(back, on="location_id", how="left")
        .with_columns(
            (
                (pl.col("_m3") > pl.col("_m2"))
                & (pl.col("_m2") > pl.col("_m1"))
                & (pl.col("_m1") > pl.col("active_styles"))
            )
            .fill_null(False)
            .alias("shrinking")
        )
        .drop("_m1", "_m2", "_m3")
    )


def grade(figures: pl.LazyFrame, *, rules: Rules) -> pl.LazyFrame:
    """Adds status ('pass' | 'warn' | 'fail' | 'no_count') and reasons (domain.md 5).

    ``figures`` holds kind, counted, min_styles, the five figures and shrinking. Every
    check that trips is named, in the order of :data:`assortment.vocab.COMPLIANCE_REASONS`, whatever the status.
    """
    checks = [
        pl.col("active_styles") < pl.col("min_styles"),
        below(pl.col("bestseller_coverage"), kind_threshold(rules, "min_bestseller_coverage")),
        below(pl.col("new_coverage"), kind_threshold(rules, "min_new_coverage")),
        above(pl.col("broken_size_share"), kind_threshold(rules, "max_broken_size_share")),
        above(pl.col("slow_stock_share"), kind_threshold(rules, "max_slow_stock_share")),
        pl.col("shrinking"),
    ]
    tripped = [check.fill_null(False) & pl.col("counted") for check in checks]
    fails = tripped[0] | tripped[1] | tripped[2]
    warns = tripped[3] | tripped[4] | tripped[5]
    return figures.with_columns(
        pl.when(~pl.col("counted"))
        .then(pl.lit("no_count"))
        .when(fails)
        .then(pl.lit("fail"))
        .when(warns)
        .then(pl.lit("warn"))
        .otherwise(pl.lit("pass"))
        .alias("status"),
        pl.concat_list(
            pl.when(trip).then(pl.lit(reason))
            for trip, reason in zip(tripped, COMPLIANCE_REASONS, strict=True)
        )
        .list.drop_nulls()
        .alias("reasons"),
    )


def location_compliance(
    locations: pl.LazyFrame,
    counted: pl.LazyFrame,
    pairs: pl.LazyFrame,
    bestsellers: pl.LazyFrame,
    new_styles: pl.LazyFrame,
    history: pl.LazyFrame,
    *,
    month: date,
    rules: Rules,
) -> pl.LazyFrame:
    """Compliance of every location that is not closed (domain.md 5).

    Args:
        locations: location_id, kind, distributor_id, region, rep, min_styles, status.
        counted: location_id of the counted locations that are not closed.
        pairs: The classified pairs (see :func:`location_figures`).
        bestsellers: The network's bestsellers.
        new_styles: The network's new styles.
        history: location_id, month, active_styles for M-3..M-1.
        month: Month M.
        rules: The thresholds in force.

    Returns:
        location_id, kind, distributor_id, region, rep, status, active_styles (Int64),
        min_styles (Int64), bestseller_coverage, new_coverage, broken_size_share,
        slow_stock_share (f64), shrinking (bool), reasons (List[str]); ordered by
        location_id. A location with no count has null figures (min_styles excepted),
        shrinking false and no reasons.
    """
    figures = location_figures(pairs, bestsellers, new_styles)
    counted_flag = counted.with_columns(pl.lit(True).alias("counted"))
    filled = {
        "active_styles": 0,
        "bestseller_coverage": 1.0,
        "new_coverage": 1.0,
        "broken_size_share": 0.0,
        "slow_stock_share": 0.0,
    }
    # A counted location without any pair has nothing in stock and no bestsellers or new
    # styles to require: its figures are the "empty" values.
    table = (
        locations.filter(~pl.col("status").eq_missing("closed"))
        .select("location_id", "kind", "distributor_id", "region", "rep", "min_styles")
        .join(counted_flag, on="location_id", how="left")
        .join(figures, on="location_id", how="left")
        .with_columns(
            pl.col("counted").fill_null(False),
            pl.coalesce(
                pl.col("min_styles").cast(pl.Int64), kind_threshold(rules, "min_styles")
            ).cast(pl.Int64),
        )
        .with_columns(
            pl.when(pl.col("counted")).then(pl.col(name).fill_null(value)).alias(name)
            for name, value in filled.items()
        )
        .pipe(flag_shrinking, history, month=month)
        .pipe(grade, rules=rules)
    )
    return table.select(
        "location_id",
        "kind",
        "distributor_id",
        "region",
        "rep",
        "status",
        *_FIGURES[:1],
        "min_styles",
        *_FIGURES[1:],
        "shrinking",
        "reasons",
    ).sort("location_id")
