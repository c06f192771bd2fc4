"""The Parquet layout (export-parquet) and the Spark engine's errors; no Spark runs here
(tests/test_spark.py compares the engines under ``make test-spark``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from assortment import parquet, store
from assortment.config import Settings
from assortment.errors import EngineUnavailableError
from assortment.ingest import load_file
from tests.conftest import TODAY, write

STOCK = "month,location_id,sku,on_hand\n"
SALES = "month,location_id,sku,units_sold,amount\n"


def _stocked(loaded: Settings, tmp_path: Path) -> Settings:
    with store.writer(loaded) as con:
        for name, text in (
            ("s09.csv", STOCK + "2026-09,D01,S1-BLK-75B,5\n2026-09,D01-S001,S2-NUD-M,0\n"),
            ("s10.csv", STOCK + "2026-10,D01-S002,S1-BLK-80B,3\n"),
        ):
            load_file(con, loaded, "stock", write(tmp_path / name, text), today=TODAY)
        load_file(
            con,
            loaded,
            "sales",
            write(tmp_path / "x.csv", SALES + "2026-10,D01-S002,S1-BLK-80B,2,398\n"),
            today=TODAY,
        )
    return loaded


def test_export_parquet_writes_the_layout(loaded: Settings, tmp_path: Path) -> None:
    settings = _stocked(loaded, tmp_path)
    out = tmp_path / "lake"
    (out / "stock" / "month=2020-01").mkdir(parents=True)  # a month the store does not have
    with store.reader(settings) as con:
        done = parquet.export(con, out)
    assert done.months == ["2026-09", "2026-10"]
    assert (done.n_stock, done.n_sales) == (3, 1)
    assert sorted(p.name for p in (out / "stock").iterdir()) == ["month=2026-09", "month=2026-10"]
    assert sorted(p.name for p in (out / "sales").iterdir()) == ["month=2026-09", "month=2026-10"]
    # zero rows are kept: a location with any row is counted
    sep = pl.read_parquet(out / "stock" / "month=2026-09" / "part-0.parquet")
    assert sep.sort("location_id").rows() == [("D01", "S1-BLK-75B", 5), ("D01-S001", "S2-NUD-M", 0)]
    assert sep.schema == {"location_id": pl.String, "sku": pl.String, "on_hand": pl.Int64}
    sales = pl.read_parquet(out / "sales" / "month=2026-10" / "part-0.parquet")
    assert sales.rows() == [("D01-S002", "S1-BLK-80B", 2, 398.0)]
    products = pl.read_parquet(out / "products.parquet")
    assert products.columns[:2] == ["sku_key", "sku"]
    assert products["launch_month"].dtype == pl.Date
    assert products.height == 5
    locations = pl.read_parquet(out / "locations.parquet")
    assert locations.filter(pl.col("location_id") == "D01-S001")["distributor_id"].to_list() == [
        "D01"
    ]
    # an empty month of sales is written too, so a reader sees one folder per month
    assert pl.read_parquet(out / "sales" / "month=2026-09" / "part-0.parquet").height == 0


def _cli(settings: Settings, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", "from assortment.cli import main; main()", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**env, "ASSORTMENT_DB": str(settings.db_path)},
        cwd=Path(__file__).resolve().parents[1],
    )


def test_spark_without_pyspark_is_a_clear_error(settings: Settings) -> None:
    code = (
        "import sys; sys.modules['pyspark'] = None;"  # as if the extra were not installed
        "from assortment.cli import main; sys.argv[0] = 'assortment'; main()"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, "classify", "--engine", "spark"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "ASSORTMENT_DB": str(settings.db_path)},
    )
    assert out.returncode == 2, out.stderr
    assert "pip install -e '.[spark]'" in out.stderr
    assert "Traceback" not in out.stderr


@pytest.mark.spark
def test_spark_without_java_is_a_clear_error(settings: Settings, tmp_path: Path) -> None:
    pytest.importorskip("pyspark")  # without it, the message names the extra (test above)
    env = {k: v for k, v in os.environ.items() if k != "JAVA_HOME"}
    env["PATH"] = str(tmp_path)  # no java on it
    out = _cli(settings, "classify", "--engine", "spark", env=env)
    assert out.returncode == 2, out.stderr
    assert "Java 17" in out.stderr
    assert "Traceback" not in out.stderr


def test_check_available_names_the_missing_package(monkeypatch: pytest.MonkeyPatch) -> None:
    from assortment import spark_engine

    monkeypatch.setattr(spark_engine.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(EngineUnavailableError, match=r"pip install -e '\.\[spark\]'") as exc:
        spark_engine.check_available()
    assert exc.value.exit_code == 2


def test_spark_options_need_the_spark_engine(settings: Settings) -> None:
    out = _cli(settings, "classify", "--master", "local[2]", env=dict(os.environ))
    assert out.returncode == 2
    assert "--engine spark" in out.stderr
    out = _cli(settings, "classify", "--engine", "flink", env=dict(os.environ))
    assert out.returncode == 2
    assert "unknown engine 'flink'" in out.stderr
