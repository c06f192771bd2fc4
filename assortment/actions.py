"""What a rep takes to a visit and what to order from the factory (domain.md 6): pure polars.

Choices where domain.md leaves room:

* **Replenish** rows are one per SKU, 1 unit each. A required style (bestseller or new)
  that is not in stock at a location asks for every core SKU of its core colours (of all
  its colours when it has no core colours). A broken colour asks for each missing core
  SKU. A missing core colour of a style in stock (broken colour, 4.6) is flagged in
  style health but is not turned into rows: domain.md 6 does not list it.
* **Transfer** rows are for stores only (a distributor is supplied by the factory). For
  each missing core SKU of a store, a source is a counted, open location of the same
  distributor group (the store's distributor or a sibling store) that can spare it:

  - it holds at least 2 (it gives 1 and keeps at least 1, so its own size run stays whole);
  - or it holds 1 and the style is slow-moving there. Every missing SKU is a core SKU, so
    giving the last unit always leaves a gap at the source: domain.md's "or the style is
    slow-moving there" only means something if a slow-mover's size run is not protected,
    and it should not be, since the style is a clearance candidate at the source.

  A source can give at most its spare units of a SKU (on hand - 1, or all of it when the
  style is slow-moving there). Sources are preferred when they can spare every missing
  core SKU of the receiving colour (one move completes its size run), then by most units
  of the SKU held, then by location_id. Each receiver takes its preferred source; when
  more receivers pick a source than it can spare, the lowest location_ids are served and
  the others keep their replenish row (no second choice is tried).
* A transfer **replaces** the replenish row of the same location and SKU: the unit comes
  from the sibling instead of the factory.
* **value_cny** is ``units * price`` on every row; for clearance, on hand x price summed
  over the style's SKUs at the location (the same as on hand x the style's price).
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
  bestsellers by rank, then new styles, then broken size runs (style, colour, size);
  clearance by on hand descending, then style.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from assortment.config import Rules

if TYPE_CHECKING:
    from assortment.classify import NetworkFacts

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
)
"""The columns of :func:`plan_actions`, in order (see the module docstring for the reasons)."""
_ORDER = ("_group", "_priority")


def replenish_needs(pairs: pl.LazyFrame, missing: pl.LazyFrame, skus: pl.LazyFrame) -> pl.LazyFrame:
    """What each location lacks, one SKU a row: required styles not in stock, broken sizes.

    Args:
        pairs: Classified pairs with style_id, on_hand, is_bestseller, bestseller_rank, is_new.
        missing: location_id, style_id, sc_id, sku of every missing core SKU of a broken colour.
        skus: The SKU table (style_id, sc_id, sku, is_required_sku).

    Returns:
        location_id, style_id, sc_id, sku, _group (0 bestseller, 1 new style, 2 broken
        size), _priority (the bestseller's rank, else 0).
    """
    absent = pairs.filter(
        (pl.col("is_bestseller") | pl.col("is_new")) & (pl.col("on_hand") == 0)
    ).select("location_id", "style_id", "is_bestseller", "bestseller_rank")
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


_RANK_SPAN = 2**24  # location ranks in a composite sort key (16 million locations)
_HELD_CAP = 2**30  # units held, capped, in the same key


def transfer_sources(
    needs: pl.LazyFrame,
    stock: pl.LazyFrame,
    pairs: pl.LazyFrame,
    locations: pl.LazyFrame,
) -> pl.LazyFrame:
    """Pick, for each missing SKU of a store, a sibling in its distributor group that can spare it.

    See the module docstring for what "can spare" means and how sources are preferred.
    The preference (completes the colour's run, most held, lowest location_id) is packed
    into one Int64 key so that the choice is a plain group-by minimum.

    Args:
        needs: Output of :func:`replenish_needs`.
        stock: location_id, sku, on_hand (>= 1), style_id of the classified locations.
        pairs: Classified pairs with style_id and segment.
        locations: location_id, kind, distributor_id.

    Returns:
        location_id, sku, source_location_id, source_on_hand: one row per need served.
    """
    ranks = (
        locations.select("location_id")
        .unique()
        .sort("location_id")
        .with_row_index("_rank")
        .with_columns(pl.col("_rank").cast(pl.Int64))
    )
    stores = locations.filter(
        (pl.col("kind") == "store") & pl.col("distributor_id").is_not_null()
    ).select("location_id", pl.col("distributor_id").alias("_group_id"))
    wanted = (
        needs.select("location_id", "sc_id", "sku")
        .join(stores, on="location_id")
        .with_columns(pl.len().over("location_id", "sc_id").alias("_n_missing"))
    )
    groups = locations.select(
        "location_id", pl.coalesce("distributor_id", "location_id").alias("_group_id")
    )
    sources = (
        stock.select("location_id", "sku", "style_id", "on_hand")
        .join(wanted.select("sku").unique(), on="sku", how="semi")
        .join(groups, on="location_id")
        .join(ranks, on="location_id")
        .join(pairs.select("location_id", "style_id", "segment"), on=["location_id", "style_id"])
        .select(
            pl.col("location_id").alias("source_location_id"),
            "_rank",
            "_group_id",
            "sku",
            pl.col("on_hand").alias("source_on_hand"),
            pl.when(pl.col("segment") == "slow_moving")
            .then(pl.col("on_hand"))
            .otherwise(pl.col("on_hand") - 1)
            .alias("_spare"),
        )
        .filter(pl.col("_spare") >= 1)
    )
    completes = pl.len().over("location_id", "sc_id", "source_location_id") == pl.col("_n_missing")
    preference = (
        pl.when(pl.col("_completes")).then(0).otherwise(1).cast(pl.Int64) * (_HELD_CAP * _RANK_SPAN)
        + (_HELD_CAP - pl.col("source_on_hand").clip(upper_bound=_HELD_CAP)) * _RANK_SPAN
        + pl.col("_rank")
    )
    chosen = (
        wanted.join(sources, on=["_group_id", "sku"])
        .filter(pl.col("source_location_id") != pl.col("location_id"))
        .with_columns(completes.alias("_completes"))
        .group_by("location_id", "sku")
        .agg(preference.min().alias("_key"))
        .select("location_id", "sku", (pl.col("_key") % _RANK_SPAN).alias("_rank"))
    )
    return (
        chosen.join(sources, on=["_rank", "sku"])
        .filter(
            pl.col("location_id").rank("ordinal").over("source_location_id", "sku")
            <= pl.col("_spare")
        )
        .select("location_id", "sku", "source_location_id", "source_on_hand")
    )


def clearance(pairs: pl.LazyFrame) -> pl.LazyFrame:
    """Clearance rows: slow-moving styles that are not new, with units and value.

    Returns:
        location_id, style, style_id, units (on hand), value_cny (on hand x price),
        reason_code ('slow_moving'), units_sold, sell_through, _group, _priority (largest on
        hand first).
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
) -> pl.LazyFrame:
    """Every action for the classified locations (domain.md 6, without the order plan).

    Args:
        pairs: Classified pairs (style_id, style, segment, flags, on_hand, units_sold,
            sell_through, value_cny, bestseller_rank).
        missing: Missing core SKUs of broken colours (location_id, style_id, sc_id, sku).
        stock: SKUs in stock at the classified locations (location_id, sku, on_hand, style_id).
        locations: The partition's locations.
        skus: The SKU table of :func:`assortment.classify.sku_table`.

    Returns:
        location_id, action ('replenish' | 'transfer' | 'clearance'), style, colour, size,
        sku (null for clearance), units (Int64), source_location_id (transfers only),
        value_cny (f64), reason_code (str), bestseller_rank (Int64), launch_month (Date),
        source_on_hand (Int64), units_sold (Int64), sell_through (f64): the reason and its
        parameters as described in the module docstring, which also gives the order.
    """
    loc_dtype = locations.collect_schema()["location_id"]
    sku_dtype = skus.collect_schema()["sku"]
    needs = replenish_needs(pairs, missing, skus)
    moves = transfer_sources(needs, stock, pairs, locations)
    facts = _sku_facts(skus)
    common = ("style", "colour", "size", "sku", "_group", "_priority", "style_id", "sku_order")
    shipped = (
        needs.join(moves, on=["location_id", "sku"], how="anti")
        .join(facts, on="sku")
        .select(
            "location_id",
            pl.lit("replenish").alias("action"),
            pl.lit(None, dtype=loc_dtype).alias("source_location_id"),
            pl.col("price").alias("value_cny"),
            *_reason_of_need(),
            pl.lit(0).alias("_action"),
            *common,
        )
    )
    moved = (
        needs.join(moves, on=["location_id", "sku"])
        .join(facts, on="sku")
        .select(
            "location_id",
            pl.lit("transfer").alias("action"),
            "source_location_id",
            pl.col("source_on_hand").cast(pl.Int64),
            pl.col("price").alias("value_cny"),
            *_reason_of_need(),
            pl.lit(1).alias("_action"),
            *common,
        )
    )
    cleared = clearance(pairs).select(
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
    )
    return (
        pl.concat(
            [
                shipped.with_columns(pl.lit(1, dtype=pl.Int64).alias("units")),
                moved.with_columns(pl.lit(1, dtype=pl.Int64).alias("units")),
                cleared,
            ],
            how="diagonal_relaxed",
        )
        .sort("location_id", "_action", *_ORDER, "style_id", "sku_order")
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
        )
    )


def order_plan(
    facts: NetworkFacts,
    products: pl.LazyFrame,
    region_sales_w: pl.LazyFrame,
    region_on_hand: pl.LazyFrame,
    *,
    rules: Rules,
) -> pl.LazyFrame:
    """Factory order plan (domain.md 6): per region, bestsellers and new styles, by size.

    For each region and required style, ``q = max(0, units_W / lookback_months *
    cover_months - on_hand)``; q is split over the style's sizes by the category size
    curve's shares renormalised to those sizes (equal shares when they sold nothing),
    each size rounded half up (with a 1e-9 guard against float error), never negative.
    Rows with 0 units are omitted.

    Args:
        facts: Network facts (bestsellers, new_styles, size_curve).
        products: sku, style, category, size.
        region_sales_w: region, sku, units_sold over W (every location of the region).
        region_on_hand: region, sku, on_hand in month M.
        rules: lookback_months and cover_months.

    Returns:
        region, style, size, units (Int64), demand_units (f64: style demand over the cover
        period), on_hand_units (Int64: style on hand in the region); ordered by region,
        style, size.
    """
    required = pl.concat(
        [facts.bestsellers.select("style"), facts.new_styles.select("style")]
    ).unique()
    style_of = products.select("sku", "style").join(required, on="style", how="semi")
    sold = (
        region_sales_w.join(style_of, on="sku")
        .group_by("region", "style")
        .agg(pl.col("units_sold").sum().cast(pl.Int64).alias("_units"))
    )
    held = (
        region_on_hand.join(style_of, on="sku")
        .group_by("region", "style")
        .agg(pl.col("on_hand").sum().cast(pl.Int64).alias("on_hand_units"))
    )
    sizes = (
        products.join(required, on="style", how="semi")
        .select("style", "category", "size")
        .unique(subset=["style", "size"], keep="any")
        .join(
            facts.size_curve.select("category", "size", "share"),
            on=["category", "size"],
            how="left",
        )
        .with_columns(pl.col("share").fill_null(0.0))
        .with_columns(pl.col("share").sum().over("style").alias("_sum"))
        .select(
            "style",
            "size",
            pl.when(pl.col("_sum") > 0)
            .then(pl.col("share") / pl.col("_sum"))
            .otherwise(1.0 / pl.len().over("style"))
            .alias("_weight"),
        )
    )
    demand = pl.col("_units") / rules.lookback_months * rules.cover_months
    return (
        sold.join(held, on=["region", "style"], how="left")
        .with_columns(
            pl.col("on_hand_units").fill_null(0),
            demand.cast(pl.Float64).alias("demand_units"),
        )
        .with_columns(
            (pl.col("demand_units") - pl.col("on_hand_units")).clip(lower_bound=0.0).alias("_q")
        )
        .join(sizes, on="style")
        .with_columns(
            (pl.col("_q") * pl.col("_weight") + 0.5 + 1e-9).floor().cast(pl.Int64).alias("units")
        )
        .filter(pl.col("units") > 0)
        .select("region", "style", "size", "units", "demand_units", "on_hand_units")
        .sort("region", "style", "size")
    )
