"""Every product gets its chance (domain.md 9): styles stuck at the distributor, pure polars.

For month M, distributor group g (an active distributor and its active stores) and style s:
``reach(g,s)``, ``held(g,s)`` and ``elsewhere_sell_through(g,s)``; the stuck pairs; and the
distribute (铺货) line of each stuck pair. :func:`group_chances` gives the figures for every
style (the Styles page shows them for bestsellers and new styles too);
:func:`stuck_at_distributor` keeps the stuck pairs of the non-required styles.

Choices where domain.md leaves room (each tested in tests/test_stuck.py):

* "Counted" means at least one month-M stock row (domain.md 3); a store is *active* when its
  status is not ``closed``. Reach, ``stores``, ``stores_with_style`` and the elsewhere figures
  look at counted active stores only, as the text says. ``lacking`` follows the text
  literally: the active stores of g with no on hand of s in M, whether or not they were
  counted in M (an uncounted store has no on hand in M, so it lacks the style).
* A style is in stock at a store in a month when the style's on hand summed over its SKUs is
  at least 1 (domain.md 4). "In stock in some month of W" reads the month-end counts of W;
  a store that sold units without ever counting one at a month end did not have it.
* A group is an active distributor; stores whose distributor is closed belong to no group,
  but as counted active stores outside every group they count "elsewhere" for all groups.
  ``held`` is the distributor's month-M on hand (0 when the distributor is not counted).
* ``elsewhere_sell_through`` is null when no counted active store outside g had the style in
  W, or when those stores neither sold it nor hold it (0 / 0).
* Every ratio is compared with its threshold with the 1e-9 tolerance (reach exactly 0.5 is
  not below 0.5; a sell-through of exactly 0.3 is proven).
* ``n`` of ``units = min(held, len(lacking) * n)`` is the number of required SKUs of s as 6.2
  defines them: the core sizes of its core colours, or of all its colours when s sold nothing
  in W (a style that sold without a colour reaching core_colour_share has n = 0).
* ``value_at_stake_cny = elsewhere_rate * len(lacking) * price`` with ``elsewhere_rate`` the
  elsewhere stores' units over W / (L * their number); ``price`` is the style's price (the
  highest of its SKUs', which must agree anyway).
* A group with no counted store has reach 0; when it is stuck, its distribute line names all
  its active stores. A stuck pair whose group has no active store lacking it (a distributor
  with no active store at all) stays in the stuck list with ``units`` 0, but yields no
  distribute line: there is nowhere to send the units.

Keys may be strings or integer surrogate keys; ``lacking_location_ids`` is sorted by key
here, and the job sorts it again by code once keys are replaced.
"""

from __future__ import annotations

import polars as pl

from assortment.rules_engine import at_least, below

__all__ = [
    "STUCK_COLUMNS",
    "chances_and_stuck",
    "distribute_lines",
    "group_chances",
    "active_stores",
    "counted_active_stores",
    "distribute_actions",
    "find_stuck",
    "required_sku_counts",
    "shown_stores",
    "store_style_chances",
    "style_figures",
    "styles_had",
    "stuck_at_distributor",
]

STUCK_COLUMNS = (
    "distributor_id",
    "style",
    "held_units",
    "stores",
    "stores_with_style",
    "reach",
    "elsewhere_sell_through",
    "lacking_location_ids",
    "units",
    "value_at_stake_cny",
)
"""The columns of the ``stuck`` export after ``month`` (domain.md 9), in order."""


def _active(locations: pl.LazyFrame) -> pl.Expr:
    return ~pl.col("status").eq_missing("closed")


def active_stores(locations: pl.LazyFrame) -> pl.LazyFrame:
    """Stores that are not closed, counted in M or not (the candidates for ``lacking``).

    Returns:
        location_id, distributor_id.
    """
    return locations.filter((pl.col("kind") != "distributor") & _active(locations)).select(
        "location_id", "distributor_id"
    )


def counted_active_stores(locations: pl.LazyFrame, stock_m: pl.LazyFrame) -> pl.LazyFrame:
    """Stores counted in M and not closed (a store of a closed distributor too: it is in no
    group, but it is a counted active store outside every group).

    Returns:
        location_id, distributor_id, region.
    """
    return (
        locations.filter((pl.col("kind") != "distributor") & _active(locations))
        .join(stock_m.select("location_id").unique(), on="location_id", how="semi")
        .select("location_id", "distributor_id", "region")
    )


def styles_had(stock: pl.LazyFrame, products: pl.LazyFrame) -> pl.LazyFrame:
    """The styles each location had in stock at the end of some month of ``stock``.

    Args:
        stock: location_id, month, sku, on_hand (month-end counts; zero rows may be left out).
        products: sku, style.

    Returns:
        location_id, style: one row per location and style whose on hand, summed over the
        style's SKUs, was at least 1 in some month (domain.md 4: in stock).
    """
    # a whole-unit row with on hand > 0 puts its style's sum at 1 or more that month: any such
    # row is enough, whatever the month; deduplicated on integer style ids (the stock rows are
    # many), the style codes joined back to the (few) pairs; the ids are numbered in code order
    # because the plan reads ``ids`` twice and an unordered unique() may number it differently
    ids = products.select("style").unique().sort("style").with_row_index("_style_id")
    sku_style = products.select("sku", "style").join(ids, on="style").select("sku", "_style_id")
    return (
        stock.filter(pl.col("on_hand") > 0)
        .select("location_id", "sku")
        .join(sku_style, on="sku")
        .select("location_id", "_style_id")
        .unique()
        .join(ids, on="_style_id")
        .select("location_id", "style")
    )


def style_figures(
    stock_m: pl.LazyFrame, sales_w: pl.LazyFrame, products: pl.LazyFrame
) -> pl.LazyFrame:
    """On hand in M and units over W per location and style, where either is not 0.

    The job passes its style-health rows instead (the same figures for every classified pair).

    Returns:
        location_id, style, on_hand (Int64), units_sold (Int64).
    """
    style_of = products.select("sku", "style")
    held = stock_m.join(style_of, on="sku").select(
        "location_id", "style", pl.col("on_hand").cast(pl.Int64), pl.lit(0, pl.Int64).alias("u")
    )
    sold = sales_w.join(style_of, on="sku").select(
        "location_id",
        "style",
        pl.lit(0, pl.Int64).alias("on_hand"),
        pl.col("units_sold").cast(pl.Int64).alias("u"),
    )
    return (
        pl.concat([held, sold])
        .group_by("location_id", "style")
        .agg(pl.col("on_hand").sum(), pl.col("u").sum().alias("units_sold"))
        .filter((pl.col("on_hand") > 0) | (pl.col("units_sold") > 0))
    )


def store_style_chances(
    stores: pl.LazyFrame, had_w: pl.LazyFrame, figures: pl.LazyFrame
) -> pl.LazyFrame:
    """Each store's history with each style it had or sold over W.

    Args:
        stores: location_id, distributor_id, region: the counted active stores.
        had_w: location_id, style: the styles each location had in stock at the end of some
            month of W before M (:func:`styles_had`; the job reads it aggregated by DuckDB).
        figures: location_id, style, on_hand (M), units_sold (W): :func:`style_figures`, or
            the job's style-health rows.

    Returns:
        location_id, distributor_id, region, style, in_stock_w (on hand >= 1 at the end of
        some month of W), on_hand_m (Int64), units_w (Int64): one row per store and style it
        had in W or sold in W.
    """
    in_stores = stores.select("location_id")
    had = had_w.join(in_stores, on="location_id", how="semi").select(
        "location_id", "style", pl.lit(True).alias("in_stock_w")
    )
    shown = figures.join(in_stores, on="location_id", how="semi").select(
        "location_id",
        "style",
        pl.col("on_hand").cast(pl.Int64).alias("on_hand_m"),
        pl.col("units_sold").cast(pl.Int64).alias("units_w"),
    )
    return (
        pl.concat([had, shown], how="diagonal_relaxed")
        .group_by("location_id", "style")
        .agg(
            pl.col("in_stock_w").any(),
            pl.col("on_hand_m").sum().cast(pl.Int64),
            pl.col("units_w").sum().cast(pl.Int64),
        )
        .with_columns(
            # the month-M count is one of W's: on hand in M is in stock in W
            (pl.col("in_stock_w").fill_null(False) | (pl.col("on_hand_m") > 0)).alias("in_stock_w")
        )
        .join(stores, on="location_id")
        .select(
            "location_id", "distributor_id", "region", "style", "in_stock_w", "on_hand_m", "units_w"
        )
    )


def group_chances(
    locations: pl.LazyFrame,
    stores: pl.LazyFrame,
    chances: pl.LazyFrame,
    figures: pl.LazyFrame,
    products: pl.LazyFrame,
    *,
    lookback_months: int,
) -> pl.LazyFrame:
    """Reach, held and elsewhere figures of every style in every group (domain.md 9).

    Args:
        locations: location_id, kind, region, status.
        stores: Output of :func:`counted_active_stores`.
        chances: Output of :func:`store_style_chances`.
        figures: location_id, style, on_hand (M), units_sold (W) (the distributors' holdings).
        products: sku, style.
        lookback_months: L, the length of W.

    Returns:
        One row per active distributor and style: distributor_id, region (the distributor's),
        style, held_units, stores (counted active stores of g), stores_with_style (those that
        had s in W), reach, units_w and on_hand_m (over g's stores that had s in W; the
        in-group sell-through is ``units_w / (units_w + on_hand_m)``), elsewhere_stores,
        elsewhere_units, elsewhere_on_hand, elsewhere_sell_through (null when undefined),
        elsewhere_rate (units per store and month, null when elsewhere_stores is 0).
    """
    chances = chances.filter(pl.col("in_stock_w"))
    in_group = chances.group_by("distributor_id", "style").agg(
        pl.len().cast(pl.Int64).alias("stores_with_style"),
        pl.col("units_w").sum().cast(pl.Int64),
        pl.col("on_hand_m").sum().cast(pl.Int64),
    )
    network = chances.group_by("style").agg(
        pl.len().cast(pl.Int64).alias("_net_stores"),
        pl.col("units_w").sum().cast(pl.Int64).alias("_net_units"),
        pl.col("on_hand_m").sum().cast(pl.Int64).alias("_net_on_hand"),
    )
    n_stores = stores.group_by("distributor_id").agg(pl.len().cast(pl.Int64).alias("stores"))
    distributors = locations.filter((pl.col("kind") == "distributor") & _active(locations)).select(
        pl.col("location_id").alias("distributor_id"), "region"
    )
    held = figures.select(
        pl.col("location_id").alias("distributor_id"),
        "style",
        pl.col("on_hand").cast(pl.Int64).alias("held_units"),
    )
    zero = pl.lit(0, dtype=pl.Int64)
    e_units, e_on_hand = pl.col("elsewhere_units"), pl.col("elsewhere_on_hand")
    e_stores = pl.col("elsewhere_stores")
    return (
        distributors.join(products.select("style").unique(), how="cross")
        .join(held, on=["distributor_id", "style"], how="left")
        .join(n_stores, on="distributor_id", how="left")
        .join(in_group, on=["distributor_id", "style"], how="left")
        .join(network, on="style", how="left")
        .with_columns(
            pl.col(c).fill_null(zero)
            for c in (
                "held_units",
                "stores",
                "stores_with_style",
                "units_w",
                "on_hand_m",
                "_net_stores",
                "_net_units",
                "_net_on_hand",
            )
        )
        .with_columns(
            pl.when(pl.col("stores") > 0)
            .then(pl.col("stores_with_style") / pl.col("stores"))
            .otherwise(0.0)
            .alias("reach"),
            (pl.col("_net_stores") - pl.col("stores_with_style")).alias("elsewhere_stores"),
            (pl.col("_net_units") - pl.col("units_w")).alias("elsewhere_units"),
            (pl.col("_net_on_hand") - pl.col("on_hand_m")).alias("elsewhere_on_hand"),
        )
        .with_columns(
            pl.when((e_stores > 0) & (e_units + e_on_hand > 0))
            .then(e_units / (e_units + e_on_hand))
            .otherwise(None)
            .alias("elsewhere_sell_through"),
            pl.when(e_stores > 0)
            .then(e_units / (e_stores * lookback_months))
            .otherwise(None)
            .alias("elsewhere_rate"),
        )
        .select(
            "distributor_id",
            "region",
            "style",
            "held_units",
            "stores",
            "stores_with_style",
            "reach",
            "units_w",
            "on_hand_m",
            "elsewhere_stores",
            "elsewhere_units",
            "elsewhere_on_hand",
            "elsewhere_sell_through",
            "elsewhere_rate",
        )
    )


def required_sku_counts(
    core_skus: pl.LazyFrame, core_colours: pl.LazyFrame, sold_styles: pl.LazyFrame
) -> pl.LazyFrame:
    """n per style: its required SKUs as 6.2 defines them.

    The core sizes (4.5) of its core colours (4.6), or of all its colours when the style sold
    nothing in W.

    Args:
        core_skus: sku, style, colour (core sizes per style-colour).
        core_colours: style, colour.
        sold_styles: style of the styles with units over W.

    Returns:
        style, n_core_skus (Int64) of the styles with at least one required SKU.
    """
    return (
        core_skus.join(
            core_colours.select("style", "colour", pl.lit(True).alias("_core_colour")),
            on=["style", "colour"],
            how="left",
        )
        .join(sold_styles.select("style", pl.lit(True).alias("_sold")), on="style", how="left")
        .filter(pl.col("_core_colour").fill_null(False) | pl.col("_sold").is_null())
        .group_by("style")
        .agg(pl.len().cast(pl.Int64).alias("n_core_skus"))
    )


def find_stuck(
    chances: pl.LazyFrame,
    required_styles: pl.LazyFrame,
    *,
    stuck_min_units: int,
    min_store_reach: float,
    proven_sell_through: float,
) -> pl.LazyFrame:
    """The stuck pairs among :func:`group_chances` rows (domain.md 9).

    A pair is stuck when s is neither a bestseller nor new, ``held >= stuck_min_units``,
    ``reach < min_store_reach`` and ``elsewhere_sell_through >= proven_sell_through``
    (ratios with the 1e-9 tolerance).

    Args:
        chances: Output of :func:`group_chances`.
        required_styles: style: the bestsellers and the new styles of M.
    """
    return chances.join(required_styles.select("style"), on="style", how="anti").filter(
        (pl.col("held_units") >= stuck_min_units)
        & below(pl.col("reach"), min_store_reach)
        & at_least(pl.col("elsewhere_sell_through"), proven_sell_through).fill_null(False)
    )


def distribute_lines(
    stuck: pl.LazyFrame,
    stores: pl.LazyFrame,
    chances: pl.LazyFrame,
    n_core: pl.LazyFrame,
    prices: pl.LazyFrame,
) -> pl.LazyFrame:
    """The distribute (铺货) figures of each stuck pair.

    Args:
        stuck: Output of :func:`find_stuck`.
        stores: location_id, distributor_id: the active stores, counted in M or not
            (:func:`active_stores`): ``lacking`` is those of g without s in stock in M.
        chances: Output of :func:`store_style_chances` (on_hand_m per counted store and
            style; an uncounted store has no on hand in M).
        n_core: style, n_core_skus (:func:`required_sku_counts`).
        prices: style, price.

    Returns:
        The stuck rows with lacking_location_ids (List, ascending), units (Int64) and
        value_at_stake_cny (f64).
    """
    has_m = chances.filter(pl.col("on_hand_m") > 0).select("location_id", "style")
    lacking = (
        stuck.select("distributor_id", "style")
        .join(stores.select("location_id", "distributor_id"), on="distributor_id")
        .join(has_m, on=["location_id", "style"], how="anti")
        .group_by("distributor_id", "style")
        .agg(pl.col("location_id").sort().alias("lacking_location_ids"))
    )
    id_dtype = stores.collect_schema()["location_id"]
    n_lacking = pl.col("lacking_location_ids").list.len().cast(pl.Int64)
    return (
        stuck.join(lacking, on=["distributor_id", "style"], how="left")
        .join(n_core, on="style", how="left")
        .join(prices, on="style", how="left")
        .with_columns(
            pl.col("lacking_location_ids").fill_null(pl.lit([], dtype=pl.List(id_dtype))),
            pl.col("n_core_skus").fill_null(0),
        )
        .with_columns(
            pl.min_horizontal(pl.col("held_units"), n_lacking * pl.col("n_core_skus"))
            .cast(pl.Int64)
            .alias("units"),
            (pl.col("elsewhere_rate") * n_lacking * pl.col("price")).alias("value_at_stake_cny"),
        )
    )


def shown_stores(chances: pl.LazyFrame, *, slow_sell_through: float) -> pl.LazyFrame:
    """The stores that were given a chance with each style, and how it did there.

    Args:
        chances: Output of :func:`store_style_chances`.
        slow_sell_through: Below this sell-through over W (1e-9 tolerance) a style is not
            selling at a store (4.4); a store that neither sold it nor holds it is not selling.

    Returns:
        location_id, style, on_hand_units (M), units_sold (W), is_selling: one row per store
        and style it had in stock in some month of W.
    """
    units, on_hand = pl.col("units_w"), pl.col("on_hand_m")
    return chances.filter(pl.col("in_stock_w")).select(
        "location_id",
        "style",
        on_hand.alias("on_hand_units"),
        units.alias("units_sold"),
        ((units + on_hand > 0) & at_least(units / (units + on_hand), slow_sell_through))
        .fill_null(False)
        .alias("is_selling"),
    )


def chances_and_stuck(
    locations: pl.LazyFrame,
    stock_m: pl.LazyFrame,
    had_w: pl.LazyFrame,
    figures: pl.LazyFrame,
    products: pl.LazyFrame,
    required_styles: pl.LazyFrame,
    core_skus: pl.LazyFrame,
    core_colours: pl.LazyFrame,
    sold_styles: pl.LazyFrame,
    *,
    lookback_months: int,
    slow_sell_through: float,
    stuck_min_units: int,
    min_store_reach: float,
    proven_sell_through: float,
) -> tuple[pl.LazyFrame, pl.LazyFrame]:
    """:func:`shown_stores` and :func:`stuck_at_distributor` over one shared plan (the job's entry)."""
    stores = counted_active_stores(locations, stock_m).cache()
    chances = store_style_chances(stores, had_w, figures).cache()
    groups = group_chances(
        locations, stores, chances, figures, products, lookback_months=lookback_months
    )
    stuck = find_stuck(
        groups,
        required_styles,
        stuck_min_units=stuck_min_units,
        min_store_reach=min_store_reach,
        proven_sell_through=proven_sell_through,
    )
    prices = products.group_by("style").agg(pl.col("price").max())
    lines = (
        distribute_lines(
            stuck,
            active_stores(locations),
            chances,
            required_sku_counts(core_skus, core_colours, sold_styles),
            prices,
        )
        .sort(["value_at_stake_cny", "distributor_id", "style"], descending=[True, False, False])
        .select(*STUCK_COLUMNS)
    )
    return shown_stores(chances, slow_sell_through=slow_sell_through), lines


def distribute_actions(stuck: pl.LazyFrame, prices: pl.LazyFrame) -> pl.LazyFrame:
    """The distribute (铺货) action lines of the stuck list, for the distributor's visit list.

    One line per stuck pair, in the stuck list's order: "each stuck pair is a distribute
    action" (domain.md 9), so a pair with nothing to send (no active store of the group
    lacking the style, or no core SKU for ``n``) is a line of 0 units too, as the stuck
    export lists it. ``value_cny`` is ``units * price`` (the goods moved, as on the other
    action lines); the reason is ``stuck_at_distributor`` with the elsewhere
    sell-through (``sell_through``) and the lacking stores (``lacking_location_ids``,
    ``;``-separated) as its parameters.

    Args:
        stuck: :func:`stuck_at_distributor` rows, with location codes (lacking ids ascending).
        prices: style, price.

    Returns:
        location_id (the distributor), action, style, units, source_kind (``distributor``:
        the units are its own; no source_location_id, which names another location), value_cny,
        value_at_stake_cny,
        reason_code, sell_through, lacking_location_ids (String).
    """
    return stuck.join(prices, on="style", how="left", maintain_order="left").select(
        pl.col("distributor_id").alias("location_id"),
        pl.lit("distribute").alias("action"),
        "style",
        "units",
        pl.lit("distributor").alias("source_kind"),
        (pl.col("units") * pl.col("price")).alias("value_cny"),
        "value_at_stake_cny",
        pl.lit("stuck_at_distributor").alias("reason_code"),
        pl.col("elsewhere_sell_through").alias("sell_through"),
        pl.col("lacking_location_ids").list.join(";").alias("lacking_location_ids"),
    )


def stuck_at_distributor(
    locations: pl.LazyFrame,
    stock_m: pl.LazyFrame,
    had_w: pl.LazyFrame,
    figures: pl.LazyFrame,
    products: pl.LazyFrame,
    required_styles: pl.LazyFrame,
    core_skus: pl.LazyFrame,
    core_colours: pl.LazyFrame,
    sold_styles: pl.LazyFrame,
    *,
    lookback_months: int,
    stuck_min_units: int,
    min_store_reach: float,
    proven_sell_through: float,
) -> pl.LazyFrame:
    """The styles stuck at each distributor of month M, with their distribute figures.

    Args:
        locations: location_id, kind, distributor_id, region, status.
        stock_m: location_id, sku, on_hand: month-M counts (a location with a row is counted).
        had_w: location_id, style: styles in stock at a month end of W before M
            (:func:`styles_had`).
        figures: location_id, style, on_hand (M), units_sold (W) (:func:`style_figures`).
        products: sku, style, price.
        required_styles: style: the bestsellers and new styles of M.
        core_skus: sku, style, colour: core sizes per style-colour (4.5).
        core_colours: style, colour (4.6).
        sold_styles: style of the styles with units over W (6.2: one that sold nothing asks
            for all its colours).
        lookback_months: L.
        stuck_min_units: A distributor holding fewer units of the style is not stuck with it.
        min_store_reach: Reach below this share of the group's counted stores is low.
        proven_sell_through: Elsewhere sell-through at least this proves the style.

    Returns:
        The columns of :data:`STUCK_COLUMNS` (``lacking_location_ids`` a List of location
        ids, ascending), one row per stuck (distributor, style), ordered by value at stake
        descending, then distributor_id and style.
    """
    return chances_and_stuck(
        locations,
        stock_m,
        had_w,
        figures,
        products,
        required_styles,
        core_skus,
        core_colours,
        sold_styles,
        lookback_months=lookback_months,
        slow_sell_through=0.0,  # not used by the stuck list
        stuck_min_units=stuck_min_units,
        min_store_reach=min_store_reach,
        proven_sell_through=proven_sell_through,
    )[1]
