"""Classify every style at every location (domain.md section 4): pure polars, LazyFrames in and out.

Two entry points, called by the job runner:

* :func:`network_facts` computes, once per month, the small network-level facts
  (bestsellers, new styles, the category size curves, core sizes and core colours).
  Every field of :class:`NetworkFacts` is a LazyFrame; call :meth:`NetworkFacts.collect`
  to materialise them once (they are tiny) before classifying many partitions.
* The rules of section 4 (``style_table`` ... ``add_segments``, ``style_health_view``),
  which :func:`assortment.pipeline.classify_partition` composes with compliance
  (section 5) and actions (section 6) for the locations of one or more distributor groups.

Keys (``location_id``, ``sku``, ``distributor_id``) may be strings or integer surrogate
keys: the rules only join and compare them by equality and sort by them only to give
the outputs a deterministic order. No rule collects; no rule does I/O.

Choices where domain.md leaves room (each also tested):

* "All units sold in W" (4.2) is the sum of ``net_sku_units_w`` over the SKUs of the
  products file; a cumulative share reaches the target when ``>= share - 1e-9``.
* A style's ``launch_month`` is the earliest one among its SKUs (they must agree anyway).
* A style "sold at l during W" (4.1) has ``units(l, s) >= 1``; a sales row of 0 units does
  not make a pair.
* Core sizes (4.5) come from ``is_core_size`` for a style whose SKUs have at least one
  non-null value (a null then counts as not core); otherwise from the category curve.
  A colour with no core sizes can never be broken. ``size_curve.share`` is 0.0 for a
  category without sales (whose sizes are then all core).
* Ratios (sell-through, core share of a colour, colour share of a style, cumulative
  shares) are compared with thresholds using a 1e-9 tolerance, so exactly at the
  threshold is never "below" it.
* Counted means at least one month-M stock row, even with on hand 0. A location whose
  status is null is treated as active; rows of locations or SKUs that are not in
  ``locations`` / ``products`` are ignored.

Speed: the per-location group-bys run on dense integer ids (``style_id``, ``sc_id`` for a
style-colour) built from the small products table, only stock rows with on hand >= 1 are
carried past the first filter, and the intermediates shared by the three outputs are
``.cache()``-d so one ``collect_all`` reads the month's stock once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

from assortment import months
from assortment.config import Rules
from assortment.rules_engine import PAIR, at_least, below, pair_columns, pair_key

__all__ = [
    "NetworkFacts",
    "NetworkInputs",
    "PartitionInputs",
    "network_facts",
]


@dataclass(frozen=True)
class NetworkInputs:
    """What the whole network contributes to month M's facts.

    Attributes:
        products: sku, style, colour, size, category, launch_month (Date, 1st of month),
            price (f64), is_core_size (Boolean, nullable; the column may be absent).
        net_sku_units_w: sku, units_sold: network units over window W (every location,
            closed ones included).
        net_sku_units_12m: sku, units_sold: network units over the 12 months ending M.
    """

    products: pl.LazyFrame
    net_sku_units_w: pl.LazyFrame
    net_sku_units_12m: pl.LazyFrame


@dataclass(frozen=True)
class NetworkFacts:
    """Network-level facts of month M; every field is a (small) LazyFrame.

    Attributes:
        bestsellers: rank (Int32, from 1), style, net_units (Int64), cumulative_share (f64).
        new_styles: style, launch_month (Date).
        core_skus: sku, style, colour, size, source ('products' | 'curve'); core sizes per
            style-colour (4.5).
        core_colours: style, colour (4.6).
        size_curve: category, size, units (Int64), share (f64), is_core (bool); 12 months
            ending M.
        sold_styles: style of every style with units over W (net_units > 0): a required
            style that sold nothing asks for all its colours, one that sold for its core
            colours only (6.2).
        required_styles: style of the styles every location is asked to stock (6.2):
            the bestsellers and the new styles, except a style launched after M (4.3: "neither
            new nor required"; it can sell before its launch month and rank as a bestseller).
    """

    bestsellers: pl.LazyFrame
    new_styles: pl.LazyFrame
    core_skus: pl.LazyFrame
    core_colours: pl.LazyFrame
    size_curve: pl.LazyFrame
    sold_styles: pl.LazyFrame
    required_styles: pl.LazyFrame

    def collect(self) -> NetworkFacts:
        """The same facts, computed once (one ``collect_all``) and wrapped back as LazyFrames.

        Call this at the edge (the job runner) before classifying several partitions.
        """
        frames = pl.collect_all(
            [
                self.bestsellers,
                self.new_styles,
                self.core_skus,
                self.core_colours,
                self.size_curve,
                self.sold_styles,
                self.required_styles,
            ]
        )
        return NetworkFacts(*(frame.lazy() for frame in frames))


@dataclass(frozen=True)
class PartitionInputs:
    """The locations of one or more distributor groups, and their month-M facts.

    Attributes:
        locations: location_id, kind ('distributor' | 'store'), distributor_id (null for a
            distributor), region, rep, min_styles (Int32, nullable), status ('active' | 'closed').
        stock_m: location_id, sku, on_hand: month-M count rows (an absent SKU is 0; a location
            with at least one row is counted).
        sales_w: location_id, sku, units_sold over W.
        history: location_id, month (Date), active_styles for months M-3..M-1 where counted.
    """

    locations: pl.LazyFrame
    stock_m: pl.LazyFrame
    sales_w: pl.LazyFrame
    history: pl.LazyFrame


# --------------------------------------------------------------------------------------
# Network facts (4.2, 4.3, 4.5 curve, 4.6)
# --------------------------------------------------------------------------------------


def style_net_units(sku_units: pl.LazyFrame, products: pl.LazyFrame) -> pl.LazyFrame:
    """net_units(s): units of each style of ``products`` over the window (0 when unsold)."""
    sold = (
        sku_units.join(products.select("sku", "style"), on="sku", how="inner")
        .group_by("style")
        .agg(pl.col("units_sold").sum().cast(pl.Int64).alias("net_units"))
    )
    return (
        products.select("style")
        .unique()
        .join(sold, on="style", how="left")
        .with_columns(pl.col("net_units").fill_null(0).alias("net_units"))
    )


def find_bestsellers(net_units: pl.LazyFrame, *, share: float, max_styles: int) -> pl.LazyFrame:
    """Bestsellers (4.2): shortest prefix reaching ``share`` of all units, cut to ``max_styles``.

    Styles with net_units > 0 are ordered by net_units descending, then style ascending.
    A style belongs to the prefix while the share accumulated *before* it is still below
    ``share`` (1e-9 tolerance), so the style that reaches the share is the last one in.

    Returns:
        rank (Int32, 1-based), style, net_units (Int64), cumulative_share (f64).
    """
    return (
        net_units.with_columns(pl.col("net_units").sum().alias("_total"))
        .filter(pl.col("net_units") > 0)
        .sort(["net_units", "style"], descending=[True, False])
        .with_columns(pl.col("net_units").cum_sum().alias("_cum"))
        .with_columns(
            (pl.col("_cum") / pl.col("_total")).alias("cumulative_share"),
            ((pl.col("_cum") - pl.col("net_units")) / pl.col("_total")).alias("_before"),
        )
        .filter(below(pl.col("_before"), share))
        .head(max_styles)
        .with_row_index("rank", offset=1)
        .select(
            pl.col("rank").cast(pl.Int32),
            "style",
            pl.col("net_units").cast(pl.Int64),
            "cumulative_share",
        )
    )


def find_new_styles(products: pl.LazyFrame, *, month: date, new_months: int) -> pl.LazyFrame:
    """New styles (4.3): ``M - new_months < launch_month <= M``, counted in whole months.

    Returns:
        style, launch_month (Date), ordered by style.
    """
    m = months.index(month)
    launch = months.index_expr("launch_month")
    return (
        products.group_by("style")
        .agg(pl.col("launch_month").min())
        .filter((launch > m - new_months) & (launch <= m))
        .sort("style")
    )


def category_size_curve(
    products: pl.LazyFrame, sku_units_12m: pl.LazyFrame, *, core_share: float
) -> pl.LazyFrame:
    """Category size curves (4.5) over the 12 months ending M.

    Every size that a product of the category has appears, with 0 units when unsold.
    Sizes are ordered by units descending, then size ascending; the core sizes are the
    shortest prefix reaching ``core_share`` of the category's units (1e-9 tolerance).
    With no sales in the category, every size is core and every share is 0.0.

    Returns:
        category, size, units (Int64), share (f64), is_core (bool), ordered by category,
        then curve order.
    """
    sold = (
        sku_units_12m.join(products.select("sku", "category", "size"), on="sku", how="inner")
        .group_by("category", "size")
        .agg(pl.col("units_sold").sum().cast(pl.Int64).alias("units"))
    )
    total = pl.col("_total")
    return (
        products.select("category", "size")
        .unique()
        .join(sold, on=["category", "size"], how="left")
        .with_columns(pl.col("units").fill_null(0))
        .sort(["category", "units", "size"], descending=[False, True, False])
        .with_columns(
            pl.col("units").sum().over("category").alias("_total"),
            pl.col("units").cum_sum().over("category").alias("_cum"),
        )
        .with_columns(
            pl.when(total > 0).then(pl.col("units") / total).otherwise(0.0).alias("share"),
            ((total == 0) | below((pl.col("_cum") - pl.col("units")) / total, core_share)).alias(
                "is_core"
            ),
        )
        .select("category", "size", "units", "share", "is_core")
    )


def _with_core_flag(products: pl.LazyFrame) -> pl.LazyFrame:
    """``products`` with an ``is_core_size`` column (all null when the file has none)."""
    if "is_core_size" in products.collect_schema().names():
        return products.with_columns(pl.col("is_core_size").cast(pl.Boolean))
    return products.with_columns(pl.lit(None, dtype=pl.Boolean).alias("is_core_size"))


def find_core_skus(products: pl.LazyFrame, size_curve: pl.LazyFrame) -> pl.LazyFrame:
    """Core sizes per style-colour (4.5): the products file where it says, else the curve.

    A style "says" when at least one of its SKUs has a non-null ``is_core_size``; its core
    SKUs are then those marked true. Any other style takes, in each colour, the SKUs
    whose size is core in its category's curve.

    Returns:
        sku, style, colour, size, source ('products' | 'curve'), ordered by style, colour, size.
    """
    flagged = _with_core_flag(products).with_columns(
        pl.col("is_core_size").is_not_null().any().over("style").alias("_says")
    )
    cols = ["sku", "style", "colour", "size"]
    from_products = flagged.filter(
        pl.col("_says") & pl.col("is_core_size").fill_null(False)
    ).select(*cols, pl.lit("products").alias("source"))
    from_curve = (
        flagged.filter(~pl.col("_says"))
        .join(
            size_curve.filter(pl.col("is_core")).select("category", "size"),
            on=["category", "size"],
            how="semi",
        )
        .select(*cols, pl.lit("curve").alias("source"))
    )
    return pl.concat([from_products, from_curve]).sort("style", "colour", "size")


def find_core_colours(
    products: pl.LazyFrame, sku_units_w: pl.LazyFrame, *, share: float
) -> pl.LazyFrame:
    """Core colours (4.6): colours with at least ``share`` of net_units(s) (1e-9 tolerance).

    A style with no units over W has no core colours.

    Returns:
        style, colour, ordered by style, colour.
    """
    sold = (
        sku_units_w.join(products.select("sku", "style", "colour"), on="sku", how="inner")
        .group_by("style", "colour")
        .agg(pl.col("units_sold").sum().alias("_units"))
    )
    net = pl.col("_units").sum().over("style")
    return (
        products.select("style", "colour")
        .unique()
        .join(sold, on=["style", "colour"], how="left")
        .with_columns(pl.col("_units").fill_null(0))
        .filter((net > 0) & at_least(pl.col("_units") / net, share))
        .select("style", "colour")
        .sort("style", "colour")
    )


def network_facts(inp: NetworkInputs, *, month: date, rules: Rules) -> NetworkFacts:
    """The network-level facts of month M (domain.md 4.2, 4.3, 4.5, 4.6), as LazyFrames.

    Args:
        inp: Products and network units over W and over the 12 months ending M.
        month: Month M (any day of it).
        rules: The thresholds in force.

    Returns:
        :class:`NetworkFacts`; call ``.collect()`` on it to compute them once.
    """
    products = inp.products
    net_units = style_net_units(inp.net_sku_units_w, products)
    bestsellers = net_units.pipe(
        find_bestsellers,
        share=rules.bestseller_share,
        max_styles=rules.bestseller_max_styles,
    )
    new_styles = find_new_styles(products, month=month, new_months=rules.new_months)
    curve = category_size_curve(products, inp.net_sku_units_12m, core_share=rules.core_size_share)
    return NetworkFacts(
        bestsellers=bestsellers,
        new_styles=new_styles,
        core_skus=find_core_skus(products, curve),
        core_colours=find_core_colours(
            products, inp.net_sku_units_w, share=rules.core_colour_share
        ),
        size_curve=curve,
        sold_styles=net_units.filter(pl.col("net_units") > 0).select("style"),
        required_styles=find_required_styles(products, bestsellers, new_styles, month=month),
    )


def find_required_styles(
    products: pl.LazyFrame, bestsellers: pl.LazyFrame, new_styles: pl.LazyFrame, *, month: date
) -> pl.LazyFrame:
    """The styles every location is asked to stock (6.2): the bestsellers and the new styles,
    less a bestseller launched after M (4.3: "neither new nor required").

    Returns:
        style, ordered by style.
    """
    launched = (
        products.group_by("style")
        .agg(pl.col("launch_month").min())
        .filter(months.index_expr("launch_month") <= months.index(month))
        .select("style")
    )
    return (
        pl.concat(
            [
                bestsellers.select("style").join(launched, on="style", how="semi"),
                new_styles.select("style"),
            ]
        )
        .unique()
        .sort("style")
    )


# --------------------------------------------------------------------------------------
# Per location and style (4.1, 4.4, 4.5, 4.6)
# --------------------------------------------------------------------------------------


def style_table(products: pl.LazyFrame, facts: NetworkFacts) -> pl.LazyFrame:
    """One row per style with a dense integer ``style_id`` and its network-level facts.

    The big per-location group-bys run on integer ids; names are joined back at the end.

    Returns:
        style_id (UInt32), style, bestseller_rank (null unless a bestseller), launch_month
        (null unless new), is_bestseller, is_new, n_core_colours (UInt32), is_sold (units
        over W), is_required (6.2: see :attr:`NetworkFacts.required_styles`).
    """
    n_core_colours = facts.core_colours.group_by("style").agg(pl.len().alias("n_core_colours"))
    return (
        products.select("style")
        .unique()
        .sort("style")
        .with_row_index("style_id")
        .join(
            facts.bestsellers.select("style", pl.col("rank").alias("bestseller_rank")),
            on="style",
            how="left",
        )
        .join(facts.new_styles.select("style", "launch_month"), on="style", how="left")
        .join(n_core_colours, on="style", how="left")
        .join(
            facts.sold_styles.select("style", pl.lit(True).alias("is_sold")), on="style", how="left"
        )
        .join(
            facts.required_styles.select("style", pl.lit(True).alias("is_required")),
            on="style",
            how="left",
        )
        .with_columns(
            pl.col("is_sold").fill_null(False),
            pl.col("is_required").fill_null(False),
            pl.col("bestseller_rank").is_not_null().alias("is_bestseller"),
            pl.col("launch_month").is_not_null().alias("is_new"),
            pl.col("n_core_colours").fill_null(0),
        )
    )


def sku_table(products: pl.LazyFrame, facts: NetworkFacts, styles: pl.LazyFrame) -> pl.LazyFrame:
    """One row per SKU with what the per-location rules need to know about it.

    Returns:
        sku, style_id, sc_id (UInt32, one per style-colour), style, colour, size, price,
        is_core (a core size of its colour, 4.5), is_core_colour (4.6), is_required_sku
        (asked for when a required style is absent, 6.2: a core SKU of a core colour, or of
        any colour when the style sold nothing over W; a style that sold but has no core
        colour asks for nothing), n_core (core sizes of its colour),
        sku_order (position by style, colour, size: the order of missing-SKU lists),
        bestseller_rank and launch_month of its style (for the wording of actions).
    """
    core = facts.core_skus.select("sku", pl.lit(True).alias("is_core"))
    core_colours = facts.core_colours.with_columns(pl.lit(True).alias("is_core_colour"))
    return (
        products.select("sku", "style", "colour", "size", "price")
        .sort("style", "colour", "size")
        .with_row_index("sku_order")
        .join(
            styles.select("style", "style_id", "is_sold", "bestseller_rank", "launch_month"),
            on="style",
        )
        .join(core, on="sku", how="left")
        .join(core_colours, on=["style", "colour"], how="left")
        .with_columns(
            pl.col("is_core").fill_null(False),
            pl.col("is_core_colour").fill_null(False),
            pl.struct("style_id", "colour").rank("dense").cast(pl.UInt32).alias("sc_id"),
        )
        .with_columns(
            (pl.col("is_core") & (pl.col("is_core_colour") | ~pl.col("is_sold"))).alias(
                "is_required_sku"
            ),
            pl.col("is_core").sum().over("sc_id").cast(pl.UInt32).alias("n_core"),
        )
        .drop("is_sold")
    )


def classified_locations(locations: pl.LazyFrame, stock_m: pl.LazyFrame) -> pl.LazyFrame:
    """location_id of every counted location that is not closed (4.1)."""
    counted = stock_m.select("location_id").unique()
    return (
        locations.filter(~pl.col("status").eq_missing("closed"))
        .select("location_id")
        .join(counted, on="location_id", how="semi")
    )


def stock_in_hand(
    stock_m: pl.LazyFrame, locations: pl.LazyFrame, skus: pl.LazyFrame
) -> pl.LazyFrame:
    """SKUs in stock (on hand >= 1) at the given locations.

    Returns:
        location_id, sku, on_hand (Int64), style_id, sc_id, is_core, price.
    """
    return (
        stock_m.filter(pl.col("on_hand") > 0)
        .join(locations, on="location_id", how="semi")
        .join(skus.select("sku", "style_id", "sc_id", "is_core", "price"), on="sku", how="inner")
        .with_columns(pl.col("on_hand").cast(pl.Int64))
    )


def flag_broken_colours(
    stock: pl.LazyFrame, skus: pl.LazyFrame, *, min_core_share: float
) -> pl.LazyFrame:
    """Colours in stock per location, with their broken-size flag (4.5).

    A colour in stock is broken when the share of its core sizes in stock is below
    ``min_core_share`` (1e-9 tolerance); a colour without core sizes is never broken.

    Returns:
        location_id, sc_id, style_id, on_hand, value_cny, is_core_colour, is_broken.
    """
    per_colour = skus.group_by("sc_id").agg(
        pl.col("n_core").first(), pl.col("is_core_colour").first()
    )
    return (
        stock.group_by(pair_key(stock, "location_id", "sc_id"))
        .agg(
            pl.col("style_id").first(),
            pl.col("on_hand").sum(),
            (pl.col("on_hand") * pl.col("price")).sum().alias("value_cny"),
            pl.col("is_core").sum().alias("_n_core_in_stock"),
        )
        .select(*pair_columns(stock, "location_id", "sc_id"), pl.exclude(PAIR))
        .join(per_colour, on="sc_id")
        .with_columns(
            (
                (pl.col("n_core") > 0)
                & below(pl.col("_n_core_in_stock") / pl.col("n_core"), min_core_share)
            ).alias("is_broken")
        )
        .drop("n_core", "_n_core_in_stock")
    )


def missing_core_skus(
    colours: pl.LazyFrame, skus: pl.LazyFrame, stock: pl.LazyFrame
) -> pl.LazyFrame:
    """The core SKUs with on hand 0 of every broken colour (4.5).

    Returns:
        location_id, style_id, sc_id, sku, sku_order: one row per missing core SKU.
    """
    core = (
        colours.filter(pl.col("is_broken"))
        .select("location_id", "sc_id")
        .join(
            skus.filter(pl.col("is_core")).select("sc_id", "style_id", "sku", "sku_order"),
            on="sc_id",
        )
    )
    return (
        core.with_columns(pair_key(core))
        .join(stock.select(pair_key(stock)), on=PAIR, how="anti")
        .drop(PAIR)
    )


def classify_pairs(
    colours: pl.LazyFrame,
    sales_w: pl.LazyFrame,
    locations: pl.LazyFrame,
    skus: pl.LazyFrame,
    styles: pl.LazyFrame,
) -> pl.LazyFrame:
    """The classified (location, style) pairs (4.1) with their stock and sales figures.

    A pair is classified when the style is in stock at the location, sold there during W
    (at least 1 unit), or is a bestseller or a new style.

    Args:
        colours: Output of :func:`flag_broken_colours`.
        sales_w: location_id, sku, units_sold over W.
        locations: location_id of the classified locations.
        skus: Output of :func:`sku_table`.
        styles: Output of :func:`style_table`.

    Returns:
        location_id, style_id, on_hand, units_sold (Int64), value_cny, broken_size,
        n_core_colours_in_stock.
    """
    # (location, style) pairs are grouped on one packed key (see rules_engine.pair_key)
    in_stock = colours.group_by(pair_key(colours, "location_id", "style_id")).agg(
        pl.col("on_hand").sum(),
        pl.col("value_cny").sum(),
        pl.col("is_broken").any().alias("broken_size"),
        pl.col("is_core_colour").sum().alias("n_core_colours_in_stock"),
    )
    sales = sales_w.join(locations, on="location_id", how="semi").join(
        skus.select("sku", "style_id"), on="sku", how="inner"
    )
    sold = sales.group_by(pair_key(sales, "location_id", "style_id")).agg(
        pl.col("units_sold").sum().cast(pl.Int64)
    )
    wanted = locations.join(
        styles.filter(pl.col("is_bestseller") | pl.col("is_new")).select("style_id"), how="cross"
    )
    wanted = wanted.select(
        pair_key(wanted, "location_id", "style_id"), pl.lit(True).alias("_required")
    )
    return (
        pl.concat([in_stock, sold, wanted], how="diagonal_relaxed")
        .group_by(PAIR)
        .agg(
            pl.col("on_hand").sum().cast(pl.Int64),
            pl.col("units_sold").sum().cast(pl.Int64),
            pl.col("value_cny").sum().cast(pl.Float64),
            pl.col("broken_size").any(),
            pl.col("n_core_colours_in_stock").sum().cast(pl.UInt32),
            pl.col("_required").any(),
        )
        .filter((pl.col("on_hand") > 0) | (pl.col("units_sold") > 0) | pl.col("_required"))
        .select(*pair_columns(colours, "location_id", "style_id"), pl.exclude(PAIR, "_required"))
    )


def add_segments(
    pairs: pl.LazyFrame, styles: pl.LazyFrame, *, slow_sell_through: float
) -> pl.LazyFrame:
    """Segment (4.4), sell-through and broken colour (4.6) of each classified pair.

    Adds style, is_bestseller, bestseller_rank, is_new, launch_month, sell_through (null
    when units + on hand is 0), segment and broken_colour (in stock, and some core colour
    has on hand 0).
    """
    on_hand, units = pl.col("on_hand"), pl.col("units_sold")
    sell_through = pl.col("sell_through")
    return (
        pairs.join(styles, on="style_id")
        .with_columns(
            pl.when(units + on_hand > 0)
            .then(units / (units + on_hand))
            .otherwise(None)
            .alias("sell_through"),
        )
        .with_columns(
            pl.when(pl.col("is_bestseller"))
            .then(pl.lit("bestseller"))
            .when(pl.col("is_new"))
            .then(pl.lit("new"))
            .when((on_hand > 0) & below(sell_through, slow_sell_through))
            .then(pl.lit("slow_moving"))
            .otherwise(pl.lit("steady"))
            .alias("segment"),
            ((on_hand > 0) & (pl.col("n_core_colours") > pl.col("n_core_colours_in_stock"))).alias(
                "broken_colour"
            ),
        )
        .drop("n_core_colours", "n_core_colours_in_stock")
    )


def style_health_view(
    pairs: pl.LazyFrame, missing: pl.LazyFrame, *, sku_dtype: pl.DataType
) -> pl.LazyFrame:
    """The published style-health table: one row per classified pair, by location and style."""
    lists = missing.group_by("location_id", "style_id").agg(
        pl.col("sku").sort_by("sku_order").alias("missing_core_skus")
    )
    return (
        pairs.join(lists, on=["location_id", "style_id"], how="left")
        .select(
            "location_id",
            "style",
            "segment",
            "is_bestseller",
            "is_new",
            "on_hand",
            "units_sold",
            "sell_through",
            "broken_size",
            "broken_colour",
            pl.col("missing_core_skus").fill_null(pl.lit([], dtype=pl.List(sku_dtype))),
        )
        .sort("location_id", "style")
    )
