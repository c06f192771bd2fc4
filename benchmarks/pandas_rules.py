"""The classification and compliance rules (domain.md sections 4-5) in straightforward pandas.

These are the speed baselines of the classification benchmark (benchmarks/bench_classify.py),
two variants sharing one rule implementation, written the way a competent analyst writes
pandas: merges, groupbys and boolean masks, nothing clever.

* :func:`run_month_pandas` ("pandas (same inputs)") reads the same month-M inputs as the
  polars job: the ``sql/queries/classify_*.sql`` queries of :func:`assortment.job.read_inputs`
  (zero stock rows dropped, sales summed per location and SKU, the shrinking history taken
  from the precomputed ``stock_summary`` table), read straight into pandas with DuckDB's
  ``.df()``. It compares rule engines only.
* :func:`run_month_pandas_raw` ("pandas raw") is the straightforward end-to-end version,
  without the store's optimisations: plain SELECTs of the stored rows (stock for M-3..M with
  its zero rows, sales for the 12 months ending M, the products and locations tables), then
  everything else in pandas (:func:`inputs_from_raw` builds the frames the rules expect).

Both compute what the benchmark compares, not the whole job (no actions, order plan or
result writing), and give identical outputs.

It follows the choices documented in ``assortment/classify.py`` where domain.md leaves room:
"all units sold in W" is summed over the SKUs of the products file; a style's launch month is
the earliest of its SKUs; a pair "sold at l during W" has at least 1 unit; core sizes come
from ``is_core_size`` for a style with at least one non-null value (null = not core), else
from the category curve; a colour with no core sizes is never broken; a counted location
that is not closed is classified (a null status is not closed); every ratio is compared with
its threshold with a 1e-9 tolerance.

:func:`compare_with_polars` checks the output against the polars job's results
(``assortment.job.compute``), which carry codes instead of integer keys.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

from assortment import store  # noqa: E402
from assortment.config import Rules  # noqa: E402
from assortment.months import add as add_months  # noqa: E402
from assortment.vocab import COMPLIANCE_REASONS  # noqa: E402

__all__ = [
    "classify_inputs",
    "compare_with_polars",
    "inputs_from_raw",
    "read_inputs_pandas",
    "read_raw_pandas",
    "run_month_pandas",
    "run_month_pandas_raw",
]

TOL = 1e-9
REASONS = COMPLIANCE_REASONS
FIGURES = ("bestseller_coverage", "new_coverage", "broken_size_share", "slow_stock_share")


# --------------------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------------------


def _query(con: duckdb.DuckDBPyConnection, name: str, **params: Any) -> pd.DataFrame:
    return con.sql(store.query_text(name), params=params or None).df()


def read_inputs_pandas(
    con: duckdb.DuckDBPyConnection, month: date, rules: Rules
) -> dict[str, pd.DataFrame]:
    """Month M's inputs, the same queries as :func:`assortment.job.read_inputs`, as pandas."""
    month = date(month.year, month.month, 1)
    w_start = add_months(month, -(rules.lookback_months - 1))
    return {
        "products": _query(con, "classify_products"),
        "locations": _query(con, "classify_locations"),
        "stock_m": _query(con, "classify_stock_m", month=month),
        "sales_w": _query(con, "classify_sales_w", start=w_start, month=month),
        "net_w": _query(con, "classify_net_units", start=w_start, month=month),
        "net_12m": _query(con, "classify_net_units", start=add_months(month, -11), month=month),
        "history": _query(
            con, "classify_history", start=add_months(month, -3), end=add_months(month, -1)
        ),
        "codes": _query(con, "id_maps"),
    }


RAW_STOCK_SQL = """
select month, location_key, sku_key, on_hand
from stock
where month between $start::date and $month::date
"""
RAW_SALES_SQL = """
select month, location_key, sku_key, units_sold
from sales
where month between $start::date and $month::date
"""


def read_raw_pandas(
    con: duckdb.DuckDBPyConnection, month: date, rules: Rules
) -> dict[str, pd.DataFrame]:
    """The stored rows month M's rules need, as pandas, with plain SELECTs (no SQL aggregation).

    ``stock``: every stock row of M-3..M (zero rows included: counts are stored as loaded);
    ``sales``: every sales row of the months of the window W and of the 12 months ending M;
    ``products`` and ``locations``: the whole tables.
    """
    month = date(month.year, month.month, 1)
    w_start = add_months(month, -(rules.lookback_months - 1))
    sales_start = min(w_start, add_months(month, -11))
    return {
        "stock": con.sql(
            RAW_STOCK_SQL, params={"start": add_months(month, -3), "month": month}
        ).df(),
        "sales": con.sql(RAW_SALES_SQL, params={"start": sales_start, "month": month}).df(),
        "products": con.sql("select * from products").df(),
        "locations": con.sql("select * from locations").df(),
    }


def inputs_from_raw(
    raw: dict[str, pd.DataFrame], month: date, rules: Rules
) -> dict[str, pd.DataFrame]:
    """The frames of :func:`read_inputs_pandas`, computed in pandas from :func:`read_raw_pandas`.

    Stock and sales rows are unique per (month, location, SKU) (a load rejects duplicates),
    so month M's on hand per (location, SKU) is its stock rows as they are; a location is
    counted in a month when it has at least one stock row there, whatever its on hand.
    """
    month = date(month.year, month.month, 1)
    m = pd.Timestamp(month)
    w_start = pd.Timestamp(add_months(month, -(rules.lookback_months - 1)))
    start_12m = pd.Timestamp(add_months(month, -11))

    columns = ["sku_key", "style", "colour", "size", "category", "launch_month", "price_cny"]
    products = raw["products"][[*columns, "is_core_size"]].rename(
        columns={"sku_key": "sku", "price_cny": "price"}
    )
    locs = raw["locations"]
    key_of = dict(zip(locs["location_id"], locs["location_key"], strict=True))
    locations = pd.DataFrame(
        {
            "location_id": locs["location_key"],
            "kind": locs["kind"],
            "distributor_id": locs["distributor_id"].map(key_of).astype("Int32"),
            "region": locs["region"],
            "rep": locs["rep"],
            "min_styles": locs["min_styles"],
            "status": locs["status"],
        }
    )
    codes = pd.concat(
        [
            pd.DataFrame(
                {"kind": "location", "key": locs["location_key"], "code": locs["location_id"]}
            ),
            pd.DataFrame(
                {"kind": "sku", "key": raw["products"]["sku_key"], "code": raw["products"]["sku"]}
            ),
        ],
        ignore_index=True,
    )

    stock = raw["stock"].rename(columns={"location_key": "location_id", "sku_key": "sku"})
    # Month M: on hand per (location, SKU); the locations with a row are the counted ones.
    stock_m = stock.loc[stock["month"] == m, ["location_id", "sku", "on_hand"]]
    stock_m = stock_m.astype({"on_hand": "int64"}).reset_index(drop=True)
    # M-3..M-1: active styles (styles with on hand >= 1) per counted location and month.
    before = stock[stock["month"] < m]
    counted = before.groupby(["location_id", "month"]).size().rename("n_rows")
    held = before[before["on_hand"] > 0].merge(products[["sku", "style"]], on="sku", how="inner")
    active = held.groupby(["location_id", "month"])["style"].nunique().rename("active_styles")
    history = counted.to_frame().join(active, how="left").reset_index()
    history["active_styles"] = history["active_styles"].fillna(0).astype("int64")
    history = history[["location_id", "month", "active_styles"]]

    sales = raw["sales"].rename(columns={"location_key": "location_id", "sku_key": "sku"})
    sales = sales.astype({"units_sold": "int64"})
    window = sales[sales["month"] >= w_start]
    sales_w = window.groupby(["location_id", "sku"], as_index=False)["units_sold"].sum()
    net_w = window.groupby("sku", as_index=False)["units_sold"].sum()
    net_12m = sales[sales["month"] >= start_12m].groupby("sku", as_index=False)["units_sold"].sum()

    return {
        "products": products,
        "locations": locations,
        "stock_m": stock_m,
        "sales_w": sales_w,
        "net_w": net_w,
        "net_12m": net_12m,
        "history": history,
        "codes": codes,
    }


def _merge(left: pd.DataFrame, right: pd.DataFrame, **kwargs: Any) -> pd.DataFrame:
    """``left.merge(right, **kwargs)``, also when both frames are empty.

    pandas 3 raises ArrowInvalid ("cannot construct ChunkedArray from empty vector") when
    both join keys are empty pyarrow strings without chunks, which is what a groupby of an
    empty frame returns (a month where nothing is in stock or sold); empty string columns
    are then merged as object.
    """
    if left.empty and right.empty:
        left = left.astype({c: object for c in left.columns if left[c].dtype == "str"})
        right = right.astype({c: object for c in right.columns if right[c].dtype == "str"})
    return left.merge(right, **kwargs)


def _month_index(values: pd.Series) -> pd.Series:
    """Months since year 0 of a datetime column."""
    return values.dt.year * 12 + values.dt.month - 1


# --------------------------------------------------------------------------------------
# Network facts (4.2, 4.3, 4.5 curve, 4.6)
# --------------------------------------------------------------------------------------


def find_bestsellers(products: pd.DataFrame, net_w: pd.DataFrame, rules: Rules) -> pd.DataFrame:
    """rank, style, net_units: the shortest prefix reaching bestseller_share, cut to the max."""
    sold = net_w.merge(products[["sku", "style"]], on="sku", how="inner")
    net_units = (
        sold.groupby("style")["units_sold"]
        .sum()
        .reindex(products["style"].unique(), fill_value=0)
        .rename("net_units")
    )
    total = net_units.sum()
    ranked = (
        net_units[net_units > 0]
        .rename_axis("style")
        .reset_index()
        .sort_values(["net_units", "style"], ascending=[False, True])
    )
    before = (ranked["net_units"].cumsum() - ranked["net_units"]) / max(total, 1)
    best = ranked[before < rules.bestseller_share - TOL].head(rules.bestseller_max_styles)
    best = best.reset_index(drop=True)
    best.insert(0, "rank", np.arange(1, len(best) + 1))
    best["net_units"] = best["net_units"].astype("int64")
    return best


def find_new_styles(products: pd.DataFrame, month: date, rules: Rules) -> pd.DataFrame:
    """style, launch_month of the styles launched in the new_months ending with M."""
    m = month.year * 12 + month.month - 1
    launch = products.groupby("style", as_index=False)["launch_month"].min()
    idx = _month_index(launch["launch_month"])
    return launch[(idx > m - rules.new_months) & (idx <= m)].sort_values("style")


def size_curve(products: pd.DataFrame, net_12m: pd.DataFrame, rules: Rules) -> pd.DataFrame:
    """category, size, units, is_core: the category size curves over the 12 months ending M."""
    sold = (
        net_12m.merge(products[["sku", "category", "size"]], on="sku", how="inner")
        .groupby(["category", "size"], as_index=False)["units_sold"]
        .sum()
        .rename(columns={"units_sold": "units"})
    )
    curve = (
        products[["category", "size"]]
        .drop_duplicates()
        .merge(sold, on=["category", "size"], how="left")
    )
    curve["units"] = curve["units"].fillna(0).astype("int64")
    curve = curve.sort_values(["category", "units", "size"], ascending=[True, False, True])
    total = curve.groupby("category")["units"].transform("sum")
    before = curve.groupby("category")["units"].cumsum() - curve["units"]
    share_before = (before / total.where(total > 0)).fillna(0.0)
    curve["is_core"] = (total == 0) | (share_before < rules.core_size_share - TOL)
    return curve


def sku_facts(
    products: pd.DataFrame, net_w: pd.DataFrame, curve: pd.DataFrame, rules: Rules
) -> pd.DataFrame:
    """The products with is_core (4.5) and is_core_colour (4.6) per SKU."""
    skus = products[["sku", "style", "colour", "size", "category"]].copy()
    flag = products["is_core_size"].astype("boolean")
    says = flag.notna().groupby(products["style"]).transform("any")
    core_curve = curve.loc[curve["is_core"], ["category", "size"]].assign(curve_core=True)
    skus = skus.merge(core_curve, on=["category", "size"], how="left")
    skus["curve_core"] = skus["curve_core"].fillna(False).astype(bool)
    skus["is_core"] = np.where(
        says.to_numpy(), flag.fillna(False).astype(bool).to_numpy(), skus["curve_core"].to_numpy()
    )

    colour_units = (
        net_w.merge(products[["sku", "style", "colour"]], on="sku", how="inner")
        .groupby(["style", "colour"], as_index=False)["units_sold"]
        .sum()
    )
    colours = (
        products[["style", "colour"]]
        .drop_duplicates()
        .merge(colour_units, on=["style", "colour"], how="left")
    )
    colours["units_sold"] = colours["units_sold"].fillna(0)
    style_units = colours.groupby("style")["units_sold"].transform("sum")
    colours["is_core_colour"] = (style_units > 0) & (
        colours["units_sold"] / style_units.where(style_units > 0) >= rules.core_colour_share - TOL
    )
    skus = skus.merge(colours[["style", "colour", "is_core_colour"]], on=["style", "colour"])
    skus["n_core"] = skus.groupby(["style", "colour"])["is_core"].transform("sum")
    return skus.drop(columns=["curve_core"])


# --------------------------------------------------------------------------------------
# Per location and style (4.1, 4.4, 4.5, 4.6)
# --------------------------------------------------------------------------------------


def classify_styles(
    inp: dict[str, pd.DataFrame],
    skus: pd.DataFrame,
    bestsellers: pd.DataFrame,
    new_styles: pd.DataFrame,
    rules: Rules,
) -> tuple[pd.DataFrame, pd.Series]:
    """The style_health table, and the location_ids of the classified locations."""
    locations, stock_m, sales_w = inp["locations"], inp["stock_m"], inp["sales_w"]
    not_closed = locations.loc[locations["status"].fillna("active") != "closed", "location_id"]
    classified = not_closed[not_closed.isin(stock_m["location_id"].unique())]

    # Styles with their network facts.
    styles = pd.DataFrame({"style": np.sort(skus["style"].unique())})
    styles["is_bestseller"] = styles["style"].isin(bestsellers["style"])
    styles["is_new"] = styles["style"].isin(new_styles["style"])
    n_core_colours = (
        skus.loc[skus["is_core_colour"], ["style", "colour"]]
        .drop_duplicates()
        .groupby("style")
        .size()
        .rename("n_core_colours")
    )
    styles = styles.merge(n_core_colours, left_on="style", right_index=True, how="left")
    styles["n_core_colours"] = styles["n_core_colours"].fillna(0).astype("int64")

    # SKUs in stock at the classified locations, then per colour (broken size, 4.5).
    stock = stock_m[(stock_m["on_hand"] > 0) & stock_m["location_id"].isin(classified)]
    stock = stock.merge(skus[["sku", "style", "colour", "is_core"]], on="sku", how="inner")
    colours = stock.groupby(["location_id", "style", "colour"], as_index=False).agg(
        on_hand=("on_hand", "sum"), core_in_stock=("is_core", "sum")
    )
    colour_facts = skus[["style", "colour", "n_core", "is_core_colour"]].drop_duplicates(
        ["style", "colour"]
    )
    colours = colours.merge(colour_facts, on=["style", "colour"], how="left")
    core_share = colours["core_in_stock"] / colours["n_core"].where(colours["n_core"] > 0)
    colours["is_broken"] = (colours["n_core"] > 0) & (
        core_share < rules.broken_size_min_core_share - TOL
    )

    in_stock = colours.groupby(["location_id", "style"], as_index=False).agg(
        on_hand=("on_hand", "sum"),
        broken_size=("is_broken", "any"),
        core_colours_in_stock=("is_core_colour", "sum"),
    )
    sold = (
        sales_w[sales_w["location_id"].isin(classified)]
        .merge(skus[["sku", "style"]], on="sku", how="inner")
        .groupby(["location_id", "style"], as_index=False)["units_sold"]
        .sum()
    )
    required_styles = styles.loc[styles["is_bestseller"] | styles["is_new"], ["style"]]
    required = (
        pd.DataFrame({"location_id": classified.to_numpy()})
        .merge(required_styles, how="cross")
        .assign(required=True)
    )

    # The classified pairs (4.1).
    pairs = _merge(in_stock, sold, on=["location_id", "style"], how="outer")
    pairs = _merge(pairs, required, on=["location_id", "style"], how="outer")
    pairs["on_hand"] = pairs["on_hand"].fillna(0).astype("int64")
    pairs["units_sold"] = pairs["units_sold"].fillna(0).astype("int64")
    pairs["broken_size"] = pairs["broken_size"].fillna(False).astype(bool)
    pairs["core_colours_in_stock"] = pairs["core_colours_in_stock"].fillna(0).astype("int64")
    pairs["required"] = pairs["required"].fillna(False).astype(bool)
    pairs = pairs[(pairs["on_hand"] > 0) | (pairs["units_sold"] > 0) | pairs["required"]]
    pairs = pairs.merge(styles, on="style", how="left")

    # Segment (4.4) and broken colour (4.6).
    total = pairs["units_sold"] + pairs["on_hand"]
    pairs["sell_through"] = pairs["units_sold"] / total.where(total > 0)
    is_slow = (pairs["on_hand"] > 0) & (pairs["sell_through"] < rules.slow_sell_through - TOL)
    pairs["segment"] = np.select(
        [pairs["is_bestseller"], pairs["is_new"], is_slow],
        ["bestseller", "new", "slow_moving"],
        default="steady",
    )
    pairs["broken_colour"] = (pairs["on_hand"] > 0) & (
        pairs["n_core_colours"] > pairs["core_colours_in_stock"]
    )

    # Missing core SKUs of the broken colours, by colour then size.
    broken = colours.loc[colours["is_broken"], ["location_id", "style", "colour"]]
    core = skus.loc[skus["is_core"], ["sku", "style", "colour", "size"]]
    missing = broken.merge(core, on=["style", "colour"])
    held = stock[["location_id", "sku"]].assign(held=True)
    missing = missing.merge(held, on=["location_id", "sku"], how="left")
    missing = missing[missing["held"].isna()].sort_values(
        ["location_id", "style", "colour", "size"]
    )
    lists = (
        missing.groupby(["location_id", "style"], as_index=False)["sku"]
        .agg(list)
        .rename(columns={"sku": "missing_core_skus"})
    )
    pairs = _merge(pairs, lists, on=["location_id", "style"], how="left")
    pairs["missing_core_skus"] = [
        x if isinstance(x, list) else [] for x in pairs["missing_core_skus"]
    ]

    health = pairs[
        [
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
            "missing_core_skus",
        ]
    ].sort_values(["location_id", "style"], ignore_index=True)
    return health, classified


# --------------------------------------------------------------------------------------
# Compliance (5)
# --------------------------------------------------------------------------------------


def location_compliance(
    inp: dict[str, pd.DataFrame],
    health: pd.DataFrame,
    classified: pd.Series,
    n_best: int,
    n_new: int,
    month: date,
    rules: Rules,
) -> pd.DataFrame:
    """One row per location that is not closed: figures, status and ';'-joined reasons."""
    locations, history = inp["locations"], inp["history"]
    in_stock = health["on_hand"] > 0
    per_pair = pd.DataFrame(
        {
            "location_id": health["location_id"],
            "in_stock": in_stock,
            "best_in": in_stock & health["is_bestseller"],
            "new_in": in_stock & health["is_new"],
            "broken": health["broken_size"],
            "slow_on_hand": health["on_hand"].where(health["segment"] == "slow_moving", 0),
            "on_hand": health["on_hand"],
        }
    )
    sums = per_pair.groupby("location_id").sum()
    figures = pd.DataFrame(index=sums.index)
    figures["active_styles"] = sums["in_stock"]
    figures["bestseller_coverage"] = sums["best_in"] / n_best if n_best else 1.0
    figures["new_coverage"] = sums["new_in"] / n_new if n_new else 1.0
    active = sums["in_stock"].where(sums["in_stock"] > 0)
    figures["broken_size_share"] = (sums["broken"] / active).fillna(0.0)
    on_hand = sums["on_hand"].where(sums["on_hand"] > 0)
    figures["slow_stock_share"] = (sums["slow_on_hand"] / on_hand).fillna(0.0)

    table = locations.loc[
        locations["status"].fillna("active") != "closed", ["location_id", "kind", "min_styles"]
    ]
    table = table.merge(figures, left_on="location_id", right_index=True, how="left")
    counted = table["location_id"].isin(classified)
    # A counted location without any pair has the "empty" figures.
    empty = {
        "active_styles": 0,
        "bestseller_coverage": 1.0,
        "new_coverage": 1.0,
        "broken_size_share": 0.0,
        "slow_stock_share": 0.0,
    }
    for name, value in empty.items():
        table[name] = table[name].astype("float64")
        table.loc[counted & table[name].isna(), name] = value
    is_dist = table["kind"] == "distributor"

    def threshold(name: str) -> pd.Series:
        return pd.Series(
            np.where(is_dist, getattr(rules.distributor, name), getattr(rules.store, name)),
            index=table.index,
        )

    table["min_styles"] = table["min_styles"].astype("float64").fillna(threshold("min_styles"))

    # Shrinking: counted in M-3..M and strictly falling.
    m = month.year * 12 + month.month - 1
    back = history.assign(k=m - _month_index(history["month"]))
    back = back.pivot_table(
        index="location_id", columns="k", values="active_styles", aggfunc="first"
    )
    back = back.reindex(columns=[1, 2, 3])
    back.columns = ["m1", "m2", "m3"]
    table = table.merge(back, left_on="location_id", right_index=True, how="left")
    table["shrinking"] = (
        (
            (table["m3"] > table["m2"])
            & (table["m2"] > table["m1"])
            & (table["m1"] > table["active_styles"])
        )
        .fillna(False)
        .astype(bool)
    )

    checks = pd.DataFrame(
        {
            "below_min_styles": table["active_styles"] < table["min_styles"],
            "bestsellers_missing": table["bestseller_coverage"]
            < threshold("min_bestseller_coverage") - TOL,
            "new_styles_missing": table["new_coverage"] < threshold("min_new_coverage") - TOL,
            "many_broken_sizes": table["broken_size_share"]
            > threshold("max_broken_size_share") + TOL,
            "slow_stock_heavy": table["slow_stock_share"] > threshold("max_slow_stock_share") + TOL,
            "assortment_shrinking": table["shrinking"],
        }
    )
    checks = checks.fillna(False).astype(bool) & counted.to_numpy()[:, None]
    fails = checks[list(REASONS[:3])].any(axis=1)
    warns = checks[list(REASONS[3:])].any(axis=1)
    table["status"] = np.select([~counted, fails, warns], ["no_count", "fail", "warn"], "pass")
    table["reasons"] = [
        ";".join(name for name, hit in zip(REASONS, row, strict=True) if hit)
        for row in checks[list(REASONS)].itertuples(index=False)
    ]
    table["active_styles"] = table["active_styles"].astype("Int64")
    table["min_styles"] = table["min_styles"].astype("int64")
    return table[
        [
            "location_id",
            "kind",
            "status",
            "active_styles",
            "min_styles",
            *FIGURES,
            "shrinking",
            "reasons",
        ]
    ].sort_values("location_id", ignore_index=True)


# --------------------------------------------------------------------------------------
# Entry points
# --------------------------------------------------------------------------------------


def classify_inputs(
    inp: dict[str, pd.DataFrame], month: date, rules: Rules
) -> dict[str, pd.DataFrame]:
    """The rules over month M's input frames (those of :func:`read_inputs_pandas`)."""
    month = date(month.year, month.month, 1)
    products = inp["products"]
    bestsellers = find_bestsellers(products, inp["net_w"], rules)
    new_styles = find_new_styles(products, month, rules)
    curve = size_curve(products, inp["net_12m"], rules)
    skus = sku_facts(products, inp["net_w"], curve, rules)
    health, classified = classify_styles(inp, skus, bestsellers, new_styles, rules)
    compliance = location_compliance(
        inp, health, classified, len(bestsellers), len(new_styles), month, rules
    )
    return {
        "style_health": health,
        "compliance": compliance,
        "bestsellers": bestsellers[["rank", "style", "net_units"]],
        "codes": inp["codes"],
    }


def run_month_pandas(
    con: duckdb.DuckDBPyConnection, month: date, rules: Rules
) -> dict[str, pd.DataFrame]:
    """Classify month M in pandas: style_health, compliance and bestsellers with integer keys.

    Reads the polars job's pre-filtered, pre-aggregated inputs (:func:`read_inputs_pandas`).
    Also returns ``codes`` (the ``id_maps`` query: kind, key, code) so that
    :func:`compare_with_polars` can map the keys to the codes of the polars job's results.
    """
    month = date(month.year, month.month, 1)
    return classify_inputs(read_inputs_pandas(con, month, rules), month, rules)


def run_month_pandas_raw(
    con: duckdb.DuckDBPyConnection, month: date, rules: Rules
) -> dict[str, pd.DataFrame]:
    """:func:`run_month_pandas` end to end from the stored rows (:func:`read_raw_pandas`).

    Same output (and ``codes``, built from the products and locations tables); the raw rows
    are dropped once the rules' input frames are built.
    """
    month = date(month.year, month.month, 1)
    inp = inputs_from_raw(read_raw_pandas(con, month, rules), month, rules)
    return classify_inputs(inp, month, rules)


# --------------------------------------------------------------------------------------
# Checking against the polars job
# --------------------------------------------------------------------------------------


def _missing(value: object) -> bool:
    if value is None or value is pd.NA:
        return True
    return isinstance(value, float) and math.isnan(value)


def _same(a: object, b: object, *, tol: float = 0.0) -> bool:
    if _missing(a) or _missing(b):
        return _missing(a) and _missing(b)
    if isinstance(a, (float, np.floating)) or isinstance(b, (float, np.floating)):
        return abs(float(a) - float(b)) <= tol  # type: ignore[arg-type]
    return a == b


def _rows(frame: Any) -> list[dict[str, Any]]:
    """Rows of a pandas or polars frame as plain dicts."""
    if isinstance(frame, pd.DataFrame):
        return frame.to_dict("records")
    return frame.to_dicts()


def _code_maps(codes: Any) -> tuple[dict[int, str], dict[int, str]]:
    loc: dict[int, str] = {}
    sku: dict[int, str] = {}
    for row in _rows(codes):
        (loc if row["kind"] == "location" else sku)[int(row["key"])] = row["code"]
    return loc, sku


def compare_with_polars(
    pandas_out: dict[str, pd.DataFrame], polars_results: dict[str, Any], codes: Any = None
) -> list[str]:
    """Differences between :func:`run_month_pandas`'s output and the polars job's results.

    Args:
        pandas_out: Output of :func:`run_month_pandas` (integer keys).
        polars_results: Output of ``assortment.job.compute`` for the same month and rules
            (codes instead of keys).
        codes: The ``id_maps`` rows (kind, key, code), pandas or polars; default
            ``pandas_out["codes"]``.

    Returns:
        One line per difference (empty = equal): compliance status, reasons and figures per
        location (floats within 1e-9), style_health segment, flags, figures and missing core
        SKUs per (location, style), and the bestseller list.
    """
    loc_code, sku_code = _code_maps(pandas_out["codes"] if codes is None else codes)
    diffs: list[str] = []

    # Compliance, per location.
    mine = {loc_code[int(r["location_id"])]: r for r in _rows(pandas_out["compliance"])}
    theirs = {r["location_id"]: r for r in _rows(polars_results["compliance"])}
    for loc in sorted(mine.keys() - theirs.keys()):
        diffs.append(f"compliance {loc}: only in pandas")
    for loc in sorted(theirs.keys() - mine.keys()):
        diffs.append(f"compliance {loc}: only in polars")
    for loc in sorted(mine.keys() & theirs.keys()):
        a, b = mine[loc], theirs[loc]
        b_reasons = ";".join(b["reasons"] or [])
        if a["reasons"] != b_reasons:
            diffs.append(f"compliance {loc} reasons: pandas {a['reasons']!r}, polars {b_reasons!r}")
        for col in ("kind", "status", "active_styles", "min_styles", "shrinking"):
            if not _same(a[col], b[col]):
                diffs.append(f"compliance {loc} {col}: pandas {a[col]!r}, polars {b[col]!r}")
        for col in FIGURES:
            if not _same(a[col], b[col], tol=TOL):
                diffs.append(f"compliance {loc} {col}: pandas {a[col]!r}, polars {b[col]!r}")

    # Style health, per (location, style).
    mine_pairs = {
        (loc_code[int(r["location_id"])], r["style"]): r for r in _rows(pandas_out["style_health"])
    }
    theirs_pairs = {
        (r["location_id"], r["style"]): r for r in _rows(polars_results["style_health"])
    }
    for key in sorted(mine_pairs.keys() - theirs_pairs.keys()):
        diffs.append(f"style_health {key}: only in pandas")
    for key in sorted(theirs_pairs.keys() - mine_pairs.keys()):
        diffs.append(f"style_health {key}: only in polars")
    for key in sorted(mine_pairs.keys() & theirs_pairs.keys()):
        a, b = mine_pairs[key], theirs_pairs[key]
        for col in (
            "segment",
            "is_bestseller",
            "is_new",
            "on_hand",
            "units_sold",
            "broken_size",
            "broken_colour",
        ):
            if not _same(a[col], b[col]):
                diffs.append(f"style_health {key} {col}: pandas {a[col]!r}, polars {b[col]!r}")
        if not _same(a["sell_through"], b["sell_through"], tol=TOL):
            diffs.append(
                f"style_health {key} sell_through: pandas {a['sell_through']!r},"
                f" polars {b['sell_through']!r}"
            )
        if "missing_core_skus" in a:
            skus = [sku_code[int(s)] for s in a["missing_core_skus"]]
            theirs_skus = list(b["missing_core_skus"])
            if skus != theirs_skus:
                diffs.append(
                    f"style_health {key} missing_core_skus: pandas {skus}, polars {theirs_skus}"
                )

    # Bestsellers, in rank order.
    mine_best = [
        (int(r["rank"]), r["style"], int(r["net_units"])) for r in _rows(pandas_out["bestsellers"])
    ]
    theirs_best = [
        (int(r["rank"]), r["style"], int(r["net_units"]))
        for r in _rows(polars_results["bestsellers"])
    ]
    if mine_best != theirs_best:
        diffs.append(f"bestsellers: pandas {mine_best}, polars {theirs_best}")
    return diffs


def main() -> None:
    """Time both pandas variants against the polars job on a database and check they agree."""
    from assortment.job import compute, read_inputs, resolve_month
    from assortment.months import parse as parse_month

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("db", type=Path)
    parser.add_argument("--month", help="YYYY-MM (default: the latest counted month)")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    rules = Rules.from_toml(None)
    con = duckdb.connect(str(args.db), read_only=True)
    month = parse_month(args.month) if args.month else resolve_month(con, None)
    pandas_s, raw_s, polars_s = [], [], []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        mine = run_month_pandas(con, month, rules)
        pandas_s.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        mine_raw = run_month_pandas_raw(con, month, rules)
        raw_s.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        theirs = compute(read_inputs(con, month, rules), month, rules)
        polars_s.append(time.perf_counter() - t0)
    diffs = compare_with_polars(mine, theirs)
    diffs_raw = compare_with_polars(mine_raw, theirs)
    for line in diffs[:20]:
        print("DIFF pandas", line)
    for line in diffs_raw[:20]:
        print("DIFF pandas raw", line)
    print(
        f"{month:%Y-%m}: {len(mine['style_health']):,} pairs, {len(mine['compliance'])} locations;"
        f" pandas (same inputs) best {min(pandas_s):.3f} s, pandas raw best {min(raw_s):.3f} s,"
        f" polars read_inputs+compute best {min(polars_s):.3f} s;"
        f" {len(diffs)} + {len(diffs_raw)} difference(s)"
    )


if __name__ == "__main__":
    main()
