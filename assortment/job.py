"""The classification job: read month M's inputs from DuckDB (Arrow), run the polars rules, write results back.

The job is the edge of the pure rules in ``classify``/``compliance``/``actions``: it is the
only place that collects. The network-wide facts (bestsellers, new styles, size curves,
core sizes and colours) are computed once; the per-location work runs per partition of
distributor groups (``partitions``), which is how a distributed engine would run it.
"""

from __future__ import annotations

import functools
import hashlib
import json
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import polars as pl

from assortment import demand, followthrough, months, store, stuck
from assortment.classify import NetworkFacts, NetworkInputs, PartitionInputs, network_facts
from assortment.config import Rules, Settings
from assortment.errors import NoDataError
from assortment.pipeline import PartitionTables, partition_results, partition_tables

RESULT_TABLES = (
    "style_health",
    "compliance",
    "actions",
    "bestsellers",
    "new_styles",
    "core_skus",
    "size_curve",
    "order_plan",
    "order_plan_locations",
    "stuck",
    "style_chances",
)


def counted_months(con: duckdb.DuckDBPyConnection) -> list[date]:
    """Months with at least one stock count, ascending."""
    return store.query(con, "job_counted_months")["month"].to_list()


def resolve_month(con: duckdb.DuckDBPyConnection, month: str | None) -> date:
    """The month asked for, or the latest counted one; NoDataError when there is none."""
    counted = counted_months(con)
    if not counted:
        raise NoDataError(
            "no stock counts are loaded yet: load stock files first (assortment load stock)"
        )
    if month is None:
        return counted[-1]
    m = months.parse(month)
    if m not in counted:
        shown = ", ".join(months.fmt(x) for x in counted[-6:])
        raise NoDataError(f"no stock counts for {months.fmt(m)}; counted months end with: {shown}")
    return m


@dataclass(frozen=True)
class JobResult:
    """Figures of one classification run."""

    month: date
    fingerprint: str
    n_locations: int
    n_pairs: int
    n_actions: int
    status_counts: dict[str, int]
    seconds: float

    def summary(self) -> str:
        """One line for the terminal."""
        counts = ", ".join(f"{k} {v}" for k, v in sorted(self.status_counts.items()))
        return (
            f"{months.fmt(self.month)}: {self.n_locations} locations ({counts}), {self.n_pairs:,} location-styles,"
            f" {self.n_actions:,} actions; rules {self.fingerprint}; {self.seconds:.2f} s"
        )


@dataclass
class MonthInputs:
    """Everything month M's rules read, as polars frames with integer keys."""

    products: pl.DataFrame
    locations: pl.DataFrame
    stock_m: pl.DataFrame
    sales_w: pl.DataFrame
    net_w: pl.DataFrame
    net_12m: pl.DataFrame
    history: pl.DataFrame
    codes: pl.DataFrame  # kind, key, code
    stock_prev: pl.DataFrame  # in-stock rows of the counts of M-L .. M-1 (6.1)
    sales_months: pl.DataFrame  # sales per month over W (6.1)
    last_counts: pl.DataFrame  # each location's latest counted month <= M (6.6)
    carried_stock: pl.DataFrame  # in-stock rows of the carried counts (6.6)
    had_w: pl.DataFrame  # stores and styles in stock at a month end of W before M (domain.md 9)


class _Clock:
    """Adds the seconds since the last tick to ``timings[stage]`` (a no-op without timings)."""

    def __init__(self, timings: dict[str, float] | None) -> None:
        self.timings = timings
        self.last = time.perf_counter()

    def tick(self, stage: str) -> None:
        now = time.perf_counter()
        if self.timings is not None:
            self.timings[stage] = self.timings.get(stage, 0.0) + now - self.last
        self.last = now


NET_MONTHS_BACK = 11
"""Months before M in the 12-month net units (the bestseller ranking) that :func:`read_inputs`
reads."""
HISTORY_MONTHS_BACK = 3
"""Months before M of compliance history (the shrinking rule) that :func:`read_inputs` reads."""


def months_back(rules: Rules) -> int:
    """How many months before M :func:`read_inputs` reads, counts or sales: the 12-month net
    units, the compliance history, the counts of the lookback window (6.1) and the counts
    carried forward (6.6). An input layout must hold them (the Spark engine's check)."""
    return max(
        NET_MONTHS_BACK, HISTORY_MONTHS_BACK, rules.lookback_months, rules.carry_forward_months
    )


def read_inputs(
    con: duckdb.DuckDBPyConnection,
    month: date,
    rules: Rules,
    *,
    timings: dict[str, float] | None = None,
) -> MonthInputs:
    """Read month M's inputs through Arrow (integer keys; strings only in the small tables).

    ``timings`` (optional) receives the seconds spent: ``read``, and ``stuck_read`` for the
    input only the stuck step (domain.md 9) reads.
    """
    w_start = months.window_start(month, rules.lookback_months)
    clock = _Clock(timings)
    products = store.query(con, "classify_products")
    locations = store.query(con, "classify_locations")
    stock_prev = store.query(
        con,
        "classify_stock_prev",
        start=months.add(month, -rules.lookback_months),
        end=months.add(month, -1),
    )
    inputs = MonthInputs(
        products=products,
        locations=locations,
        stock_m=store.query(con, "classify_stock_m", month=month),
        sales_w=store.query(con, "classify_sales_w", start=w_start, month=month),
        net_w=store.query(con, "classify_net_units", start=w_start, month=month),
        net_12m=store.query(
            con, "classify_net_units", start=months.add(month, -NET_MONTHS_BACK), month=month
        ),
        history=store.query(
            con,
            "classify_history",
            start=months.add(month, -HISTORY_MONTHS_BACK),
            end=months.add(month, -1),
        ),
        codes=store.query(con, "id_maps"),
        stock_prev=stock_prev,
        sales_months=store.query(con, "classify_sales_months", start=w_start, month=month),
        last_counts=store.query(con, "classify_last_counts", month=month),
        carried_stock=store.query(
            con,
            "classify_carried_stock",
            start=months.add(month, -rules.carry_forward_months),
            month=month,
        ),
        had_w=pl.DataFrame(),
    )
    clock.tick("read")
    # the stores' styles in stock at a month end of W before M (domain.md 9): from the in-stock
    # rows of M-L .. M-1 read above for the rate of sale (6.1), not a second scan of the counts
    inputs.had_w = stuck.styles_had(
        stock_prev.lazy()
        .filter(pl.col("month") >= w_start)
        .join(
            locations.lazy().filter(pl.col("kind") == "store").select("location_id"),
            on="location_id",
            how="semi",
        ),
        products.lazy(),
    ).collect()
    clock.tick("stuck_read")
    return inputs


@dataclass(frozen=True)
class Edge:
    """The network-wide part of month M, computed once at the edge before the partitions.

    Attributes:
        facts: The collected network facts (bestsellers, new styles, core SKUs and colours,
            size curves).
        products: The products table.
        demand_inputs: What the rate of sale (6.1) reads, with ``own`` computed once.
        network: The network-wide result tables, still lazy: bestsellers, new_styles,
            core_skus, size_curve, order_plan, order_plan_locations.
    """

    facts: NetworkFacts
    products: pl.LazyFrame
    demand_inputs: demand.DemandInputs
    network: list[pl.LazyFrame]


def network_facts_of(inp: MonthInputs, month: date, rules: Rules) -> NetworkFacts:
    """The collected network facts of month M (domain.md 4.2-4.6)."""
    return network_facts(
        NetworkInputs(
            products=inp.products.lazy(),
            net_sku_units_w=inp.net_w.lazy(),
            net_sku_units_12m=inp.net_12m.lazy(),
        ),
        month=month,
        rules=rules,
    ).collect()


def listed_styles(facts: NetworkFacts) -> pl.LazyFrame:
    """The bestsellers and the new styles of M: what the factory order plan covers (6.6, a
    bestseller launched after M included: it sells already) and what cannot be stuck (9)."""
    return pl.concat([facts.bestsellers.select("style"), facts.new_styles.select("style")])


def plan_skus(facts: NetworkFacts, products: pl.LazyFrame) -> pl.LazyFrame:
    """The SKUs a plan can ask for (the listed styles' SKUs and the core SKUs): the edge
    computes their rate of sale (6.1) once."""
    listed_skus = products.join(listed_styles(facts), on="style", how="semi").select("sku")
    return pl.concat([listed_skus, facts.core_skus.select("sku")]).unique()


def network_edge(
    inp: MonthInputs,
    month: date,
    rules: Rules,
    *,
    facts: NetworkFacts | None = None,
    own: pl.DataFrame | None = None,
) -> Edge:
    """The network-wide part of month M (see :class:`Edge`).

    ``facts`` and ``own`` (:func:`demand.own_rate_of_sale` of :func:`plan_skus`) are computed
    here unless given (an engine that computes them elsewhere passes them in; ``inp``'s
    stock_prev and sales_months are then not read).
    """
    products = inp.products.lazy()
    if facts is None:
        facts = network_facts_of(inp, month, rules)
    locations = inp.locations.lazy()
    planned = listed_styles(facts)
    planned_skus = products.join(planned, on="style", how="semi").select("sku")
    if own is None:
        # the rate of sale (6.1) of every SKU a plan can ask for, computed once here at the
        # edge for the order plan and every partition
        wanted = plan_skus(facts, products)
        own = demand.own_rate_of_sale(
            inp.stock_prev.lazy().join(wanted, on="sku", how="semi"),
            inp.sales_months.lazy().join(wanted, on="sku", how="semi"),
            month=month,
            lookback_months=rules.lookback_months,
        ).collect()
    demand_inputs = demand.DemandInputs(
        stock_prev=inp.stock_prev.lazy(),
        sales_months=inp.sales_months.lazy(),
        locations=locations,
        own=own.lazy(),
    )
    coverage = demand.plan_coverage(
        locations,
        inp.last_counts.lazy(),
        month=month,
        carry_forward_months=rules.carry_forward_months,
    )
    plan = demand.order_plan(
        planned,
        products,
        facts.size_curve,
        coverage,
        own.lazy().join(planned_skus, on="sku", how="semi"),
        pl.concat([inp.stock_m.lazy(), inp.carried_stock.lazy()], how="vertical_relaxed"),
        locations,
        cover_months=rules.cover_months,
    )
    network = [
        facts.bestsellers,
        facts.new_styles,
        facts.core_skus,
        facts.size_curve,
        plan,
        coverage.filter(pl.col("coverage") != "counted").select(
            "location_id", "region", "coverage", "count_month"
        ),
    ]
    return Edge(facts=facts, products=products, demand_inputs=demand_inputs, network=network)


def compute_partition(
    edge: Edge,
    part_inputs: PartitionInputs,
    month: date,
    rules: Rules,
    *,
    extra: list[pl.LazyFrame] | None = None,
) -> list[pl.DataFrame]:
    """Style health, compliance and actions of a partition of distributor groups (integer
    keys), collected together with ``extra`` lazy frames: ``[health, compliance, actions,
    *extra]``."""
    facts, products = edge.facts, edge.products
    # the partition's intermediates are collected once here, at the edge: the plans built
    # on them stay small, and the optimiser's time on one plan holding every rule (several
    # seconds, whatever the data) is saved
    tables = partition_tables(facts, part_inputs, products, rules=rules)
    tables = PartitionTables(
        *(
            f.lazy()
            for f in pl.collect_all(
                [tables.skus, tables.located, tables.stock, tables.missing, tables.pairs]
            )
        )
    )
    res = partition_results(
        facts, part_inputs, tables, products, edge.demand_inputs, month=month, rules=rules
    )
    return pl.collect_all([res.style_health, res.compliance, res.actions, *(extra or [])])


def finish(
    inp: MonthInputs,
    edge: Edge,
    network: list[pl.DataFrame],
    health: pl.DataFrame,
    compliance: pl.DataFrame,
    actions: pl.DataFrame,
    rules: Rules,
    *,
    timings: dict[str, float] | None = None,
) -> dict[str, pl.DataFrame]:
    """The cross-group step after every partition (domain.md 9) and the result tables with
    codes. ``network`` is ``edge.network`` collected; ``inp`` gives locations, codes, W's
    earlier counts (had_w) and the locations counted in M (any stock_m row). ``timings``
    (optional) receives the seconds of ``stuck`` and ``codes``."""
    clock = _Clock(timings)
    facts = edge.facts
    bestsellers, new_styles, core_skus, size_curve, plan_df, plan_locations = network
    # domain.md 9 spans groups (elsewhere = the other groups): after every partition, from
    # the style-health rows (on hand and units per location and style) and W's earlier counts
    chances_df, stuck_df = pl.collect_all(
        stuck.chances_and_stuck(
            inp.locations.lazy(),
            inp.stock_m.lazy(),
            inp.had_w.lazy(),
            health.lazy().select("location_id", "style", "on_hand", "units_sold"),
            edge.products,
            listed_styles(facts),
            facts.core_skus,
            facts.core_colours,
            facts.sold_styles,
            lookback_months=rules.lookback_months,
            slow_sell_through=rules.slow_sell_through,
            stuck_min_units=rules.stuck_min_units,
            min_store_reach=rules.min_store_reach,
            proven_sell_through=rules.proven_sell_through,
        )
    )
    clock.tick("stuck")
    out = _to_codes(
        {
            "style_health": health,
            "compliance": compliance,
            "actions": actions,
            "bestsellers": bestsellers,
            "new_styles": new_styles,
            "core_skus": core_skus,
            "size_curve": size_curve,
            "order_plan": plan_df,
            "order_plan_locations": plan_locations,
            "stuck": stuck_df,
            "style_chances": chances_df,
        },
        inp.codes,
    )
    clock.tick("codes")
    prices = inp.products.group_by("style").agg(pl.col("price").max())
    distribute = stuck.distribute_actions(out["stuck"].lazy(), prices.lazy()).collect()
    out["actions"] = pl.concat([out["actions"], distribute], how="diagonal_relaxed")
    clock.tick("stuck")
    return out


def partition_groups(locations: pl.DataFrame) -> pl.DataFrame:
    """location_id, _group: each location's distributor group (the distributor's key)."""
    return locations.select(
        "location_id", pl.coalesce("distributor_id", "location_id").alias("_group")
    )


def compute(
    inp: MonthInputs,
    month: date,
    rules: Rules,
    *,
    partitions: int = 1,
    timings: dict[str, float] | None = None,
) -> dict[str, pl.DataFrame]:
    """Run the rules over month M's inputs; result tables keyed by name (codes, not keys).

    The network-wide facts first (:func:`network_edge`), then the per-location work per
    partition of distributor groups (:func:`compute_partition`), then the cross-group step
    (:func:`finish`); ``assortment.spark_engine`` runs the same three pieces on Spark.
    ``timings`` (optional) receives the seconds of each stage: ``facts`` (network facts, rate
    of sale, order plan set-up), ``partitions``, ``stuck`` (domain.md 9) and ``codes``.
    """
    clock = _Clock(timings)
    edge = network_edge(inp, month, rules)
    clock.tick("facts")
    groups = partition_groups(inp.locations)
    group_ids = groups["_group"].unique().sort()
    n = max(1, min(partitions, group_ids.len()))
    health, compliance, actions = [], [], []
    for part in range(n):
        if n > 1:
            in_part = group_ids.gather_every(n, offset=part)
            locs = groups.filter(pl.col("_group").is_in(in_part.implode()))["location_id"]
            keep = pl.col("location_id").is_in(locs.implode())
            part_inputs = PartitionInputs(
                locations=inp.locations.lazy().filter(keep),
                stock_m=inp.stock_m.lazy().filter(keep),
                sales_w=inp.sales_w.lazy().filter(keep),
                history=inp.history.lazy().filter(keep),
            )
        else:
            part_inputs = PartitionInputs(
                locations=inp.locations.lazy(),
                stock_m=inp.stock_m.lazy(),
                sales_w=inp.sales_w.lazy(),
                history=inp.history.lazy(),
            )
        # the last partition shares one optimised plan with the network-wide tables
        extra = edge.network if part == n - 1 else []
        h, c, a, *rest = compute_partition(edge, part_inputs, month, rules, extra=extra)
        health.append(h)
        compliance.append(c)
        actions.append(a)
    clock.tick("partitions")
    return finish(
        inp,
        edge,
        rest,
        pl.concat(health),
        pl.concat(compliance),
        pl.concat(actions),
        rules,
        timings=timings,
    )


def _to_codes(frames: dict[str, pl.DataFrame], codes: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """Replace integer keys by the codes users know (location_id, sku)."""
    loc = codes.filter(pl.col("kind") == "location").select(pl.col("key").cast(pl.Int64), "code")
    sku = codes.filter(pl.col("kind") == "sku").select(pl.col("key").cast(pl.Int64), "code")
    loc_map = dict(zip(loc["key"].to_list(), loc["code"].to_list(), strict=True))
    sku_map = dict(zip(sku["key"].to_list(), sku["code"].to_list(), strict=True))

    def as_code(col: str, mapping: dict[int, str]) -> pl.Expr:
        return (
            pl.col(col).cast(pl.Int64).replace_strict(mapping, default=None, return_dtype=pl.String)
        )

    out = dict(frames)
    for name in ("style_health", "compliance", "actions"):
        f = out[name].with_columns(as_code("location_id", loc_map))
        if "distributor_id" in f.columns:
            f = f.with_columns(as_code("distributor_id", loc_map))
        if "source_location_id" in f.columns:
            f = f.with_columns(as_code("source_location_id", loc_map))
        if "sku" in f.columns:
            f = f.with_columns(as_code("sku", sku_map))
        if "missing_core_skus" in f.columns:
            f = f.with_columns(
                pl.col("missing_core_skus").list.eval(
                    pl.element()
                    .cast(pl.Int64)
                    .replace_strict(sku_map, default=None, return_dtype=pl.String)
                )
            )
        out[name] = f
    out["core_skus"] = out["core_skus"].with_columns(as_code("sku", sku_map))
    out["order_plan_locations"] = out["order_plan_locations"].with_columns(
        as_code("location_id", loc_map)
    )
    out["style_chances"] = out["style_chances"].with_columns(as_code("location_id", loc_map))
    out["stuck"] = out["stuck"].with_columns(
        as_code("distributor_id", loc_map),
        pl.col("lacking_location_ids").list.eval(
            pl.element()
            .cast(pl.Int64)
            .replace_strict(loc_map, default=None, return_dtype=pl.String)
            .sort()
        ),
    )
    return out


def write_results(
    con: duckdb.DuckDBPyConnection,
    month: date,
    rules: Rules,
    results: dict[str, pl.DataFrame],
    seconds: float,
    *,
    timings: dict[str, float] | None = None,
) -> None:
    """Replace month M's results in one transaction, tagged with the rules' fingerprint.

    ``timings`` (optional) receives the seconds spent: ``stuck_write`` for the tables of the
    stuck step (domain.md 9), ``write`` for the rest.
    """
    fp = rules.fingerprint
    clock = _Clock(timings)
    con.execute("begin transaction")
    try:
        for table in RESULT_TABLES:  # identifiers from this fixed list only
            frame = results[table]
            if table in ("style_health", "compliance", "actions", "stuck"):
                frame = frame.with_columns(pl.lit(fp).alias("rules_fingerprint"))
            _replace_rows(con, table, month, frame)
            clock.tick("stuck_write" if table in ("stuck", "style_chances") else "write")
        store.execute(con, "job_run_delete", month=month)
        store.execute(
            con,
            "job_run_insert",
            month=month,
            rules_fingerprint=fp,
            rules_json=json.dumps(rules.to_dict(), sort_keys=True),
            engine_fingerprint=engine_fingerprint(),
            run_at=datetime.now(UTC).replace(tzinfo=None),
            n_locations=results["compliance"].height,
            n_pairs=results["style_health"].height,
            seconds=seconds,
        )
        con.execute("commit")
        clock.tick("write")
    except BaseException:
        con.execute("rollback")
        raise


FOLLOW_TABLES = ("follow_through", "location_changes", "rep_scorecard")


def judge(
    con: duckdb.DuckDBPyConnection,
    month: date,
    rules: Rules,
    *,
    counted_next: pl.DataFrame | None = None,
) -> dict[str, pl.DataFrame]:
    """Month M's stored action lines judged by the count of M+1 (domain.md 8), with the
    locations fixed or worse and each rep's scorecard. Everything is unknown until M+1 is
    counted; fixed and worse need M+1's compliance results. ``counted_next`` is the
    ``follow_counted`` query of M+1 when the caller has read it already."""
    nxt = months.add(month, 1)
    if counted_next is None:
        counted_next = store.query(con, "follow_counted", month=nxt)
    stock_next, sales_next = _judged_by(con, nxt, month)
    # without a count in M+1 every line is unknown, whatever M held: M's count is not read
    stock_m = _judged_by(con, month, month)[0] if counted_next.height else stock_next
    judged = followthrough.judge_lines(
        store.query(con, "follow_lines", month=month).lazy(),
        stock_m=stock_m.lazy(),
        stock_next=stock_next.lazy(),
        sales_next=sales_next.lazy(),
        counted_next=counted_next.lazy(),
        products=store.query(con, "follow_products").lazy(),
        clearance_done_share=rules.clearance_done_share,
    ).drop("lacking_location_ids")  # read to judge distribute lines; not a follow_through column
    changes = _status_changes(con, month)
    card = followthrough.rep_scorecard(judged, changes)
    frames = pl.collect_all([judged, changes, card])
    return dict(zip(FOLLOW_TABLES, frames, strict=True))


def _judged_by(
    con: duckdb.DuckDBPyConnection, month: date, action_month: date
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(location_id, sku, on_hand in stock at the end of ``month``; location_id, sku,
    units_sold in ``month``) for the (location, SKU) pairs the action lines of
    ``action_month`` are judged by, read in one query."""
    facts = store.query(con, "follow_facts", month=month, action_month=action_month)
    return (
        facts.filter(pl.col("on_hand") > 0).select("location_id", "sku", "on_hand"),
        facts.filter(pl.col("units_sold") > 0).select("location_id", "sku", "units_sold"),
    )


def _status_changes(con: duckdb.DuckDBPyConnection, month: date) -> pl.LazyFrame:
    """The locations fixed or worse from M to M+1 (domain.md 8), from the stored compliance."""
    return followthrough.status_changes(
        store.query(con, "follow_statuses", month=month).lazy(),
        store.query(con, "follow_statuses", month=months.add(month, 1)).lazy(),
    )


def _delete_month(con: duckdb.DuckDBPyConnection, table: str, month: date) -> None:
    """Delete month M's rows of ``table`` (an identifier of RESULT_TABLES or FOLLOW_TABLES)."""
    con.execute(store.statement_text("job_results_delete").format(table=table), {"month": month})


def _replace_rows(
    con: duckdb.DuckDBPyConnection, table: str, month: date, frame: pl.DataFrame
) -> None:
    """Store ``frame`` as month M's rows of ``table`` (inside the caller's transaction; the
    identifier comes from RESULT_TABLES or FOLLOW_TABLES only)."""
    _delete_month(con, table, month)
    store.register(con, "result_frame", frame.with_columns(pl.lit(month).alias("month")))
    con.execute(store.statement_text("job_results_insert").format(table=table))
    con.unregister("result_frame")


def write_follow_through(con: duckdb.DuckDBPyConnection, month: date, rules: Rules) -> None:
    """Judge month M's stored action lines (:func:`judge`) and replace its follow-through
    tables, in one transaction.

    When no location is counted in M+1 (the usual case for the latest month) every line is
    unknown (domain.md 8): DuckDB then copies the lines from ``actions`` itself, the rows
    :func:`judge` would give, without a round trip of every line through polars; the
    scorecard is still :func:`followthrough.rep_scorecard` over the stored lines.
    """
    con.execute("begin transaction")
    try:
        counted_next = store.query(con, "follow_counted", month=months.add(month, 1))
        if counted_next.height:
            frames = judge(con, month, rules, counted_next=counted_next)
            for table in FOLLOW_TABLES:
                _replace_rows(con, table, month, frames[table])
        else:
            _delete_month(con, "follow_through", month)
            store.execute(con, "follow_insert_unknown", month=month)
            changes = _status_changes(con, month)
            card = followthrough.rep_scorecard(
                store.query(con, "follow_judged", month=month).lazy(), changes
            )
            changes_df, card_df = pl.collect_all([changes, card])
            _replace_rows(con, "location_changes", month, changes_df)
            _replace_rows(con, "rep_scorecard", month, card_df)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise


def run_month(
    con: duckdb.DuckDBPyConnection,
    month: date,
    rules: Rules,
    *,
    partitions: int = 1,
    timings: dict[str, float] | None = None,
) -> JobResult:
    """Classify month M on a writer connection and store its results.

    Then judge the actions of M-1 (when classified) and of M by the count that follows
    (domain.md 8): both judgements change when M is classified again. ``timings``
    (optional) receives the seconds of each stage (see :func:`read_inputs`,
    :func:`compute`, :func:`write_results`; ``follow`` for the follow-through) and
    ``stuck_total``, what the stuck step (domain.md 9) took in all.
    """
    t0 = time.perf_counter()
    inputs = read_inputs(con, month, rules, timings=timings)
    results = compute(inputs, month, rules, partitions=partitions, timings=timings)
    return store_results(con, month, rules, results, started=t0, timings=timings)


def store_results(
    con: duckdb.DuckDBPyConnection,
    month: date,
    rules: Rules,
    results: dict[str, pl.DataFrame],
    *,
    started: float,
    timings: dict[str, float] | None = None,
) -> JobResult:
    """Write month M's results (one transaction), then judge the actions of M-1 and M by the
    count that follows (domain.md 8); ``started`` is the run's ``time.perf_counter()`` start;
    ``timings`` as in :func:`run_month`."""
    t0 = started
    seconds = time.perf_counter() - t0
    write_results(con, month, rules, results, seconds, timings=timings)
    clock = _Clock(timings)
    classified = set(store.query(con, "job_classified_months")["month"].to_list())
    for judged_month in (months.add(month, -1), month):
        if judged_month in classified:
            write_follow_through(con, judged_month, rules)
    clock.tick("follow")
    if timings is not None:
        timings["stuck_total"] = sum(
            timings.get(k, 0.0) for k in ("stuck_read", "stuck", "stuck_write")
        )
    comp = results["compliance"]
    counts = dict(comp.group_by("status").len().iter_rows())
    return JobResult(
        month=month,
        fingerprint=rules.fingerprint,
        n_locations=comp.height,
        n_pairs=results["style_health"].height,
        n_actions=results["actions"].height,
        status_counts={str(k): int(v) for k, v in counts.items()},
        seconds=time.perf_counter() - t0,
    )


@functools.cache
def engine_fingerprint() -> str:
    """A short hash of the code that computes results (this package's Python and the SQL):
    results computed by another version of the product are not current (:func:`is_current`),
    so an upgrade never leaves a month's results as the old code made them."""
    package = Path(__file__).resolve().parent
    files = sorted(package.rglob("*.py")) + sorted(store.SQL_DIR.rglob("*.sql"))
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


def is_current(con: duckdb.DuckDBPyConnection, month: date, rules: Rules) -> bool:
    """True when month M's results exist, were computed by this code with these rules, and no
    load changed data since."""
    state = store.query(con, "job_run_state", month=month)
    if state.is_empty():
        return False
    fingerprint, seen, latest = state.select(
        "rules_fingerprint", "data_version", "latest_data_version"
    ).row(0)
    return bool(fingerprint == rules.fingerprint and seen >= latest and _engine(con, month))


def _engine(con: duckdb.DuckDBPyConnection, month: date) -> bool:
    """True when this code computed month M's results. A reader may be on a snapshot published
    before the product was upgraded (no writer has migrated the store yet), without the
    column: then not current, and the classification that follows migrates it."""
    try:
        engine = store.query(con, "job_run_engine", month=month)["engine_fingerprint"].to_list()
    except duckdb.BinderException:
        return False
    return engine == [engine_fingerprint()]


def ensure_classified(settings: Settings, month: str | None) -> tuple[date, JobResult | None]:
    """Classify month M (default: latest counted) unless its results are current.

    Returns the month and the new run (None when the stored results were current).
    """
    rules = settings.rules()
    with store.reader(settings) as con:
        m = resolve_month(con, month)
        if is_current(con, m, rules):
            return m, None
    return m, classify(settings, month=months.fmt(m))[0]


def ensure_next_classified(settings: Settings, month: date) -> JobResult | None:
    """Classify M+1 when it is counted and its results are not current (the follow-through of
    M reads them); returns the new run or None."""
    rules = settings.rules()
    nxt = months.add(month, 1)
    with store.reader(settings) as con:
        if nxt not in counted_months(con) or is_current(con, nxt, rules):
            return None
    return classify(settings, month=months.fmt(nxt))[0]


def classify(
    settings: Settings, *, month: str | None = None, all_months: bool = False, partitions: int = 1
) -> list[JobResult]:
    """Classify the given month (default: latest counted), or every counted month."""
    rules = settings.rules()
    with store.writer(settings) as con:
        if all_months:
            todo = counted_months(con)
            if not todo:
                raise NoDataError("no stock counts are loaded yet: load stock files first")
        else:
            todo = [resolve_month(con, month)]
        return [run_month(con, m, rules, partitions=partitions) for m in todo]
