"""Follow-through (domain.md 8): did last month's visit fix it? Pure polars, judged by the next count.

Choices where domain.md leaves room (each has a test in tests/test_followthrough.py):

* Each transfer or replenish line is judged on its own against ``received(l,k)``, as the rule
  says: two lines of the same SKU at the same location (two sources) see the same received
  units. ``received_units`` is null for clearance lines (nothing is received) and for lines
  whose location has no count in M+1.
* A clearance line compares the style's on hand (all its SKUs) at the location in M and M+1;
  ``done`` when ``on_hand(M+1) <= (1 - clearance_done_share) * on_hand(M)`` with a 1e-9
  tolerance.
* A distribute (铺货) line of style s at distributor d for ``units`` u (domain.md 9; section 8
  gives no rule, the lead decided this one in its spirit) is judged at the stores it names
  (``lacking_location_ids``, ``;``-separated): ``received`` is the sum over those lacking
  stores l counted in M+1 of ``on_hand(l,s,M+1) + units_sold(l,s,M+1) - on_hand(l,s,M)``,
  at style level (all SKUs of s; ``on_hand(l,s,M)`` is 0 for a store that lacked it, and so
  for one not counted in M). ``done`` when ``received >= u``, ``partly`` when
  ``1 <= received < u``, ``not_done`` when ``received < 1``, ``unknown`` (received null) when
  none of the lacking stores has a count in M+1; the uncounted ones are left out of the sum.
  The distributor's own count plays no part.
* A location's change is null unless it has a status in both months that is pass, warn or
  fail (a no_count month judges nothing).
* The scorecard counts the lines of each rep's locations (the rep in month M); its
  ``done_value_share`` is the value at stake of the done lines over the value at stake of all
  its lines that carry one (null when none does); fixed and worse count the rep's locations.
"""

from __future__ import annotations

import polars as pl

from assortment.rules_engine import TOL
from assortment.vocab import FOLLOW_STATUSES
from assortment.vocab import LOCATION_CHANGES as CHANGES

_RANK = {"pass": 0, "warn": 1, "fail": 2}


def judge_lines(
    lines: pl.LazyFrame,
    stock_m: pl.LazyFrame,
    stock_next: pl.LazyFrame,
    sales_next: pl.LazyFrame,
    counted_next: pl.LazyFrame,
    products: pl.LazyFrame,
    *,
    clearance_done_share: float,
) -> pl.LazyFrame:
    """Judge month M's action lines by the count of M+1 (domain.md 8).

    Args:
        lines: location_id, action ('transfer' | 'replenish' | 'clearance' | 'distribute'),
            style, sku (null for clearance and distribute), units, and optionally
            lacking_location_ids (String, ``;``-separated: the stores a distribute line sends
            to; without the column a distribute line names none and is unknown); any other
            columns are kept.
        stock_m: location_id, sku, on_hand: the count of month M (absent SKUs are 0).
        stock_next: location_id, sku, on_hand: the count of month M+1.
        sales_next: location_id, sku, units_sold in month M+1.
        counted_next: location_id of the locations counted in M+1.
        products: sku, style.
        clearance_done_share: A clearance is done when on hand fell by at least this share.

    Returns:
        ``lines`` (in their order) with received_units (Int64, null for clearance and unknown) and
        follow_status ('done' | 'partly' | 'not_done' | 'unknown').
    """
    has_lacking = "lacking_location_ids" in lines.collect_schema()
    if not has_lacking:
        lines = lines.with_columns(pl.lit(None, pl.String).alias("lacking_location_ids"))
    key = ["location_id", "sku"]
    wanted = lines.select(*key).unique()

    def per_sku(frame: pl.LazyFrame, value: str, alias: str) -> pl.LazyFrame:
        return (
            frame.join(wanted, on=key, how="semi")
            .group_by(key)
            .agg(pl.col(value).sum().cast(pl.Int64).alias(alias))
        )

    styles = lines.filter(pl.col("action") == "clearance").select("location_id", "style").unique()

    def per_style(frame: pl.LazyFrame, alias: str) -> pl.LazyFrame:
        return (
            frame.join(products.select("sku", "style"), on="sku")
            .join(styles, on=["location_id", "style"], how="semi")
            .group_by("location_id", "style")
            .agg(pl.col("on_hand").sum().cast(pl.Int64).alias(alias))
        )

    counted = counted_next.select("location_id").unique().with_columns(pl.lit(True).alias("_next"))
    lined = lines.with_row_index("_line")
    id_dtype = stock_m.collect_schema()["location_id"]
    # a distribute line's lacking stores counted in M+1, one row per line and store
    sent_to = (
        lined.filter(pl.col("action") == "distribute")
        .select("_line", "style", pl.col("lacking_location_ids").str.split(";").alias("store"))
        .explode("store")
        .filter(pl.col("store").is_not_null() & (pl.col("store") != ""))
        .select("_line", "style", pl.col("store").cast(id_dtype).alias("location_id"))
        .join(counted, on="location_id", how="semi")
    )
    pair = ["location_id", "style"]
    sent_pairs = sent_to.select(pair).unique()

    def at_stores(frame: pl.LazyFrame, value: str, alias: str) -> pl.LazyFrame:
        return (
            frame.join(products.select("sku", "style"), on="sku")
            .join(sent_pairs, on=pair, how="semi")
            .group_by(pair)
            .agg(pl.col(value).sum().cast(pl.Int64).alias(alias))
        )

    distributed = (
        sent_to.join(at_stores(stock_next, "on_hand", "_n"), on=pair, how="left")
        .join(at_stores(sales_next, "units_sold", "_s"), on=pair, how="left")
        .join(at_stores(stock_m, "on_hand", "_m"), on=pair, how="left")
        .group_by("_line")
        .agg(
            (pl.col("_n").fill_null(0) + pl.col("_s").fill_null(0) - pl.col("_m").fill_null(0))
            .sum()
            .cast(pl.Int64)
            .alias("_distributed")
        )
    )
    received = (
        pl.col("_on_hand_next").fill_null(0)
        + pl.col("_sold_next").fill_null(0)
        - pl.col("_on_hand_m").fill_null(0)
    )
    is_clearance = pl.col("action") == "clearance"
    is_distribute = pl.col("action") == "distribute"
    was, now = pl.col("_style_m").fill_null(0), pl.col("_style_next").fill_null(0)
    status = (
        pl.when(is_clearance & pl.col("_next").is_null())
        .then(pl.lit("unknown"))
        .when(is_clearance & (now <= (1 - clearance_done_share) * was + TOL))
        .then(pl.lit("done"))
        .when(is_clearance & (now < was))
        .then(pl.lit("partly"))
        .when(is_clearance)
        .then(pl.lit("not_done"))
        .when(pl.col("received_units").is_null())
        .then(pl.lit("unknown"))
        .when(pl.col("received_units") >= pl.col("units"))
        .then(pl.lit("done"))
        .when(pl.col("received_units") >= 1)
        .then(pl.lit("partly"))
        .otherwise(pl.lit("not_done"))
    )
    judged = (
        lined.join(per_sku(stock_m, "on_hand", "_on_hand_m"), on=key, how="left")
        .join(per_sku(stock_next, "on_hand", "_on_hand_next"), on=key, how="left")
        .join(per_sku(sales_next, "units_sold", "_sold_next"), on=key, how="left")
        .join(per_style(stock_m, "_style_m"), on=["location_id", "style"], how="left")
        .join(per_style(stock_next, "_style_next"), on=["location_id", "style"], how="left")
        .join(counted, on="location_id", how="left")
        .join(distributed, on="_line", how="left")
        .with_columns(
            pl.when(is_distribute)
            .then(pl.col("_distributed"))
            .when(pl.col("_next").is_not_null() & ~is_clearance)
            .then(received)
            .otherwise(None)
            .cast(pl.Int64)
            .alias("received_units")
        )
        .with_columns(status.alias("follow_status"))
        .sort("_line")
        .drop(
            "_line",
            "_on_hand_m",
            "_on_hand_next",
            "_sold_next",
            "_style_m",
            "_style_next",
            "_next",
            "_distributed",
        )
    )
    return judged if has_lacking else judged.drop("lacking_location_ids")


def status_changes(status_m: pl.LazyFrame, status_next: pl.LazyFrame) -> pl.LazyFrame:
    """Which locations were fixed or got worse from M to M+1 (domain.md 8).

    Args:
        status_m: location_id, status in month M (and any other columns, kept, e.g. rep).
        status_next: location_id, status in month M+1.

    Returns:
        ``status_m`` (in its order) with next_status (null when absent) and change ('fixed' | 'worse' | null):
        fixed when fail or warn became pass, worse when pass became warn or fail, or warn
        became fail.
    """
    before = pl.col("status").replace_strict(_RANK, default=None, return_dtype=pl.Int8)
    after = pl.col("next_status").replace_strict(_RANK, default=None, return_dtype=pl.Int8)
    return (
        status_m.with_row_index("_row")
        .join(
            status_next.select("location_id", pl.col("status").alias("next_status")),
            on="location_id",
            how="left",
        )
        .with_columns(
            pl.when((before > 0) & (after == 0))
            .then(pl.lit("fixed"))
            .when(after > before)
            .then(pl.lit("worse"))
            .otherwise(None)
            .alias("change")
        )
        .sort("_row")
        .drop("_row")
    )


def rep_scorecard(judged: pl.LazyFrame, changes: pl.LazyFrame) -> pl.LazyFrame:
    """Each rep's scorecard for month M (domain.md 8).

    Args:
        judged: Output of :func:`judge_lines` with rep and value_at_stake_cny (null for a
            line without one, e.g. clearance).
        changes: Output of :func:`status_changes` with rep.

    Returns:
        rep, lines, done, partly, not_done, unknown (Int64), value_at_stake_cny,
        done_value_cny (f64), done_value_share (f64, null when no line carries a value),
        fixed, worse (Int64); one row per rep with a location in ``changes`` or a line, by rep.
    """
    status = pl.col("follow_status")
    value = pl.col("value_at_stake_cny")
    by_lines = judged.group_by("rep").agg(
        pl.len().cast(pl.Int64).alias("lines"),
        *((status == s).sum().cast(pl.Int64).alias(s) for s in FOLLOW_STATUSES),
        value.sum().alias("value_at_stake_cny"),
        value.filter(status == "done").sum().alias("done_value_cny"),
        value.is_not_null().any().alias("_valued"),
    )
    by_location = changes.group_by("rep").agg(
        *((pl.col("change") == c).sum().cast(pl.Int64).alias(c) for c in CHANGES)
    )
    reps = pl.concat([judged.select("rep"), changes.select("rep")]).unique()
    counts = ("lines", *FOLLOW_STATUSES, *CHANGES)
    return (
        reps.join(by_lines, on="rep", how="left", nulls_equal=True)
        .join(by_location, on="rep", how="left", nulls_equal=True)
        .with_columns(
            *(pl.col(c).fill_null(0) for c in counts),
            pl.col("value_at_stake_cny").fill_null(0.0),
            pl.col("done_value_cny").fill_null(0.0),
        )
        .with_columns(
            pl.when(pl.col("_valued").fill_null(False) & (pl.col("value_at_stake_cny") > 0))
            .then(pl.col("done_value_cny") / pl.col("value_at_stake_cny"))
            .otherwise(None)
            .alias("done_value_share")
        )
        .select(
            "rep",
            *counts[:5],
            "value_at_stake_cny",
            "done_value_cny",
            "done_value_share",
            *CHANGES,
        )
        .sort("rep", nulls_last=True)
    )
