"""The month's pipeline for a partition of locations: classify (domain.md section 4), then
compliance (section 5), then actions (section 6), as one lazy plan.

Data flows one way: this module imports the three rule modules; ``classify`` knows nothing of
compliance or actions, and ``actions`` only reads the network facts ``classify`` defines.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

from assortment.actions import plan_actions
from assortment.classify import (
    NetworkFacts,
    PartitionInputs,
    add_segments,
    classified_locations,
    classify_pairs,
    flag_broken_colours,
    missing_core_skus,
    sku_table,
    stock_in_hand,
    style_health_view,
    style_table,
)
from assortment.compliance import location_compliance
from assortment.config import Rules
from assortment.demand import DemandInputs

__all__ = [
    "PartitionResults",
    "PartitionTables",
    "classify_partition",
    "partition_results",
    "partition_tables",
]


@dataclass(frozen=True)
class PartitionResults:
    """Three LazyFrames over one shared plan: collect them together with ``pl.collect_all``.

    Attributes:
        style_health: one row per classified (location, style), see :func:`classify_partition`.
        compliance: one row per location that is not closed.
        actions: replenish / transfer / clearance rows for a rep's visit.
    """

    style_health: pl.LazyFrame
    compliance: pl.LazyFrame
    actions: pl.LazyFrame


@dataclass(frozen=True)
class PartitionTables:
    """The intermediates a partition's results are built from (see :func:`partition_tables`).

    Attributes:
        skus: The SKU table of :func:`assortment.classify.sku_table`.
        located: The partition's classified locations.
        stock: SKUs in stock at the classified locations.
        missing: Missing core SKUs of broken colours.
        pairs: Classified pairs with their segments.
    """

    skus: pl.LazyFrame
    located: pl.LazyFrame
    stock: pl.LazyFrame
    missing: pl.LazyFrame
    pairs: pl.LazyFrame


def classify_partition(
    facts: NetworkFacts,
    inp: PartitionInputs,
    products: pl.LazyFrame,
    demand_inputs: DemandInputs,
    *,
    month: date,
    rules: Rules,
) -> PartitionResults:
    """Classify, check and plan actions for the locations of a partition (domain.md 4-6).

    Args:
        facts: From :func:`network_facts` (ideally ``.collect()``-ed once).
        inp: The partition's locations, month-M stock, sales over W and style-count history.
        products: The products file (sku, style, colour, size, price).
        demand_inputs: What the rate of sale (6.1) reads, for the whole network.
        month: Month M.
        rules: The thresholds in force.

    Returns:
        :class:`PartitionResults` with three LazyFrames:

        * style_health: location_id, style, segment, is_bestseller, is_new, on_hand (Int64),
          units_sold (Int64), sell_through (f64, null when units + on hand is 0),
          broken_size, broken_colour, missing_core_skus (List[sku dtype], by colour then
          size); ordered by location_id, style.
        * compliance: see :func:`assortment.compliance.location_compliance`.
        * actions: see :func:`assortment.actions.plan_actions`.
    """
    return partition_results(
        facts,
        inp,
        partition_tables(facts, inp, products, rules=rules),
        products,
        demand_inputs,
        month=month,
        rules=rules,
    )


def partition_tables(
    facts: NetworkFacts, inp: PartitionInputs, products: pl.LazyFrame, *, rules: Rules
) -> PartitionTables:
    """The intermediates of a partition (domain.md 4): SKUs, stock, broken colours, pairs.

    They feed several outputs; the job may collect them once (at its edge) before
    :func:`partition_results` builds on them, which keeps each plan small for the optimiser.
    """
    # .cache(): these intermediates feed several outputs; computing each once keeps the
    # whole job one pass over the month's stock.
    styles = style_table(products, facts).cache()
    skus = sku_table(products, facts, styles).cache()
    located = classified_locations(inp.locations, inp.stock_m).cache()
    stock = stock_in_hand(inp.stock_m, located, skus).cache()
    colours = flag_broken_colours(
        stock, skus, min_core_share=rules.broken_size_min_core_share
    ).cache()
    missing = missing_core_skus(colours, skus, stock).cache()
    pairs = (
        classify_pairs(colours, inp.sales_w, located, skus, styles)
        .pipe(add_segments, styles, slow_sell_through=rules.slow_sell_through)
        .cache()
    )
    return PartitionTables(skus=skus, located=located, stock=stock, missing=missing, pairs=pairs)


def partition_results(
    facts: NetworkFacts,
    inp: PartitionInputs,
    tables: PartitionTables,
    products: pl.LazyFrame,
    demand_inputs: DemandInputs,
    *,
    month: date,
    rules: Rules,
) -> PartitionResults:
    """Style health, compliance and actions of a partition from its :class:`PartitionTables`
    (see :func:`classify_partition`)."""
    sku_dtype = products.collect_schema()["sku"]
    compliance = location_compliance(
        inp.locations,
        tables.located,
        tables.pairs,
        facts.bestsellers,
        facts.new_styles,
        inp.history,
        month=month,
        rules=rules,
    )
    actions = plan_actions(
        tables.pairs,
        tables.missing,
        tables.stock,
        inp.locations,
        tables.skus,
        demand_inputs,
        month=month,
        rules=rules,
    )
    return PartitionResults(
        style_health=style_health_view(tables.pairs, tables.missing, sku_dtype=sku_dtype),
        compliance=compliance,
        actions=actions,
    )
