"""What a rep takes to a visit (domain.md 6.2-6.4): pure polars. The order plan (6.6) is in demand.

Choices where domain.md leaves room:

* **Required SKUs** (6.2): a required style (bestseller or new) that is not in stock at a
  location asks for every core SKU of its core colours (of all its colours when it sold
  nothing over W; one that sold without a colour reaching core_colour_share asks for
  nothing, as written). A broken colour asks for each missing core SKU. A missing core colour of a
  style in stock (broken colour, 4.6) is flagged in style health but is not turned into
  rows: domain.md 6.2 does not list it.
* **How many and from where** (6.1-6.3) is :func:`assortment.demand.plan_lines`: each
  required SKU's need (target - on hand) is met by transfer lines from the store's group
  (one per source, in the order the sources are drawn from) and a replenish line from the
  brand for the rest; every need of a distributor is a replenish line. Each replenish or
  transfer line carries ``demand_units_per_month``, ``target_units``, ``source_kind``
  (``distributor``, ``store`` or ``brand``) and ``value_at_stake_cny``; clearance rows leave
  them null and carry ``months_of_cover`` (6.4, null when nothing sold over W).
* **value_cny** is ``units * price`` on a replenish or transfer line; for clearance, on hand
  x price summed over the style's SKUs at the location (the same as on hand x the style's
  price).
* **Reasons are data, not words.** Each row carries a ``reason_code`` and the parameters
  of that code in typed columns; words are made only at the edges (dashboard, reports,
  exports) from code + parameters. Locations are always named by their codes
  (``location_id``), never by the store's internal keys. The contract:

  - ``bestseller_not_in_stock`` (replenish/transfer): ``bestseller_rank`` (Int64, 1 is the
    best) of the row's ``style``;
  - ``new_style_not_in_stock`` (replenish/transfer): ``launch_month`` (Date, the first of
    the month) of the row's ``style``;
  - ``broken_size_run`` (replenish/transfer): the row's ``colour`` lacks its core size
    ``size`` (the row's own columns, no extra parameter);
  - ``slow_moving`` (clearance): ``units_sold`` (Int64, at the location over the window W),
    ``sell_through`` (f64, 0..1, as in style health) and the row's ``units`` (the on hand
    to clear).

  A parameter column is set only for the codes that use it (null otherwise).
  A **transfer** row also carries ``source_location_id`` (the giving location's code)
  and ``source_on_hand`` (Int64: what the source holds of the SKU); replenish and
  clearance rows leave both null. The codes are :data:`assortment.vocab.ACTION_REASONS`.
  English: "bestseller #3 not in stock", "new style (launched 2026-09) not in stock",
  "broken size run: colour BK lacks core size 75B", "slow-moving: 1 sold over the window,
  8 on hand (sell-through 11%)", plus "; transfer from D01-S003 (holds 2)" on a transfer.
* Rows are ordered by location, then replenish, transfer, clearance, then priority:
  bestsellers by rank, then new styles, then broken size runs (style, colour, size, then
  the source's place in the queue); clearance by on hand descending, then style.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from assortment.config import Rules
from assortment.demand import DemandInputs, months_of_cover, plan_lines
from assortment.rules_engine import PAIR, pair_key

COLUMNS = (
    "location_id",
    "action",
    "style",
    "colour",
    "size",
    "sku",
    "units",
    "source_location_id",
    "value_cny",
    "reason_code",
    "bestseller_rank",
    "launch_month",
    "source_on_hand",
    "units_sold",
    "sell_through",
    "demand_units_per_month",
    "target_units",
    "source_kind",
    "value_at_stake_cny",
    "months_of_cover",
)
"""The columns of :func:`plan_actions`, in order (see the module docstring for the reasons)."""
_ORDER = ("_group", "_priority")


def replenish_needs(pairs: pl.LazyFrame, missing: pl.LazyFrame, skus: pl.LazyFrame) -> pl.LazyFrame:
    """What each location lacks, one SKU a row: required styles not in stock, broken sizes.

    Args:
        pairs: Classified pairs with style_id, on_hand, is_required (a bestseller or new
            style, not launched after M), is_bestseller, bestseller_rank.
        missing: location_id, style_id, sc_id, sku of every missing core SKU of a broken colour.
        skus: The SKU table (style_id, sc_id, sku, is_required_sku).

    Returns:
        location_id, style_id, sc_id, sku, _group (0 bestseller, 1 new style, 2 broken
        size), _priority (the bestseller's rank, else 0).
    """
    absent = pairs.filter(pl.col("is_required") & (pl.col("on_hand") == 0)).select(
        "location_id", "style_id", "is_bestseller", "bestseller_rank"
    )
    of_styles = absent.join(
        skus.filter(pl.col("is_required_sku")).select("style_id", "sc_id", "sku"), on="style_id"
    ).select(
        "location_id",
        "style_id",
        "sc_id",
        "sku",
        pl.when(pl.col("is_bestseller")).then(0).otherwise(1).alias("_group"),
        pl.col("bestseller_rank").fill_null(0).cast(pl.Int64).alias("_priority"),
    )
    of_sizes = missing.select(
        "location_id",
        "style_id",
        "sc_id",
        "sku",
        pl.lit(2).alias("_group"),
        pl.lit(0, dtype=pl.Int64).alias("_priority"),
    )
    return pl.concat([of_styles, of_sizes], how="vertical_relaxed")


def clearance(pairs: pl.LazyFrame, *, lookback_months: int) -> pl.LazyFrame:
    """Clearance rows (6.4): slow-moving styles that are not new, with units, value and cover.

    Returns:
        location_id, style, style_id, units (on hand), value_cny (on hand x price),
        reason_code ('slow_moving'), units_sold, sell_through, months_of_cover (null when
        nothing sold over W), _group, _priority (largest on hand first).
    """
    return pairs.filter((pl.col("segment") == "slow_moving") & ~pl.col("is_new")).select(
        "location_id",
        "style",
        "style_id",
        pl.col("on_hand").alias("units"),
        "value_cny",
        pl.lit("slow_moving").alias("reason_code"),
        pl.col("units_sold").cast(pl.Int64),
        pl.col("sell_through").cast(pl.Float64),
        months_of_cover(lookback_months=lookback_months).alias("months_of_cover"),
        pl.lit(0).alias("_group"),
        (-pl.col("on_hand")).alias("_priority"),
    )


def _sku_facts(skus: pl.LazyFrame) -> pl.LazyFrame:
    """Per SKU: its names, price and its style's bestseller rank and launch month."""
    return skus.select(
        "sku",
        "style",
        "colour",
        "size",
        "price",
        "style_id",
        "sku_order",
        pl.col("bestseller_rank").cast(pl.Int64).alias("_rank"),
        pl.col("launch_month").alias("_launch"),
    )


def _reason_of_need() -> list[pl.Expr]:
    """reason_code, bestseller_rank and launch_month of a need row (by its ``_group``)."""
    group = pl.col("_group")
    return [
        pl.when(group == 0)
        .then(pl.lit("bestseller_not_in_stock"))
        .when(group == 1)
        .then(pl.lit("new_style_not_in_stock"))
        .otherwise(pl.lit("broken_size_run"))
        .alias("reason_code"),
        pl.when(group == 0).then(pl.col("_rank")).alias("bestseller_rank"),
        pl.when(group == 1).then(pl.col("_launch")).alias("launch_month"),
    ]


def plan_actions(
    pairs: pl.LazyFrame,
    missing: pl.LazyFrame,
    stock: pl.LazyFrame,
    locations: pl.LazyFrame,
    skus: pl.LazyFrame,
    demand_inputs: DemandInputs,
    *,
    month: date,
    rules: Rules,
) -> pl.LazyFrame:
    """Every action for the classified locations (domain.md 6, without the order plan).

    Args:
        pairs: Classified pairs (style_id, style, segment, flags, on_hand, units_sold,
            sell_through, value_cny, bestseller_rank).
        missing: Missing core SKUs of broken colours (location_id, style_id, sc_id, sku).
        stock: SKUs in stock at the classified locations (location_id, sku, on_hand, style_id).
        locations: The partition's locations.
        skus: The SKU table of :func:`assortment.classify.sku_table`.
        demand_inputs: What the rate of sale (6.1) reads, for the whole network.
        month: Month M.
        rules: The thresholds in force.

    Returns:
        location_id, action ('replenish' | 'transfer' | 'clearance'), style, colour, size,
        sku (null for clearance), units (Int64), source_location_id (transfers only),
        value_cny (f64), reason_code (str), bestseller_rank (Int64), launch_month (Date),
        source_on_hand (Int64), units_sold (Int64), sell_through (f64): the reason and its
        parameters as described in the module docstring, which also gives the order; then
        demand_units_per_month (f64), target_units (Int64), source_kind (str),
        value_at_stake_cny (f64), months_of_cover (f64).
    """
    loc_dtype = locations.collect_schema()["location_id"]
    sku_dtype = skus.collect_schema()["sku"]
    needs = replenish_needs(pairs, missing, skus).cache()
    lines = plan_lines(
        needs.select("location_id", "sku").unique(),
        stock,
        pairs.filter(pl.col("segment") == "slow_moving").select("location_id", "style_id"),
        locations,
        skus.select("sku", "price"),
        demand_inputs,
        month=month,
        rules=rules,
    )
    facts = _sku_facts(skus)
    held = stock.select(
        pair_key(stock).alias("_source_pair"),
        pl.col("on_hand").cast(pl.Int64).alias("source_on_hand"),
    )
    sized = (
        lines.with_columns(
            pair_key(lines), pair_key(lines, "source_location_id").alias("_source_pair")
        )
        .join(needs.select(pair_key(needs), *_ORDER), on=PAIR)
        .join(facts, on="sku")
        .join(held, on="_source_pair", how="left")
        .select(
            "location_id",
            "action",
            "source_location_id",
            "source_on_hand",
            (pl.col("price") * pl.col("units")).alias("value_cny"),
            *_reason_of_need(),
            pl.when(pl.col("action") == "transfer").then(1).otherwise(0).alias("_action"),
            "style",
            "colour",
            "size",
            "sku",
            *_ORDER,
            "style_id",
            "sku_order",
            "units",
            "demand_units_per_month",
            "target_units",
            "source_kind",
            "value_at_stake_cny",
            "source_rank",
        )
    )
    cleared = clearance(pairs, lookback_months=rules.lookback_months).select(
        "location_id",
        pl.lit("clearance").alias("action"),
        pl.lit(None, dtype=loc_dtype).alias("source_location_id"),
        "value_cny",
        "reason_code",
        "units_sold",
        "sell_through",
        pl.lit(2).alias("_action"),
        "style",
        pl.lit(None, dtype=pl.String).alias("colour"),
        pl.lit(None, dtype=pl.String).alias("size"),
        pl.lit(None, dtype=sku_dtype).alias("sku"),
        "_group",
        "_priority",
        "style_id",
        pl.lit(None, dtype=pl.UInt32).alias("sku_order"),
        "units",
        "months_of_cover",
    )
    return (
        pl.concat([sized, cleared], how="diagonal_relaxed")
        .sort("location_id", "_action", *_ORDER, "style_id", "sku_order", "source_rank")
        .select(
            *COLUMNS[:6],
            pl.col("units").cast(pl.Int64),
            *COLUMNS[7:8],
            pl.col("value_cny").cast(pl.Float64),
            "reason_code",
            pl.col("bestseller_rank").cast(pl.Int64),
            pl.col("launch_month").cast(pl.Date),
            pl.col("source_on_hand").cast(pl.Int64),
            pl.col("units_sold").cast(pl.Int64),
            pl.col("sell_through").cast(pl.Float64),
            pl.col("demand_units_per_month").cast(pl.Float64),
            pl.col("target_units").cast(pl.Int64),
            pl.col("source_kind").cast(pl.String),
            pl.col("value_at_stake_cny").cast(pl.Float64),
            pl.col("months_of_cover").cast(pl.Float64),
        )
    )
