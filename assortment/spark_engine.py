"""Classify a month on Apache Spark with the same polars rules: ``classify --engine spark``.

The inputs are Parquet in the layout of :mod:`assortment.parquet`. The run has the shape of
:func:`assortment.job.compute`, whose three pieces it calls:

1. Spark SQL turns the Parquet files into views with the store's table and column names
   (``sql/spark/``), so the job's own queries (``sql/queries/classify_*.sql``) read them.
2. The small network-wide facts are computed on the driver (:func:`job.network_facts_of`);
   the rate of sale (6.1) of the SKUs a plan can ask for runs on the executors, grouped by
   distributor group, with :func:`demand.own_rate_of_sale` inside ``applyInArrow``; then
   :func:`job.network_edge` (order plan, demand inputs) on the driver.
3. The per-location work runs on the executors: ``groupBy(group).applyInArrow`` calls
   :func:`job.compute_partition` (the polars rules of domain.md 4-6) for each distributor
   group, with the edge broadcast.
4. The cross-group step (domain.md 9) and the codes: :func:`job.finish` on the driver.

The results are written to Parquet (``results/month=YYYY-MM/<table>.parquet``) and imported
from there into the store in one transaction (:func:`job.store_results`), then published
like any writer's, so the dashboard, exports and reports read them as after a local run.

Frames cross the executor boundary as Arrow IPC bytes (one row per group and table), so
polars dtypes (lists, unsigned counts) come back exactly as the local engine has them.
"""

from __future__ import annotations

import importlib.util
import io
import os
import re
import shutil
import sys
import time
import uuid
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl
import pyarrow as pa

from assortment import job, months, store
from assortment.classify import NetworkFacts, PartitionInputs
from assortment.config import KindRules, Rules, Settings
from assortment.config import today as config_today
from assortment.demand import DemandInputs, own_rate_of_sale
from assortment.errors import EngineUnavailableError, NoDataError, UsageError

if TYPE_CHECKING:
    from polars._typing import PolarsDataType
    from pyspark.sql import DataFrame, SparkSession

DEFAULT_MASTER = "local[2]"
SPARK_SQL_DIR = store.SQL_DIR / "spark"
#: what executors hand back: one row per distributor group and result table
BLOB_SCHEMA = "_group long, name string, data binary"
_INSTALL = "pip install -e '.[spark]'"


# ------------------------------------------------------------------ environment


def check_available() -> None:
    """Raise :class:`EngineUnavailableError` naming what is missing (pyspark, pandas, Java)."""
    if importlib.util.find_spec("pyspark") is None:
        raise EngineUnavailableError(
            f"the Spark engine needs pyspark, an optional extra: {_INSTALL}"
        )
    if importlib.util.find_spec("pandas") is None:
        raise EngineUnavailableError(
            f"the Spark engine needs pandas >= 2.2 (pyspark's Arrow UDFs ask for it): {_INSTALL}"
        )
    java_home = os.environ.get("JAVA_HOME")
    if not (java_home and Path(java_home, "bin", "java").exists()) and not shutil.which("java"):
        raise EngineUnavailableError(
            "the Spark engine needs Java 17 or newer: install it (Debian: apt-get install"
            " openjdk-17-jre-headless) or set JAVA_HOME"
        )


@contextmanager
def session(master: str = DEFAULT_MASTER) -> Iterator[SparkSession]:
    """A Spark session for ``master``; workers run this interpreter (``PYSPARK_PYTHON``)
    unless the environment names another one. Stopped on exit."""
    check_available()
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    from pyspark.sql import SparkSession

    builder = (
        SparkSession.builder.master(master)
        .appName("assortment-classify")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.sources.partitionColumnTypeInference.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", "100000")
    )
    if master.startswith("local"):
        # one machine: a few shuffle partitions, not 200; no web UI on a shared machine
        builder = builder.config("spark.sql.shuffle.partitions", "4").config(
            "spark.ui.enabled", "false"
        )
    try:
        spark = builder.getOrCreate()
    except Exception as exc:  # the JVM did not start: a bad master URL, Java broken
        raise EngineUnavailableError(f"Spark did not start with master {master!r}: {exc}") from exc
    spark.sparkContext.setLogLevel("ERROR")
    try:
        yield spark
    finally:
        spark.stop()


@contextmanager
def _session_or(spark: SparkSession | None, master: str) -> Iterator[SparkSession]:
    if spark is not None:
        yield spark
        return
    with session(master) as started:
        yield started


# ------------------------------------------------------------------ inputs


def spark_sql_text(name: str) -> str:
    """The text of ``sql/spark/<name>.sql``."""
    return (SPARK_SQL_DIR / f"{name}.sql").read_text("utf-8")


def run_query(spark: SparkSession, name: str, **params: Any) -> DataFrame:
    """``sql/queries/<name>.sql`` (the local job's query) on Spark: ``$p`` markers become
    Spark's named parameters ``:p``, bound, never formatted in."""
    text = re.sub(r"\$(\w+)", r":\1", store.query_text(name))
    return spark.sql(text, args=params or None)


def _with_key(df: DataFrame, key: str, code: str) -> DataFrame:
    """``df`` with its integer ``key`` column, numbered by ``code`` ascending when absent."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    if key in df.columns:
        return df.withColumn(key, F.col(key).cast("int"))
    return df.withColumn(key, F.dense_rank().over(Window.orderBy(code)).cast("int"))


def _with_optional(df: DataFrame, columns: dict[str, str]) -> DataFrame:
    from pyspark.sql import functions as F

    for name, dtype in columns.items():
        if name not in df.columns:
            df = df.withColumn(name, F.lit(None).cast(dtype))
    return df


def register_inputs(spark: SparkSession, folder: str | Path) -> list[date]:
    """Register the Parquet layout of ``folder`` (a local folder or a URL Spark reads:
    ``hdfs://``, ``s3a://`` ...) as views named like the store's tables (products,
    locations, stock, sales, stock_summary); returns the counted months."""
    base = str(folder).rstrip("/")
    local = "://" not in base
    if local:
        needed = [
            Path(base, "products.parquet"),
            Path(base, "locations.parquet"),
            Path(base, "stock"),
        ]
        missing = [str(p) for p in needed if not p.exists()]
        if missing:
            raise UsageError(
                f"{base} is not an input folder of the Parquet layout (missing"
                f" {', '.join(missing)}); write one with `assortment export-parquet DIR`"
                " (README: Engines)"
            )
    read = spark.read
    products = _with_key(read.parquet(f"{base}/products.parquet"), "sku_key", "sku")
    products = _with_optional(
        products, {"style_name": "string", "season": "string", "is_core_size": "boolean"}
    )
    locations = _with_key(read.parquet(f"{base}/locations.parquet"), "location_key", "location_id")
    locations = _with_optional(
        locations,
        {
            "name": "string",
            "province": "string",
            "city": "string",
            "rep": "string",
            "min_styles": "int",
            "status": "string",
        },
    )
    products.createOrReplaceTempView("products_file")
    locations.createOrReplaceTempView("locations_file")
    spark.sql(spark_sql_text("input_products")).cache().createOrReplaceTempView("products")
    spark.sql(spark_sql_text("input_locations")).cache().createOrReplaceTempView("locations")
    for table in ("stock", "sales"):
        path = f"{base}/{table}"
        if not local or any(Path(path).glob("month=*")):
            df = read.option("basePath", path).parquet(path)
        else:  # no sales at all: an empty table of the layout's columns
            schema = (
                "location_id string, sku string, on_hand long, month string"
                if table == "stock"
                else "location_id string, sku string, units_sold long, amount double, month string"
            )
            df = spark.createDataFrame([], schema)
        if table == "sales" and "amount" not in df.columns:
            df = _with_optional(df, {"amount": "double"})
        df.createOrReplaceTempView(f"{table}_file")
        spark.sql(spark_sql_text(f"input_{table}")).createOrReplaceTempView(table)
        spark.table(table).createOrReplaceTempView(f"{table}_all")
    summary = spark.sql(spark_sql_text("input_stock_summary")).cache()
    summary.createOrReplaceTempView("stock_summary")
    return sorted(r["month"] for r in summary.select("month").distinct().collect())


@contextmanager
def month_views(spark: SparkSession, month: date, rules: Rules) -> Iterator[None]:
    """``stock`` and ``sales`` narrowed to the months month M's queries read, and cached (the
    job's queries read them several times; the whole history is never cached)."""
    from pyspark.sql import functions as F

    first = {
        "stock": months.add(month, -max(rules.lookback_months, rules.carry_forward_months)),
        "sales": months.add(month, -11),  # the size curves' 12 months (4.5)
    }
    cached = []
    for table, start in first.items():
        df = spark.table(f"{table}_all").where(F.col("month").between(start, month)).cache()
        df.createOrReplaceTempView(table)
        cached.append(df)
    try:
        yield
    finally:
        for table, df in zip(first, cached, strict=True):
            spark.table(f"{table}_all").createOrReplaceTempView(table)
            df.unpersist()


def _polars(df: DataFrame) -> pl.DataFrame:
    frame = pl.from_arrow(df.toArrow())
    assert isinstance(frame, pl.DataFrame)
    return frame


def _like(frame: pl.DataFrame, schema: Mapping[str, PolarsDataType]) -> pl.DataFrame:
    """``frame`` with the dtypes DuckDB gives the same query (Spark has no unsigned or
    narrow types of its own)."""
    return frame.select(pl.col(c).cast(t) for c, t in schema.items())


# ------------------------------------------------------------------ Arrow IPC between driver and executors


def to_ipc(frame: pl.DataFrame) -> bytes:
    """A polars frame as Arrow IPC bytes (dtypes kept exactly)."""
    buf = io.BytesIO()
    frame.write_ipc(buf)
    return buf.getvalue()


def from_ipc(data: bytes) -> pl.DataFrame:
    """The frame :func:`to_ipc` wrote."""
    return pl.read_ipc(io.BytesIO(data))


def _blobs(group: int, frames: dict[str, pl.DataFrame]) -> pa.Table:
    names = list(frames)
    return pa.table(
        {
            "_group": pa.array([group] * len(names), pa.int64()),
            "name": pa.array(names, pa.string()),
            "data": pa.array([to_ipc(frames[n]) for n in names], pa.binary()),
        }
    )


def _collect_blobs(df: DataFrame) -> dict[str, pl.DataFrame]:
    """The executors' frames, each table's parts concatenated in group order."""
    table = df.toArrow()
    parts: dict[str, list[tuple[int, pl.DataFrame]]] = {}
    for group, name, data in zip(
        table["_group"].to_pylist(),
        table["name"].to_pylist(),
        table["data"].to_pylist(),
        strict=True,
    ):
        parts.setdefault(name, []).append((group, from_ipc(data)))
    return {
        name: pl.concat([f for _, f in sorted(frames, key=lambda x: x[0])], how="vertical")
        for name, frames in parts.items()
    }


def _rules_of(d: dict[str, Any]) -> Rules:
    kinds = {k: KindRules(**d[k]) for k in ("distributor", "store")}
    return Rules(**{**{k: v for k, v in d.items() if k not in kinds}, **kinds})


# the edge as each executor process unpacks it once (keyed by the payload's token)
_EDGE_CACHE: dict[str, tuple[job.Edge, pl.DataFrame, date, Rules]] = {}


def _edge_payload(
    edge: job.Edge, locations: pl.DataFrame, month: date, rules: Rules
) -> dict[str, Any]:
    facts = edge.facts
    frames = {
        "bestsellers": facts.bestsellers,
        "new_styles": facts.new_styles,
        "core_skus": facts.core_skus,
        "core_colours": facts.core_colours,
        "size_curve": facts.size_curve,
        "sold_styles": facts.sold_styles,
        "required_styles": facts.required_styles,
        "products": edge.products,
        "own": edge.demand_inputs.own,
    }
    payload: dict[str, Any] = {
        name: to_ipc(frame.collect()) for name, frame in frames.items() if frame is not None
    }
    payload["locations"] = to_ipc(locations)
    payload["month"] = month
    payload["token"] = uuid.uuid4().hex
    payload["rules"] = rules.to_dict()
    return payload


def _unpack_edge(payload: dict[str, Any]) -> tuple[job.Edge, pl.DataFrame, date, Rules]:
    bid = payload["token"]
    if bid not in _EDGE_CACHE:
        f = {k: from_ipc(v).lazy() for k, v in payload.items() if isinstance(v, bytes)}
        locations = from_ipc(payload["locations"])
        facts = NetworkFacts(**{name: f[name] for name in NetworkFacts.__dataclass_fields__})
        empty = pl.LazyFrame()
        edge = job.Edge(
            facts=facts,
            products=f["products"],
            # own is given: the rate of sale reads nothing else (stock_prev, sales_months)
            demand_inputs=DemandInputs(
                stock_prev=empty, sales_months=empty, locations=locations.lazy(), own=f["own"]
            ),
            network=[],
        )
        _EDGE_CACHE.clear()
        _EDGE_CACHE[bid] = (edge, locations, payload["month"], _rules_of(payload["rules"]))
    return _EDGE_CACHE[bid]


# ------------------------------------------------------------------ the executors' functions


TAG_STOCK, TAG_SALES, TAG_HISTORY, TAG_LOCATION = 0, 1, 2, 3


def partition_udf(broadcast: Any) -> Any:
    """The ``applyInArrow`` function of one distributor group: :func:`job.compute_partition`
    over the group's rows (tagged stock_m, sales_w, history and location rows)."""

    def run(key: tuple[pa.Scalar, ...], table: pa.Table) -> pa.Table:
        edge, locations, month, rules = _unpack_edge(broadcast.value)
        group = int(key[0].as_py())
        rows = pl.from_arrow(table)
        assert isinstance(rows, pl.DataFrame)
        tag = pl.col("_t")
        loc = pl.col("location_id").cast(pl.Int32)
        sku = pl.col("sku").cast(pl.Int32)
        part = PartitionInputs(
            locations=locations.lazy().join(
                rows.lazy().filter(tag == TAG_LOCATION).select(loc), on="location_id", how="semi"
            ),
            stock_m=rows.lazy()
            .filter(tag == TAG_STOCK)
            .select(loc, sku, pl.col("qty").cast(pl.Int64).alias("on_hand")),
            sales_w=rows.lazy()
            .filter(tag == TAG_SALES)
            .select(loc, sku, pl.col("qty").cast(pl.Int64).alias("units_sold")),
            history=rows.lazy()
            .filter(tag == TAG_HISTORY)
            .select(loc, "month", pl.col("qty").cast(pl.Int64).alias("active_styles")),
        )
        health, compliance, actions = job.compute_partition(edge, part, month, rules)
        return _blobs(group, {"style_health": health, "compliance": compliance, "actions": actions})

    return run


def own_udf(month: date, lookback_months: int) -> Any:
    """The ``applyInArrow`` function of one distributor group's rate of sale (6.1):
    :func:`demand.own_rate_of_sale` over its counts before M and sales of W."""

    def run(key: tuple[pa.Scalar, ...], table: pa.Table) -> pa.Table:
        rows = pl.from_arrow(table)
        assert isinstance(rows, pl.DataFrame)
        cols = [pl.col("location_id").cast(pl.Int32), pl.col("sku").cast(pl.Int32), pl.col("month")]
        own = own_rate_of_sale(
            rows.lazy()
            .filter(pl.col("_t") == TAG_STOCK)
            .select(*cols, pl.col("qty").cast(pl.Int64).alias("on_hand")),
            rows.lazy()
            .filter(pl.col("_t") == TAG_SALES)
            .select(*cols, pl.col("qty").cast(pl.Int64).alias("units_sold")),
            month=month,
            lookback_months=lookback_months,
        ).collect()
        return _blobs(int(key[0].as_py()), {"own": own})

    return run


# ------------------------------------------------------------------ the run


@dataclass
class SparkRun:
    """Figures of one Spark run (seconds per stage, for the benchmark)."""

    result: job.JobResult
    stages: dict[str, float] = field(default_factory=dict)


def _tagged(spark: SparkSession, name: str, tag: int, qty: str, **params: Any) -> DataFrame:
    """A classify query's rows with the common columns of the executors' input."""
    from pyspark.sql import functions as F

    df = run_query(spark, name, **params)
    cols = df.columns
    return df.select(
        F.lit(tag).cast("int").alias("_t"),
        F.col("location_id").cast("int").alias("location_id"),
        (F.col("sku") if "sku" in cols else F.lit(None)).cast("int").alias("sku"),
        (F.col("month") if "month" in cols else F.lit(None)).cast("date").alias("month"),
        F.col(qty).cast("long").alias("qty"),
    )


def compute_month(
    spark: SparkSession, month: date, rules: Rules, stages: dict[str, float]
) -> dict[str, pl.DataFrame]:
    """Month M's result tables (codes, as :func:`job.compute` returns them), computed on
    Spark from the registered input views; ``stages`` gains the seconds of each stage."""
    from pyspark.sql import functions as F

    t = time.perf_counter()
    lookback = rules.lookback_months
    w_start = months.window_start(month, lookback)
    small = {
        "products": run_query(spark, "classify_products"),
        "locations": run_query(spark, "classify_locations"),
        "net_w": run_query(spark, "classify_net_units", start=w_start, month=month),
        "net_12m": run_query(
            spark, "classify_net_units", start=months.add(month, -11), month=month
        ),
        "codes": run_query(spark, "id_maps"),
        "last_counts": run_query(spark, "classify_last_counts", month=month),
        "carried_stock": run_query(
            spark,
            "classify_carried_stock",
            start=months.add(month, -rules.carry_forward_months),
            month=month,
        ),
        "had_w": run_query(spark, "classify_had_w", start=w_start, end=months.add(month, -1)),
    }
    # small results, collected side by side: each is a Spark job of its own
    with ThreadPoolExecutor(max_workers=4) as pool:
        frames = dict(zip(small, pool.map(_polars, small.values()), strict=True))
    frames["products"] = _like(
        frames["products"],
        {
            "sku": pl.Int32,
            "style": pl.String,
            "colour": pl.String,
            "size": pl.String,
            "category": pl.String,
            "launch_month": pl.Date,
            "price": pl.Float64,
            "is_core_size": pl.Boolean,
        },
    )
    frames["locations"] = _like(
        frames["locations"],
        {
            "location_id": pl.Int32,
            "kind": pl.String,
            "distributor_id": pl.Int32,
            "region": pl.String,
            "rep": pl.String,
            "min_styles": pl.Int32,
            "status": pl.String,
            "location_order": pl.Int64,
        },
    )
    keys: dict[str, PolarsDataType] = {"location_id": pl.Int32, "sku": pl.Int32}
    frames["net_w"] = _like(frames["net_w"], {"sku": pl.Int32, "units_sold": pl.Int64})
    frames["net_12m"] = _like(frames["net_12m"], {"sku": pl.Int32, "units_sold": pl.Int64})
    frames["last_counts"] = _like(
        frames["last_counts"], {"location_id": pl.Int32, "month": pl.Date}
    )
    frames["carried_stock"] = _like(frames["carried_stock"], {**keys, "on_hand": pl.Int64})
    frames["had_w"] = _like(frames["had_w"], {"location_id": pl.Int32, "style": pl.String})
    frames["codes"] = _like(
        frames["codes"], {"kind": pl.String, "key": pl.Int32, "code": pl.String}
    )

    groups = spark.createDataFrame(
        job.partition_groups(frames["locations"]).cast({"_group": pl.Int64}).to_arrow()
    )
    stock_m = run_query(spark, "classify_stock_m", month=month)
    # the driver keeps only what the edge reads of month M's count: the required styles'
    # rows (order plan, 6.6) and one row per counted location (domain.md 9 asks who is counted)
    inp_small = job.MonthInputs(
        products=frames["products"],
        locations=frames["locations"],
        stock_m=pl.DataFrame(schema={**keys, "on_hand": pl.Int64}),
        sales_w=pl.DataFrame(schema={**keys, "units_sold": pl.Int64}),
        net_w=frames["net_w"],
        net_12m=frames["net_12m"],
        history=pl.DataFrame(
            schema={"location_id": pl.Int32, "month": pl.Date, "active_styles": pl.Int64}
        ),
        codes=frames["codes"],
        stock_prev=pl.DataFrame(schema={**keys, "month": pl.Date, "on_hand": pl.Int64}),
        sales_months=pl.DataFrame(schema={**keys, "month": pl.Date, "units_sold": pl.Int64}),
        last_counts=frames["last_counts"],
        carried_stock=frames["carried_stock"],
        had_w=frames["had_w"],
    )
    facts = job.network_facts_of(inp_small, month, rules)
    stages["inputs and network facts (driver)"] = time.perf_counter() - t

    # 6.1: the rate of sale of the SKUs a plan can ask for, per group on the executors
    t = time.perf_counter()
    wanted = job.plan_skus(facts, inp_small.products.lazy()).collect()
    wanted_df = F.broadcast(spark.createDataFrame(wanted.cast({"sku": pl.Int64}).to_arrow()))
    prev = _tagged(
        spark,
        "classify_stock_prev",
        TAG_STOCK,
        "on_hand",
        start=months.add(month, -lookback),
        end=months.add(month, -1),
    ).union(
        _tagged(spark, "classify_sales_months", TAG_SALES, "units_sold", start=w_start, month=month)
    )
    prev = prev.join(wanted_df, on="sku", how="left_semi").join(
        F.broadcast(groups), on="location_id"
    )
    own = _collect_blobs(
        prev.groupBy("_group").applyInArrow(own_udf(month, lookback), BLOB_SCHEMA)
    ).get("own")
    if own is None:
        own = own_rate_of_sale(
            inp_small.stock_prev.lazy(),
            inp_small.sales_months.lazy(),
            month=month,
            lookback_months=lookback,
        ).collect()
    stages["rate of sale (executors)"] = time.perf_counter() - t

    t = time.perf_counter()
    required_skus = (
        inp_small.products.lazy()
        .join(job.listed_styles(facts), on="style", how="semi")
        .select(pl.col("sku").cast(pl.Int64))
        .collect()
    )
    stock_required = stock_m.join(
        F.broadcast(spark.createDataFrame(required_skus.to_arrow())), on="sku", how="left_semi"
    )
    counted = stock_m.groupBy("location_id").agg(
        F.min("sku").alias("sku"), F.lit(0).cast("long").alias("on_hand")
    )
    inp_small.stock_m = _like(
        _polars(stock_required.unionByName(counted)), {**keys, "on_hand": pl.Int64}
    )
    edge = job.network_edge(inp_small, month, rules, facts=facts, own=own)
    network = pl.collect_all(edge.network)
    stages["edge: order plan (driver)"] = time.perf_counter() - t

    # domain.md 4-6 per distributor group on the executors, the edge broadcast
    t = time.perf_counter()
    bc = spark.sparkContext.broadcast(_edge_payload(edge, frames["locations"], month, rules))
    locs = run_query(spark, "classify_locations").select(
        F.lit(TAG_LOCATION).alias("_t"),
        F.col("location_id").cast("int").alias("location_id"),
        F.lit(None).cast("int").alias("sku"),
        F.lit(None).cast("date").alias("month"),
        F.lit(None).cast("long").alias("qty"),
    )
    rows = (
        _tagged(spark, "classify_stock_m", TAG_STOCK, "on_hand", month=month)
        .union(
            _tagged(spark, "classify_sales_w", TAG_SALES, "units_sold", start=w_start, month=month)
        )
        .union(
            _tagged(
                spark,
                "classify_history",
                TAG_HISTORY,
                "active_styles",
                start=months.add(month, -3),
                end=months.add(month, -1),
            )
        )
        .union(locs)
        .join(F.broadcast(groups), on="location_id")
    )
    parts = _collect_blobs(rows.groupBy("_group").applyInArrow(partition_udf(bc), BLOB_SCHEMA))
    bc.unpersist()
    stages["classify, compliance, actions (executors)"] = time.perf_counter() - t

    t = time.perf_counter()
    out = job.finish(
        inp_small,
        edge,
        network,
        parts["style_health"],
        parts["compliance"],
        parts["actions"],
        rules,
    )
    stages["stuck step and codes (driver)"] = time.perf_counter() - t
    return out


def write_results(results: dict[str, pl.DataFrame], folder: Path, month: date) -> Path:
    """Month M's result tables as ``folder/month=YYYY-MM/<table>.parquet``."""
    target = folder / f"month={months.fmt(month)}"
    target.mkdir(parents=True, exist_ok=True)
    for name in job.RESULT_TABLES:
        tmp = target / f".{name}.parquet.tmp-{os.getpid()}"
        results[name].write_parquet(tmp)
        os.replace(tmp, target / f"{name}.parquet")
    return target


def read_results(target: Path) -> dict[str, pl.DataFrame]:
    """The result tables :func:`write_results` wrote."""
    return {name: pl.read_parquet(target / f"{name}.parquet") for name in job.RESULT_TABLES}


def work_dir(settings: Settings) -> Path:
    """Where a run keeps its Parquet inputs (when exported from the store) and results."""
    return settings.data_dir / "spark"


def classify(
    settings: Settings,
    *,
    month: str | list[str] | None = None,
    all_months: bool = False,
    master: str = DEFAULT_MASTER,
    inputs: str | Path | None = None,
    spark: SparkSession | None = None,
) -> list[SparkRun]:
    """Classify on Spark and import the results into the store (one transaction per month).

    Args:
        settings: The store the results go to (and the inputs come from, without ``inputs``).
        month: YYYY-MM, or several (default: the latest counted month of the inputs).
        all_months: Every counted month.
        master: Spark master URL (``local[2]``, ``spark://host:7077``, ``yarn``).
        inputs: A folder (or URL) of the Parquet layout; default: the store exported to
            ``<data>/spark/inputs`` first.
        spark: A running session to use (tests, several stores); default: one is started
            for ``master`` and stopped at the end.
    """
    from assortment import parquet

    check_available()
    rules = settings.rules()
    stages: dict[str, float] = {}
    t0 = time.perf_counter()
    if inputs is None:
        inputs = work_dir(settings) / "inputs"
        with store.reader(settings) as con:
            parquet.export(con, inputs)
        stages["Parquet export"] = time.perf_counter() - t0
    elif "://" not in str(inputs):
        # a layout from someone else's pipeline: the loaders' rules before Spark starts, for
        # the months this run reads (job.months_back before each month asked for)
        folder = Path(inputs)
        parquet.check_layout(
            folder,
            months_read=parquet.months_around(
                folder, month=month, all_months=all_months, history=job.months_back(rules)
            ),
            today=config_today(),
        )
        stages["check inputs"] = time.perf_counter() - t0
    runs: list[SparkRun] = []
    t = time.perf_counter()
    with _session_or(spark, master) as spark:
        stages["session start"] = time.perf_counter() - t
        t = time.perf_counter()
        counted = register_inputs(spark, inputs)
        if not counted:
            raise NoDataError(f"no stock counts in {inputs}: nothing to classify")
        if all_months:
            todo = counted
        elif month is None:
            todo = [counted[-1]]
        else:
            todo = [months.parse(x) for x in ([month] if isinstance(month, str) else month)]
            for m in todo:
                if m not in counted:
                    shown = ", ".join(months.fmt(x) for x in counted[-6:])
                    raise NoDataError(
                        f"no stock counts for {months.fmt(m)} in {inputs};"
                        f" counted months end with: {shown}"
                    )
        stages["register inputs"] = time.perf_counter() - t
        for m in todo:
            started = time.perf_counter()
            own_stages = dict(stages) if not runs else {}
            with month_views(spark, m, rules):
                results = compute_month(spark, m, rules, own_stages)
            t = time.perf_counter()
            target = write_results(results, work_dir(settings) / "results", m)
            own_stages["results to Parquet"] = time.perf_counter() - t
            t = time.perf_counter()
            with store.writer(settings) as con:
                result = job.store_results(con, m, rules, read_results(target), started=started)
            own_stages["import and publish"] = time.perf_counter() - t
            runs.append(SparkRun(result=result, stages=own_stages))
    return runs
