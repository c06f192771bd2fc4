"""The Spark engine against the local one: every export of both engines is the same file.

Run by ``make test-spark`` (marker ``spark``; ``make test`` leaves them out). One Spark
session in ``local[2]`` for the module; the networks are small (a shared 2-core machine).
Each network is loaded once, copied, and classified by each engine in its own copy; then
every export the CLI has is written from both stores for the months classified and compared
byte for byte.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from assortment import export, job, months, parquet, sample, store
from assortment.config import Settings
from assortment.ingest import load_file

pytestmark = pytest.mark.spark

# the Spark engine module imports pyspark only when a session starts; ``make test`` deselects
# this module by its marker, so a missing pyspark is the session fixture's skip, not a module skip
from assortment import spark_engine  # noqa: E402

TODAY = date(2026, 11, 22)
SAMPLE_DATA = Path(__file__).resolve().parents[1] / "sample_data"
#: small random networks of the sample generator: other seeds and sizes than the demo
RANDOM_NETWORKS = {
    "seed101": {"seed": 101, "distributors": 2, "stores": 9, "styles": 30, "months": 4},
    "seed202": {"seed": 202, "distributors": 3, "stores": 14, "styles": 45, "months": 5},
}


@pytest.fixture(scope="module")
def spark() -> Iterator[object]:
    pytest.importorskip("pyspark")
    with spark_engine.session("local[2]") as session:
        yield session


def _load_sample_data(settings: Settings) -> list[str]:
    store.init(settings)
    with store.writer(settings) as con:
        load_file(con, settings, "products", SAMPLE_DATA / "products.csv", today=TODAY)
        load_file(con, settings, "locations", SAMPLE_DATA / "locations.csv", today=TODAY)
        for kind in ("stock", "sales"):
            for path in sorted((SAMPLE_DATA / kind).iterdir()):
                load_file(con, settings, kind, path, today=TODAY)
        return [months.fmt(m) for m in job.counted_months(con)]


def _load_random(settings: Settings, sizes: dict[str, int], folder: Path) -> list[str]:
    net = sample.generate(**sizes)  # type: ignore[arg-type]
    sample.load_network(net, settings, folder=folder)
    return net.months


def _copy(settings: Settings, to: Path) -> Settings:
    shutil.copytree(settings.data_dir, to)
    return Settings(db_path=to / settings.db_path.name)


def _exports(settings: Settings, wanted: list[str], out: Path) -> dict[str, bytes]:
    """Every export kind of every wanted month, as the CSV bytes the CLI would write."""
    files = {}
    with store.reader(settings) as con:
        for month in wanted:
            for kind in export.EXPORTS:
                path = out / f"{kind}_{month}.csv"
                export.export(con, kind, month, path)
                files[path.name] = path.read_bytes()
    return files


def _compare(tmp_path: Path, base: Settings, wanted: list[str], spark: object) -> None:
    local = _copy(base, tmp_path / "local")
    on_spark = _copy(base, tmp_path / "spark")
    for month in wanted:
        job.classify(local, month=month)
    runs = spark_engine.classify(on_spark, month=wanted, spark=spark)
    assert [months.fmt(r.result.month) for r in runs] == wanted
    a = _exports(local, wanted, tmp_path / "out_local")
    b = _exports(on_spark, wanted, tmp_path / "out_spark")
    assert sorted(a) == sorted(b)
    assert len(a) == len(export.EXPORTS) * len(wanted)
    differ = [name for name in a if a[name] != b[name]]
    assert not differ, f"exports differ between the engines: {differ}"
    # the exports are not empty, so the comparison says something
    assert sum(len(v.splitlines()) - 1 for v in b.values()) > 50
    # the Spark run is recorded as current: readers do not classify again
    rules = on_spark.rules()
    with store.reader(on_spark) as con:
        for month in wanted:
            assert job.is_current(con, months.parse(month), rules)
            # the store holds what the results' Parquet files say
            folder = spark_engine.work_dir(on_spark) / "results" / f"month={month}"
            written = spark_engine.read_results(folder)["compliance"]
            stored = con.execute(
                "select location_id, status from compliance where month = ? order by 1",
                [months.parse(month)],
            ).fetchall()
            assert written.select("location_id", "status").sort("location_id").rows() == stored
            assert len(stored) > 0


def test_sample_network_exports_are_identical(tmp_path: Path, spark: object) -> None:
    base = Settings(db_path=tmp_path / "base" / "assortment.duckdb")
    counted = _load_sample_data(base)
    # two months: the first one's follow-through is judged by the second one's count
    _compare(tmp_path, base, counted[-2:], spark)


@pytest.mark.parametrize("name", sorted(RANDOM_NETWORKS))
def test_random_network_exports_are_identical(tmp_path: Path, spark: object, name: str) -> None:
    base = Settings(db_path=tmp_path / "base" / "assortment.duckdb")
    counted = _load_random(base, RANDOM_NETWORKS[name], tmp_path / "generated")
    _compare(tmp_path, base, counted[-2:], spark)


def test_customer_layout_without_keys(tmp_path: Path, spark: object) -> None:
    """A pipeline's own layout without the store's integer keys: the engine numbers the codes
    itself, and the statuses are the same as the local engine's."""
    base = Settings(db_path=tmp_path / "base" / "assortment.duckdb")
    counted = _load_random(base, RANDOM_NETWORKS["seed101"], tmp_path / "generated")
    month = counted[-1]
    lake = tmp_path / "lake"
    with store.reader(base) as con:
        parquet.export(con, lake)
    for name, key in (("products", "sku_key"), ("locations", "location_key")):
        path = lake / f"{name}.parquet"
        pl.read_parquet(path).drop(key).write_parquet(path)
    local = _copy(base, tmp_path / "local")
    job.classify(local, month=month)
    spark_engine.classify(base, month=month, spark=spark, inputs=lake)
    query = "select location_id, status, reasons from compliance where month = ? order by 1"
    with store.reader(local) as a, store.reader(base) as b:
        m = [months.parse(month)]
        assert a.execute(query, m).fetchall() == b.execute(query, m).fetchall()
