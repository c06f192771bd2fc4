"""Demand-sized actions (domain.md 6.1-6.4, 6.6): rate of sale, targets, who can fix it, cover, order plan.

Pure polars: LazyFrames in, LazyFrames out, thresholds as keyword arguments. Keys
(``location_id``, ``sku``, ``distributor_id``) may be strings or integer surrogate keys.

Choices where domain.md leaves room (each has a test in tests/test_demand.py):

* **Availability (6.1).** W is the L months ending with M. ``stock_prev`` holds the counts of
  months M-L .. M-1; a row with on hand >= 1 in month m-1 makes the SKU available in month m.
  A location with no count in m-1 has no row for it, so only the sales test applies, as the
  rule says. A month with a sale is always available, so the units "over the available
  months" are all the units over W: ``ros = units over W / available months``.
* **Peers (6.1).** The fallback means are taken over the *active* locations (status not
  closed) of the same kind at which the SKU was available in some month of W: first those of
  the same region, then those of the whole network (still the same kind: a warehouse does
  not sell like a store), then 0.
* **Demand (6.1).** A distributor's demand is its own rate plus the rate (with the fallback)
  of every active store whose ``distributor_id`` it is, whether or not that store is counted.
* **Targets (6.2).** ``target = max(display_min, ceil(demand * replenish_cover_months -
  1e-9))`` with the location's own kind's values; need = target - on hand when positive.
* **Who can fix it (6.3).** Only a store receives transfers, and only from its own group (its
  distributor and sibling stores holding the SKU in month M). A source spares ``on_hand - keep``
  (keep 0 when the style is slow-moving there, else its own kind's target). When several
  stores of a group need the same SKU, the group's spare units are poured into their needs in
  two fixed orders: the **sources ranked once** by spare units (most first; ties: the
  distributor, then location code ascending), and the **receivers by location code
  ascending** (codes, not the job's integer keys, which follow the locations file's order).
  Each receiver takes what it needs from the front of the sources' queue, so the first
  receiver draws from the source with the most to spare, the next one continues with what is
  left of it, and so on. Each (receiver, source) pair is one transfer line; what a receiver
  cannot get from its group is one replenish line from the brand. With one receiver this is
  exactly "the source with the most to spare first"; the queue is computed with cumulative
  sums (no per-row Python), so it stays one lazy plan.
* Rates, their sums and means are kept exact (to float precision) while targets, needs and
  order units are decided: rounding them on the way (to 9 decimals, say) adds up, across a
  distributor's stores or a region, to more than the 1e-9 tolerance and moves a ``ceil`` by a
  unit. The figures a line or plan row shows (demand, value at stake) are rounded to
  ``OUT_DECIMALS`` at the end: the engine adds in no fixed order, and a re-run of a month
  must give the same figures to the last bit.
* **Value at stake (6.3)** is ``demand * price * units / need`` on every line, so a SKU's
  lines add up to ``demand * price`` (a month of its sales).
* **Clearance cover (6.4)** is ``on_hand / (units over W / L)``, null when nothing sold.
* **Order plan (6.6).** A location takes part when it is active and counted in M
  (``counted``), or its latest count is at most ``carry_forward_months`` old (``carried``: its
  on hand is that count's); otherwise it is ``left_out`` (no demand, no on hand), as is an
  active location never counted. The region's monthly demand of a SKU is the sum of
  ``ros(l,k)`` (with the fallback) over the locations that take part; a style's demand over
  ``cover_months`` minus the style's on hand is split over sizes by the category size curve
  renormalised to the style's sizes (equal shares when they sold nothing), each size rounded
  half up (1e-9 guard), rows of 0 units omitted.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import polars as pl

from assortment import months
from assortment.config import Rules
from assortment.rules_engine import PAIR, TOL, pair_columns, pair_key, unique_pairs
from assortment.vocab import LOCATION_KINDS

#: Decimals of the demand and value figures an action line or order-plan row carries.
OUT_DECIMALS = 9

KindValues = Mapping[str, float]


@dataclass(frozen=True)
class DemandInputs:
    """What the rate of sale (6.1) reads, for the whole network (peers cross partitions).

    Attributes:
        stock_prev: location_id, sku, month, on_hand: in-stock rows of the counts of months
            M-L .. M-1.
        sales_months: location_id, sku, month, units_sold: sales per month over W.
        locations: location_id, kind, distributor_id, region, status: every location.
        own: The output of :func:`own_rate_of_sale` over ``stock_prev`` and ``sales_months``
            for at least the SKUs asked for (the job computes it once for every SKU a plan
            can ask for); None: computed from them for the SKUs asked for.
    """

    stock_prev: pl.LazyFrame
    sales_months: pl.LazyFrame
    locations: pl.LazyFrame
    own: pl.LazyFrame | None = None


def per_kind(rules: Rules, name: str) -> dict[str, float]:
    """``{"distributor": ..., "store": ...}`` of the per-kind threshold ``name``."""
    return {kind: getattr(rules.for_kind(kind), name) for kind in LOCATION_KINDS}


def _by_kind(values: KindValues) -> pl.Expr:
    """The value of each row's ``kind`` (anything but a distributor is a store)."""
    return (
        pl.when(pl.col("kind") == "distributor")
        .then(pl.lit(values["distributor"]))
        .otherwise(pl.lit(values["store"]))
    )


def _active(locations: pl.LazyFrame) -> pl.LazyFrame:
    return locations.filter(~pl.col("status").eq_missing("closed"))


# --------------------------------------------------------------------------------------
# 6.1 rate of sale and demand
# --------------------------------------------------------------------------------------


def own_rate_of_sale(
    stock_prev: pl.LazyFrame,
    sales: pl.LazyFrame,
    *,
    month: date,
    lookback_months: int,
) -> pl.LazyFrame:
    """The stock-out-corrected rate of sale of every (location, SKU) available in W (6.1).

    Args:
        stock_prev: location_id, sku, month (Date), on_hand: counts of months M-L .. M-1
            (other months and rows with on hand 0 are ignored).
        sales: location_id, sku, month (Date), units_sold per month (months outside W ignored).
        month: Month M.
        lookback_months: L.

    Returns:
        location_id, sku, units (Int64, over W), available_months (UInt32, >= 1), ros (f64):
        one row per (location, SKU) available in at least one month of W.
    """
    last = months.index(month)
    first = last - lookback_months + 1

    def flag(first_month: int) -> pl.Expr:
        """1 << j for a row of month ``first_month + j`` (j < L), else null: one bit per month
        of W, so that OR-ing them counts each month once. Compared as dates, not month
        numbers: the rows are many and the months few."""
        col = pl.col("month")
        bounds = [months.from_index(first_month + j) for j in range(lookback_months + 1)]
        return pl.coalesce(
            pl.when((col >= bounds[j]) & (col < bounds[j + 1])).then(pl.lit(1 << j, dtype=pl.Int64))
            for j in range(lookback_months)
        )

    # the count at the end of month m-1 makes the SKU available in month m
    from_stock = stock_prev.filter(pl.col("on_hand") >= 1).select(
        "location_id", "sku", pl.lit(0).alias("units"), flag(first - 1).alias("_flag")
    )
    from_sales = sales.filter(pl.col("units_sold") >= 1).select(
        "location_id", "sku", pl.col("units_sold").alias("units"), flag(first).alias("_flag")
    )
    rows = pl.concat([from_stock, from_sales], how="vertical_relaxed").filter(
        pl.col("_flag").is_not_null()
    )
    return (
        rows.group_by(pair_key(rows))
        .agg(pl.col("units").sum().cast(pl.Int64), pl.col("_flag").bitwise_or().alias("_mask"))
        .select(
            *pair_columns(rows),
            "units",
            pl.col("_mask").bitwise_count_ones().cast(pl.UInt32).alias("available_months"),
        )
        .with_columns((pl.col("units") / pl.col("available_months")).alias("ros"))
    )


def peer_rates(own: pl.LazyFrame, locations: pl.LazyFrame) -> tuple[pl.LazyFrame, pl.LazyFrame]:
    """The fallback rates of 6.1: means of ``ros`` over active peers where the SKU was available.

    Args:
        own: Output of :func:`own_rate_of_sale` (location_id, sku, ros).
        locations: location_id, kind, region, status.

    Returns:
        (by region: kind, region, sku, _region_ros; by network: kind, sku, _network_ros).
    """
    peers = (
        own.select("location_id", "sku", "ros")
        .join(_active(locations).select("location_id", "kind", "region"), on="location_id")
        .cache()
    )
    by_region = peers.group_by("kind", "region", "sku").agg(
        pl.col("ros").mean().alias("_region_ros")
    )
    by_network = peers.group_by("kind", "sku").agg(pl.col("ros").mean().alias("_network_ros"))
    return by_region, by_network


def rate_of_sale(wanted: pl.LazyFrame, own: pl.LazyFrame, locations: pl.LazyFrame) -> pl.LazyFrame:
    """``ros(l,k)`` (6.1) of the wanted (location, SKU) pairs, with the peer fallback.

    Args:
        wanted: location_id, sku (and any other columns, kept).
        own: Output of :func:`own_rate_of_sale` over the whole network.
        locations: location_id, kind, region, status.

    Returns:
        ``wanted`` with ``ros`` (f64): own rate, else the same-kind same-region peers' mean,
        else the same-kind network mean, else 0.
    """
    by_region, by_network = peer_rates(own, locations)
    keyed = PAIR in wanted.collect_schema()
    if not keyed:
        wanted = wanted.with_columns(pair_key(wanted))
    rated = (
        wanted.join(
            locations.select("location_id", pl.col("kind").alias("_kind"), "region").rename(
                {"region": "_region"}
            ),
            on="location_id",
            how="left",
        )
        .join(own.select(pair_key(own), pl.col("ros").alias("_own")), on=PAIR, how="left")
        .join(
            by_region.rename({"kind": "_kind", "region": "_region"}),
            on=["_kind", "_region", "sku"],
            how="left",
        )
        .join(by_network.rename({"kind": "_kind"}), on=["_kind", "sku"], how="left")
        .with_columns(pl.coalesce("_own", "_region_ros", "_network_ros", pl.lit(0.0)).alias("ros"))
        .drop("_kind", "_region", "_own", "_region_ros", "_network_ros")
    )
    return rated if keyed else rated.drop(PAIR)


def demand(wanted: pl.LazyFrame, own: pl.LazyFrame, locations: pl.LazyFrame) -> pl.LazyFrame:
    """``demand(l,k)`` (6.1): a store's ros; a distributor's own ros plus its active stores'.

    Args:
        wanted: location_id, sku (and any other columns, kept); one row per pair.
        own: Output of :func:`own_rate_of_sale` over the whole network.
        locations: location_id, kind, distributor_id, region, status.

    Returns:
        ``wanted`` with ``ros`` and ``demand`` (f64).
    """
    stores = (
        _active(locations)
        .filter(pl.col("kind") == "store")
        .select(pl.col("location_id").alias("_store"), pl.col("distributor_id").alias("_for"))
    )
    keyed = PAIR in wanted.collect_schema()
    if not keyed:
        wanted = wanted.with_columns(pair_key(wanted))
    wanted = wanted.cache()
    pairs = unique_pairs(wanted, wanted)
    of_stores = (
        pairs.select(pl.col("location_id").alias("_for"), "sku", pl.col(PAIR).alias("_for_pair"))
        .join(stores, on="_for")
        .select("_for_pair", "sku", pl.col("_store").alias("location_id"))
    )
    of_stores = of_stores.with_columns(pair_key(of_stores)).cache()
    # one rate_of_sale for the pairs and their stores' pairs: one plan for the peers
    rates = (
        rate_of_sale(
            unique_pairs(pl.concat([pairs.select(PAIR), of_stores.select(PAIR)]), wanted),
            own,
            locations,
        )
        .select(PAIR, "ros")
        .cache()
    )
    stores_ros = (
        of_stores.join(rates, on=PAIR)
        .group_by(pl.col("_for_pair").alias(PAIR))
        .agg(pl.col("ros").sum().alias("_stores_ros"))
    )
    out = (
        wanted.join(rates, on=PAIR, how="left")
        .join(stores_ros, on=PAIR, how="left")
        .with_columns((pl.col("ros") + pl.col("_stores_ros").fill_null(0.0)).alias("demand"))
        .drop("_stores_ros")
    )
    return out if keyed else out.drop(PAIR)


# --------------------------------------------------------------------------------------
# 6.2 targets and needs
# --------------------------------------------------------------------------------------


def target_expr(
    demand_col: str, *, display_min: KindValues, replenish_cover_months: KindValues
) -> pl.Expr:
    """``max(display_min, ceil(demand * replenish_cover_months))`` by the row's ``kind`` (Int64).

    The product is compared with a 1e-9 tolerance before rounding up (4.000000001 is 4).
    """
    covered = (pl.col(demand_col) * _by_kind(replenish_cover_months) - TOL).ceil()
    return pl.max_horizontal(_by_kind(display_min), covered.clip(lower_bound=0)).cast(pl.Int64)


def size_needs(
    required: pl.LazyFrame,
    *,
    display_min: KindValues,
    replenish_cover_months: KindValues,
) -> pl.LazyFrame:
    """Targets and needs of the required SKUs (6.2).

    Args:
        required: location_id, sku, kind, demand, on_hand (and any other columns, kept).
        display_min: Per kind ({"distributor": 2, "store": 1}).
        replenish_cover_months: Per kind ({"distributor": 3, "store": 2}).

    Returns:
        The required rows whose need is positive, with target_units and need_units (Int64).
    """
    return (
        required.with_columns(
            target_expr(
                "demand", display_min=display_min, replenish_cover_months=replenish_cover_months
            ).alias("target_units")
        )
        .with_columns(
            (pl.col("target_units") - pl.col("on_hand").fill_null(0).cast(pl.Int64)).alias(
                "need_units"
            )
        )
        .filter(pl.col("need_units") > 0)
    )


# --------------------------------------------------------------------------------------
# 6.3 who can fix it
# --------------------------------------------------------------------------------------


def spare_units(
    holdings: pl.LazyFrame,
    *,
    display_min: KindValues,
    replenish_cover_months: KindValues,
) -> pl.LazyFrame:
    """What each holder can spare (6.3): ``on_hand - keep``, keep 0 for a slow-moving style.

    Args:
        holdings: location_id, sku, kind, on_hand, is_slow_moving, demand.

    Returns:
        The rows with spare_units >= 1 (Int64) and keep_units.
    """
    keep = (
        pl.when(pl.col("is_slow_moving"))
        .then(pl.lit(0, dtype=pl.Int64))
        .otherwise(
            target_expr(
                "demand", display_min=display_min, replenish_cover_months=replenish_cover_months
            )
        )
    )
    return (
        holdings.with_columns(keep.alias("keep_units"))
        .with_columns(
            (pl.col("on_hand").cast(pl.Int64) - pl.col("keep_units")).alias("spare_units")
        )
        .filter(pl.col("spare_units") >= 1)
    )


def pour(receivers: pl.LazyFrame, sources: pl.LazyFrame) -> pl.LazyFrame:
    """Pour the sources' spare units into the receivers' needs, both in their given order.

    Receivers and sources of one ``(_group, sku)`` are laid end to end on a line of units
    (cumulative sums); each stretch of the line belongs to one receiver and one source.

    Args:
        receivers: _group, sku, location_id, need_units, _order (receivers' order).
        sources: _group, sku, source_location_id, spare_units, _order (sources' order).

    Returns:
        location_id, sku, source_location_id, units (Int64 >= 1): one row per pair that moves.
    """
    key = ("_group", "sku")
    ends_r = receivers.select(
        *key,
        "location_id",
        pl.col("need_units").cum_sum().over(*key, order_by="_order").alias("_at"),
    )
    ends_s = sources.select(
        *key,
        "source_location_id",
        pl.col("spare_units").cum_sum().over(*key, order_by="_order").alias("_at"),
    )
    return (
        ends_r.join(ends_s, on=[*key, "_at"], how="full", coalesce=True)
        .with_columns(
            pl.col("location_id", "source_location_id")
            .fill_null(strategy="backward")
            .over(*key, order_by="_at"),
            (pl.col("_at") - pl.col("_at").shift(1, fill_value=0).over(*key, order_by="_at")).alias(
                "_len"
            ),
        )
        .filter(
            pl.col("location_id").is_not_null()
            & pl.col("source_location_id").is_not_null()
            & (pl.col("_len") > 0)
        )
        .group_by("location_id", "sku", "source_location_id")
        .agg(pl.col("_len").sum().cast(pl.Int64).alias("units"))
    )


def fix_needs(
    needs: pl.LazyFrame,
    holdings: pl.LazyFrame,
    locations: pl.LazyFrame,
    *,
    display_min: KindValues,
    replenish_cover_months: KindValues,
) -> pl.LazyFrame:
    """Transfer and replenish lines for the needs (6.3).

    Args:
        needs: location_id, sku, kind, demand, target_units, need_units, price (output of
            :func:`size_needs` with the SKU's price).
        holdings: location_id, sku, kind, on_hand (>= 1), is_slow_moving, demand: what the
            classified locations hold in month M, with the demand of each holder.
        locations: location_id, kind, distributor_id, and optionally location_order: the
            place of the location's code in code order, which breaks ties (sources with as
            much to spare, receivers of one SKU) when location_id is a surrogate key numbered
            in another order; without it location_id's own order does.

    Returns:
        location_id, sku, action ('transfer' | 'replenish'), units (Int64),
        source_location_id (null for the brand), source_kind ('distributor' | 'store' |
        'brand'), source_rank (UInt32: the source's place in its group's queue, null for
        the brand), demand_units_per_month (f64), target_units, need_units (Int64),
        value_at_stake_cny (f64); one row per (location, SKU, source), sources in the order
        they are drawn from, the brand last.
    """
    code_order = (
        pl.col("location_order")
        if "location_order" in locations.collect_schema()
        else pl.col("location_id")
    )
    group_of = locations.select(
        "location_id",
        pl.coalesce("distributor_id", "location_id").alias("_group"),
        code_order.alias("_code"),
    )
    needs = needs.cache()
    receivers = (
        needs.filter(pl.col("kind") == "store")
        .select("location_id", "sku", "need_units")
        .join(
            locations.filter(pl.col("distributor_id").is_not_null()).select(
                "location_id", pl.col("distributor_id").alias("_group"), code_order.alias("_code")
            ),
            on="location_id",
        )
        .with_columns(pl.col("_code").rank("ordinal").over("_group", "sku").alias("_order"))
    )
    wanted = receivers.select("_group", "sku").unique()
    sources = (
        holdings.join(group_of, on="location_id")
        .join(wanted, on=["_group", "sku"], how="semi")
        .pipe(spare_units, display_min=display_min, replenish_cover_months=replenish_cover_months)
        .select(
            "_group",
            "sku",
            pl.col("location_id").alias("source_location_id"),
            pl.col("kind").alias("source_kind"),
            "spare_units",
            "_code",
        )
    )
    ranked = sources.with_columns(
        pl.struct(
            (-pl.col("spare_units")).alias("a"),
            (pl.col("source_kind") != "distributor").alias("b"),
            pl.col("_code").alias("c"),
        )
        .rank("ordinal")
        .over("_group", "sku")
        .alias("_order")
    ).cache()
    moved = (
        pour(receivers.cache(), ranked)
        .join(
            ranked.select("sku", "source_location_id", "source_kind", "_order"),
            on=["sku", "source_location_id"],
        )
        .cache()
    )
    got = moved.group_by(pair_key(moved)).agg(pl.col("units").sum().alias("_moved"))
    line_figures = needs.select(
        pair_key(needs),
        pl.col("demand").alias("demand_units_per_month"),
        "target_units",
        "need_units",
        "price",
    )
    transfers = moved.select(
        "location_id",
        "sku",
        pl.lit("transfer").alias("action"),
        "units",
        "source_location_id",
        "source_kind",
        "_order",
    )
    replenish = (
        needs.select("location_id", "sku", pair_key(needs), "need_units")
        .join(got, on=PAIR, how="left")
        .select(
            "location_id",
            "sku",
            pl.lit("replenish").alias("action"),
            (pl.col("need_units") - pl.col("_moved").fill_null(0)).alias("units"),
            pl.lit(None, dtype=ranked.collect_schema()["source_location_id"]).alias(
                "source_location_id"
            ),
            pl.lit("brand").alias("source_kind"),
            pl.lit(None, dtype=pl.UInt32).alias("_order"),
        )
        .filter(pl.col("units") > 0)
    )
    lines = pl.concat([transfers, replenish], how="vertical_relaxed")
    return (
        lines.with_columns(pair_key(lines))
        .join(line_figures, on=PAIR)
        .with_columns(
            (
                pl.col("demand_units_per_month")
                * pl.col("price")
                * pl.col("units")
                / pl.col("need_units")
            ).alias("value_at_stake_cny")
        )
        .sort("location_id", "sku", "_order", nulls_last=True)
        .select(
            "location_id",
            "sku",
            "action",
            pl.col("units").cast(pl.Int64),
            "source_location_id",
            "source_kind",
            pl.col("_order").cast(pl.UInt32).alias("source_rank"),
            pl.col("demand_units_per_month").round(OUT_DECIMALS),
            "target_units",
            "need_units",
            pl.col("value_at_stake_cny").round(OUT_DECIMALS),
        )
    )


def plan_lines(
    needs: pl.LazyFrame,
    stock: pl.LazyFrame,
    slow: pl.LazyFrame,
    locations: pl.LazyFrame,
    prices: pl.LazyFrame,
    inputs: DemandInputs,
    *,
    month: date,
    rules: Rules,
) -> pl.LazyFrame:
    """Sized transfer and replenish lines for the required SKUs of a partition (6.1-6.3).

    Args:
        needs: location_id, sku: the required SKUs (6.2), one row per pair.
        stock: location_id, sku, on_hand (>= 1), style_id: month-M holdings of the
            partition's classified locations.
        slow: location_id, style_id of the slow-moving pairs.
        locations: location_id, kind, distributor_id of the partition.
        prices: sku, price.
        inputs: The network's :class:`DemandInputs`.
        month: Month M.
        rules: lookback_months and the per-kind display_min, replenish_cover_months.

    Returns:
        See :func:`fix_needs`.
    """
    sizes = {
        "display_min": per_kind(rules, "display_min"),
        "replenish_cover_months": per_kind(rules, "replenish_cover_months"),
    }
    wanted_skus = needs.select("sku").unique()
    if inputs.own is None:
        own = own_rate_of_sale(
            inputs.stock_prev.join(wanted_skus, on="sku", how="semi"),
            inputs.sales_months.join(wanted_skus, on="sku", how="semi"),
            month=month,
            lookback_months=rules.lookback_months,
        ).cache()
    else:
        own = inputs.own.join(wanted_skus, on="sku", how="semi").cache()
    kinds = locations.select("location_id", "kind")
    group_of = locations.select(
        "location_id", pl.coalesce("distributor_id", "location_id").alias("_group")
    )
    held_m = stock.select(pair_key(stock), "on_hand")
    asked = (
        needs.select("location_id", "sku", pair_key(needs))
        .join(kinds, on="location_id")
        .join(held_m, on=PAIR, how="left")
        .cache()
    )
    store_groups = (
        asked.filter(pl.col("kind") == "store")
        .join(group_of, on="location_id")
        .select("_group", "sku")
        .unique()
    )
    held = (
        stock.select("location_id", "sku", pair_key(stock), "on_hand", "style_id")
        .join(group_of, on="location_id")
        .join(store_groups, on=["_group", "sku"], how="semi")
        .join(kinds, on="location_id")
        .join(
            slow.select("location_id", "style_id", pl.lit(True).alias("is_slow_moving")),
            on=["location_id", "style_id"],
            how="left",
        )
        .with_columns(pl.col("is_slow_moving").fill_null(False))
        .drop("style_id", "_group")
        .cache()
    )
    # one demand computation for the receivers and the possible sources
    demands = (
        demand(
            unique_pairs(pl.concat([asked.select(PAIR), held.select(PAIR)]), asked),
            own,
            inputs.locations,
        )
        .select(PAIR, "ros", "demand")
        .cache()
    )
    required = (
        asked.join(demands, on=PAIR)
        .drop(PAIR)
        .pipe(size_needs, **sizes)
        .join(prices.select("sku", "price"), on="sku")
        .cache()
    )
    holdings = held.join(demands, on=PAIR).drop(PAIR).cache()
    return fix_needs(required, holdings, locations, **sizes)


# --------------------------------------------------------------------------------------
# 6.4 clearance
# --------------------------------------------------------------------------------------


def months_of_cover(*, lookback_months: int) -> pl.Expr:
    """``on_hand / (units_sold / L)`` (6.4) from a row's on_hand and units_sold over W; null
    when nothing sold."""
    return (
        pl.when(pl.col("units_sold") > 0)
        .then(pl.col("on_hand") / (pl.col("units_sold") / lookback_months))
        .otherwise(None)
        .cast(pl.Float64)
    )


# --------------------------------------------------------------------------------------
# 6.6 factory order plan
# --------------------------------------------------------------------------------------


def plan_coverage(
    locations: pl.LazyFrame,
    last_counts: pl.LazyFrame,
    *,
    month: date,
    carry_forward_months: int,
) -> pl.LazyFrame:
    """Which active locations the order plan counts on, and with which count (6.6).

    Args:
        locations: location_id, kind, region, status.
        last_counts: location_id, month (Date): each location's latest counted month <= M.
        month: Month M.
        carry_forward_months: How old a carried count may be.

    Returns:
        location_id, kind, region, coverage ('counted' | 'carried' | 'left_out'), count_month
        (Date, null when never counted); one row per active location, by location_id.
    """
    m = months.index(month)
    age = m - months.index_expr("count_month")
    return (
        _active(locations)
        .select("location_id", "kind", "region")
        .join(
            last_counts.select("location_id", pl.col("month").alias("count_month")),
            on="location_id",
            how="left",
        )
        .with_columns(
            pl.when(age == 0)
            .then(pl.lit("counted"))
            .when(age.is_between(1, carry_forward_months))
            .then(pl.lit("carried"))
            .otherwise(pl.lit("left_out"))
            .alias("coverage")
        )
        .select("location_id", "kind", "region", "coverage", "count_month")
        .sort("location_id")
    )


def region_demand(
    coverage: pl.LazyFrame,
    own: pl.LazyFrame,
    locations: pl.LazyFrame,
    skus: pl.LazyFrame,
) -> pl.LazyFrame:
    """Per region and SKU: the sum of ``ros(l,k)`` over the locations taking part (6.6).

    Computed without a row per (location, SKU): the taking-part locations where the SKU was
    available add their own rate, the others of each kind add the kind's fallback rate.

    Args:
        coverage: Output of :func:`plan_coverage`.
        own: Output of :func:`own_rate_of_sale` over the whole network.
        locations: location_id, kind, region, status (for the peers).
        skus: sku of the SKUs to plan.

    Returns:
        region, sku, demand (f64, units a month).
    """
    part = coverage.filter(pl.col("coverage") != "left_out").select("location_id", "kind", "region")
    n_part = part.group_by("region", "kind").agg(pl.len().alias("_n"))
    own_part = (
        own.join(skus, on="sku", how="semi")
        .join(part, on="location_id")
        .group_by("region", "kind", "sku")
        .agg(pl.col("ros").sum().alias("_own"), pl.len().alias("_n_own"))
    )
    by_region, by_network = peer_rates(own.join(skus, on="sku", how="semi"), locations)
    return (
        n_part.join(skus.select("sku").unique(), how="cross")
        .join(own_part, on=["region", "kind", "sku"], how="left")
        .join(by_region, on=["kind", "region", "sku"], how="left")
        .join(by_network, on=["kind", "sku"], how="left")
        .with_columns(
            (
                pl.col("_own").fill_null(0.0)
                + (pl.col("_n") - pl.col("_n_own").fill_null(0))
                * pl.coalesce("_region_ros", "_network_ros", pl.lit(0.0))
            ).alias("demand")
        )
        .group_by("region", "sku")
        .agg(pl.col("demand").sum())
    )


def order_plan(
    required_styles: pl.LazyFrame,
    products: pl.LazyFrame,
    size_curve: pl.LazyFrame,
    coverage: pl.LazyFrame,
    own: pl.LazyFrame,
    on_hand: pl.LazyFrame,
    locations: pl.LazyFrame,
    *,
    cover_months: int,
) -> pl.LazyFrame:
    """Factory order plan (6.6): per region, required style and size, from corrected demand.

    Args:
        required_styles: style of the bestsellers and new styles.
        products: sku, style, category, size.
        size_curve: category, size, share (4.5's curve).
        coverage: Output of :func:`plan_coverage`.
        own: Output of :func:`own_rate_of_sale` over the whole network.
        on_hand: location_id, sku, on_hand: the count each location takes part with (month M,
            or its latest count for a carried location); other locations' rows are ignored.
        locations: location_id, kind, region, status.
        cover_months: Months of demand to cover.

    Returns:
        region, style, size, units (Int64), demand_units (f64: the style's demand over the
        cover period), on_hand_units (Int64: the style's on hand in the region); by region,
        style, size; rows of 0 units omitted.
    """
    required = required_styles.select("style").unique()
    style_of = products.select("sku", "style").join(required, on="style", how="semi")
    monthly = (
        region_demand(coverage, own, locations, style_of.select("sku"))
        .join(style_of, on="sku")
        .group_by("region", "style")
        .agg(pl.col("demand").sum().alias("_monthly"))
    )
    part = coverage.filter(pl.col("coverage") != "left_out").select("location_id", "region")
    held = (
        on_hand.join(part, on="location_id")
        .join(style_of, on="sku")
        .group_by("region", "style")
        .agg(pl.col("on_hand").sum().cast(pl.Int64).alias("on_hand_units"))
    )
    sizes = (
        products.join(required, on="style", how="semi")
        .select("style", "category", "size")
        .unique(subset=["style", "size"], keep="any")
        .join(size_curve.select("category", "size", "share"), on=["category", "size"], how="left")
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
    return (
        monthly.join(held, on=["region", "style"], how="left")
        .with_columns(
            pl.col("on_hand_units").fill_null(0),
            (pl.col("_monthly") * cover_months).cast(pl.Float64).alias("demand_units"),
        )
        .with_columns(
            (pl.col("demand_units") - pl.col("on_hand_units")).clip(lower_bound=0.0).alias("_q")
        )
        .join(sizes, on="style")
        .with_columns(
            (pl.col("_q") * pl.col("_weight") + 0.5 + TOL).floor().cast(pl.Int64).alias("units")
        )
        .filter(pl.col("units") > 0)
        .select(
            "region",
            "style",
            "size",
            "units",
            pl.col("demand_units").round(OUT_DECIMALS),
            "on_hand_units",
        )
        .sort("region", "style", "size")
    )
