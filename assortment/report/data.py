"""What the monthly report reads: a month's results from a read snapshot, cut by region and rep."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import duckdb
import polars as pl

from assortment import months, store
from assortment.export import classified_months, export_frame
from assortment.followthrough import rep_scorecard
from assortment.vocab import STATUS_RANK, STATUSES

HISTORY_MONTHS = 6
NO_REP = ""  # the rep key of locations without a rep


@dataclass(frozen=True, slots=True)
class Scope:
    """Whose report: the whole network, one region or one rep.

    Attributes:
        kind: ``network``, ``region`` or ``rep``.
        key: The region or rep name (``NO_REP`` for locations without a rep); None for the network.
    """

    kind: str
    key: str | None = None

    def filter(self) -> pl.Expr:
        """Rows of a frame with ``region`` and ``rep`` columns that belong to this scope."""
        if self.kind == "region":
            return pl.col("region") == self.key
        if self.kind == "rep":
            return pl.col("rep").fill_null(NO_REP) == self.key
        return pl.lit(True)


@dataclass(frozen=True)
class MonthData:
    """One month's results, ready for the report.

    Attributes:
        month: The month reported.
        prev_month: The month before, when it is classified (for the trend); else None.
        fingerprint: The rules that produced the month's results.
        compliance: One row per active location (the compliance export) with name, city,
            ``reasons`` as a list, ``prev_status`` and per-location action figures.
        actions: The actions export with the location's region, rep and name.
        history: Status per location for the classified months of the last six.
        uploads: Per distributor group: active and counted locations, last counted month.
        required: Required styles in stock per counted location (coverage numerators).
        bestsellers, new_styles, order_plan: The exports of the same names, with style names.
        styles: One row per style (name, category, launch month, price).
        stuck: The stuck export (domain.md 9) with the distributor's name, region and rep and
            the style's name: the styles a distributor holds but never shows.
        rules: The rules that produced the month's results (as ``Rules.to_dict``).
        scorecard: The month before's rep scorecard (its actions judged by this month's count,
            domain.md 8; the rep-scorecard export); empty without a classified month before.
            A region's cut counts only the region's locations (:func:`scoped`).
        follow_lines: The month before's action lines as judged (location_id, region, rep,
            follow_status, value_at_stake_cny); empty without a classified month before.
        follow_changes: The month before's locations fixed or worse (location_id, region, rep,
            change); empty without a classified month before.
        plan_locations: The locations the order plan carried forward or left out (region,
            location_id, name, coverage, count_month; ``order_plan_locations``).
    """

    month: date
    prev_month: date | None
    fingerprint: str
    compliance: pl.DataFrame
    actions: pl.DataFrame
    history: pl.DataFrame
    uploads: pl.DataFrame
    required: pl.DataFrame
    bestsellers: pl.DataFrame
    new_styles: pl.DataFrame
    order_plan: pl.DataFrame
    styles: pl.DataFrame
    stuck: pl.DataFrame
    rules: dict[str, Any] = field(default_factory=dict)
    scorecard: pl.DataFrame = field(default_factory=pl.DataFrame)
    follow_lines: pl.DataFrame = field(default_factory=pl.DataFrame)
    follow_changes: pl.DataFrame = field(default_factory=pl.DataFrame)
    plan_locations: pl.DataFrame = field(default_factory=pl.DataFrame)

    @property
    def month_str(self) -> str:
        """``YYYY-MM``."""
        return months.fmt(self.month)

    def regions(self) -> list[str]:
        """Regions with active locations, sorted."""
        return sorted(self.compliance["region"].drop_nulls().unique().to_list())

    def reps(self) -> list[str]:
        """Reps with active locations, sorted (``NO_REP`` first when some have none)."""
        return sorted(self.compliance["rep"].fill_null(NO_REP).unique().to_list())


def load_month(con: duckdb.DuckDBPyConnection, month: date) -> MonthData:
    """Read everything the report shows for a classified ``month`` (a reader connection)."""
    month_s = months.fmt(month)
    classified = classified_months(con)
    prev = months.add(month, -1)
    prev_month = prev if months.fmt(prev) in classified else None
    fingerprint, rules_json = (
        store.query(con, "job_run_state", month=month)
        .select("rules_fingerprint", "rules_json")
        .row(0)
    )

    locations = store.query(con, "report_locations")
    styles = store.query(con, "report_styles")
    _, comp = export_frame(con, "compliance", month_s)
    _, actions = export_frame(con, "actions", month_s)
    _, best = export_frame(con, "bestsellers", month_s)
    _, new = export_frame(con, "new-styles", month_s)
    _, plan = export_frame(con, "order-plan", month_s)
    _, stuck = export_frame(con, "stuck", month_s)

    names = locations.select("location_id", "name", "city")
    where = comp.select("location_id", "region", "rep")
    actions = actions.join(where, on="location_id", how="left").join(
        names.select("location_id", "name"), on="location_id", how="left"
    )
    comp = (
        comp.with_columns(
            pl.col("reasons")
            .fill_null("")
            .str.split(";")
            .list.eval(pl.element().filter(pl.element() != ""))
        )
        .join(names, on="location_id", how="left")
        .join(_action_figures(actions), on="location_id", how="left")
        .with_columns(
            pl.col(c).fill_null(0)
            for c in (
                "replenish_units",
                "transfer_in_units",
                "transfer_out_units",
                "clearance_units",
            )
        )
        .with_columns(pl.col("clearance_value_cny").fill_null(0.0))
    )
    if prev_month is not None:
        _, prev_comp = export_frame(con, "compliance", months.fmt(prev_month))
        comp = comp.join(
            prev_comp.select("location_id", pl.col("status").alias("prev_status")),
            on="location_id",
            how="left",
        )
    else:
        comp = comp.with_columns(pl.lit(None, dtype=pl.String).alias("prev_status"))
    comp = (
        comp.with_columns(
            pl.col("status")
            .replace_strict(STATUS_RANK, default=9, return_dtype=pl.Int8)
            .alias("_order")
        )
        .sort("_order", "location_id")
        .drop("_order")
    )

    history = store.query(
        con, "report_status_history", start=months.add(month, -(HISTORY_MONTHS - 1)), month=month
    )
    style_cols = styles.select("style", "style_name", "category")
    scorecard = follow_lines = follow_changes = pl.DataFrame()
    if prev_month is not None:
        _, scorecard = export_frame(con, "rep-scorecard", months.fmt(prev_month))
        follow_lines = store.query(con, "report_follow_lines", month=prev_month)
        follow_changes = store.query(con, "report_location_changes", month=prev_month)
    return MonthData(
        month=month,
        prev_month=prev_month,
        fingerprint=fingerprint,
        compliance=comp,
        actions=actions,
        history=history,
        uploads=store.query(con, "report_uploads", month=month),
        required=store.query(con, "report_required_in_stock", month=month),
        bestsellers=best.join(style_cols, on="style", how="left").sort("rank"),
        new_styles=new.join(style_cols, on="style", how="left").sort(
            "launch_month", "style", descending=[True, False]
        ),
        order_plan=plan.join(style_cols, on="style", how="left"),
        styles=styles,
        stuck=stuck.join(
            comp.select(
                pl.col("location_id").alias("distributor_id"),
                pl.col("name").alias("distributor_name"),
                "region",
                "rep",
            ),
            on="distributor_id",
            how="left",
        ).join(style_cols.select("style", "style_name"), on="style", how="left"),
        rules=json.loads(rules_json),
        scorecard=scorecard,
        follow_lines=follow_lines,
        follow_changes=follow_changes,
        plan_locations=store.query(
            con, "order_plan_locations", month=month, role="admin", regions=[]
        ),
    )


def _action_figures(actions: pl.DataFrame) -> pl.DataFrame:
    """Per location: units to replenish, to receive and send by transfer, to clear (and value)."""

    def is_(action: str) -> pl.Expr:
        return pl.col("action") == action

    incoming = actions.group_by("location_id").agg(
        pl.col("units").filter(is_("replenish")).sum().alias("replenish_units"),
        pl.col("units").filter(is_("transfer")).sum().alias("transfer_in_units"),
        pl.col("units").filter(is_("clearance")).sum().alias("clearance_units"),
        pl.col("value_cny").filter(is_("clearance")).sum().alias("clearance_value_cny"),
    )
    outgoing = (
        actions.filter(is_("transfer") & pl.col("source_location_id").is_not_null())
        .group_by(pl.col("source_location_id").alias("location_id"))
        .agg(pl.col("units").sum().alias("transfer_out_units"))
    )
    return incoming.join(outgoing, on="location_id", how="full", coalesce=True)


# ------------------------------------------------------------------ cuts for one scope


def scoped(data: MonthData, scope: Scope) -> MonthData:
    """The same month cut to the locations of ``scope`` (the network: unchanged).

    Network-level lists (bestsellers, new styles) stay whole; their coverage is computed
    over the scope's locations. The order plan is cut by region (a rep gets none).
    """
    if scope.kind == "network":
        return data
    keep = scope.filter()
    comp = data.compliance.filter(keep)
    groups = comp.select(
        pl.coalesce("distributor_id", "location_id").alias("distributor_id")
    ).unique()
    plan, plan_locations = (
        frame.filter(pl.col("region") == scope.key)
        if scope.kind == "region" and frame.width
        else frame.clear()
        for frame in (data.order_plan, data.plan_locations)
    )
    return MonthData(
        month=data.month,
        prev_month=data.prev_month,
        fingerprint=data.fingerprint,
        compliance=comp,
        actions=data.actions.filter(keep),
        history=data.history.filter(keep),
        uploads=data.uploads.join(groups, on="distributor_id", how="semi"),
        required=data.required.filter(keep),
        bestsellers=data.bestsellers,
        new_styles=data.new_styles,
        order_plan=plan,
        styles=data.styles,
        stuck=data.stuck.filter(keep),
        rules=data.rules,
        scorecard=_scope_scorecard(data, scope),
        follow_lines=data.follow_lines.filter(keep)
        if data.follow_lines.width
        else data.follow_lines,
        follow_changes=(
            data.follow_changes.filter(keep) if data.follow_changes.width else data.follow_changes
        ),
        plan_locations=plan_locations,
    )


def _scope_scorecard(data: MonthData, scope: Scope) -> pl.DataFrame:
    """The scorecard a scope's report shows: a rep's own row; for a region, each rep's lines
    and locations *in the region* (a rep may work in two), scored by the rule itself
    (:func:`assortment.followthrough.rep_scorecard`)."""
    if not data.scorecard.height:
        return data.scorecard
    if scope.kind == "rep":
        return data.scorecard.filter(pl.col("rep").fill_null(NO_REP) == scope.key)
    if scope.kind != "region" or not data.follow_lines.width:
        return data.scorecard.clear()
    keep = scope.filter()
    card = rep_scorecard(
        data.follow_lines.lazy().filter(keep), data.follow_changes.lazy().filter(keep)
    ).collect()
    month = data.scorecard["month"][0]
    return card.with_columns(pl.lit(month).alias("month")).select(data.scorecard.columns)


def status_counts(comp: pl.DataFrame, column: str = "status") -> dict[str, int]:
    """Locations per status, every status present (zeros included), in report order."""
    counts = dict(comp.group_by(column).len().iter_rows()) if comp.height else {}
    out = {s: int(counts.get(s, 0)) for s in STATUSES}
    out.update(
        {
            str(k): int(v)
            for k, v in sorted(counts.items(), key=str)
            if k not in out and k is not None
        }
    )
    return out


def previous_counts(data: MonthData) -> dict[str, int] | None:
    """Locations per status in the previous month (as classified then); None if not classified."""
    if data.prev_month is None:
        return None
    return status_counts(data.history.filter(pl.col("month") == months.fmt(data.prev_month)))


def reason_counts(comp: pl.DataFrame, reasons: tuple[str, ...]) -> dict[str, int]:
    """Locations per reason (a location counts once for each of its reasons), zeros included."""
    flat = comp.select(pl.col("reasons").explode().drop_nulls())
    counts = dict(flat.group_by("reasons").len().iter_rows()) if flat.height else {}
    out = {r: int(counts.get(r, 0)) for r in reasons}
    out.update({str(k): int(v) for k, v in sorted(counts.items()) if k not in out})
    return out


def coverage(data: MonthData, styles: pl.DataFrame) -> pl.DataFrame:
    """For each style of ``styles``: the scope's counted distributors and stores stocking it.

    Returns:
        ``styles`` with n_dist_in_stock, n_dist_counted, n_store_in_stock, n_store_counted.
    """
    counted = data.compliance.filter(pl.col("status") != "no_count")
    n_dist = counted.filter(pl.col("kind") == "distributor").height
    n_store = counted.filter(pl.col("kind") == "store").height
    held = data.required.group_by("style").agg(
        (pl.col("kind") == "distributor").sum().alias("n_dist_in_stock"),
        (pl.col("kind") == "store").sum().alias("n_store_in_stock"),
    )
    return styles.join(held, on="style", how="left").with_columns(
        pl.col("n_dist_in_stock").fill_null(0).cast(pl.Int64),
        pl.lit(n_dist, dtype=pl.Int64).alias("n_dist_counted"),
        pl.col("n_store_in_stock").fill_null(0).cast(pl.Int64),
        pl.lit(n_store, dtype=pl.Int64).alias("n_store_counted"),
    )


def clearance_by_style(data: MonthData) -> pl.DataFrame:
    """Clearance actions of the scope per style: locations, units and value, largest value first."""
    rows = data.actions.filter(pl.col("action") == "clearance")
    return (
        rows.group_by("style")
        .agg(
            pl.col("location_id").n_unique().alias("n_locations"),
            pl.col("units").sum().alias("units"),
            pl.col("value_cny").sum().alias("value_cny"),
        )
        .join(data.styles.select("style", "style_name", "category"), on="style", how="left")
        .select("style", "style_name", "category", "n_locations", "units", "value_cny")
        .sort(["value_cny", "style"], descending=[True, False])
    )


def upload_gaps(data: MonthData) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Distributor groups that sent no count this month, and those with some locations missing."""
    none = data.uploads.filter(pl.col("n_counted_locations") == 0).sort("distributor_id")
    partial = data.uploads.filter(
        (pl.col("n_counted_locations") > 0)
        & (pl.col("n_counted_locations") < pl.col("n_active_locations"))
    ).sort("distributor_id")
    return none, partial


UPLOAD_STATES = ("none", "partial", "complete")


def upload_states(data: MonthData) -> pl.DataFrame:
    """Every distributor group with ``state``: ``none`` (no count this month), ``partial`` (some
    locations missing) or ``complete``; gaps first, then by distributor."""
    return (
        data.uploads.with_columns(
            pl.when(pl.col("n_counted_locations") == 0)
            .then(pl.lit("none"))
            .when(pl.col("n_counted_locations") < pl.col("n_active_locations"))
            .then(pl.lit("partial"))
            .otherwise(pl.lit("complete"))
            .alias("state")
        )
        .with_columns(
            pl.col("state")
            .replace_strict({s: i for i, s in enumerate(UPLOAD_STATES)}, return_dtype=pl.Int8)
            .alias("_order")
        )
        .sort("_order", "distributor_id")
        .drop("_order")
    )
