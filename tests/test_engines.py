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
from assortment.errors import EngineUnavailableError, UsageError, ValidationError
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


# --- a layout written by someone else's pipeline is checked like a loaded file ---------------


def _layout(loaded: Settings, tmp_path: Path) -> Path:
    settings = _stocked(loaded, tmp_path)
    out = tmp_path / "lake"
    with store.reader(settings) as con:
        parquet.export(con, out)
    return out


def _rewrite(path: Path, change) -> None:
    change(pl.read_parquet(path)).write_parquet(path)


def _check(out: Path, months_read: set[str] | None = None) -> None:
    parquet.check_layout(out, months_read=months_read, today=TODAY)


def test_a_layout_exported_from_the_store_passes_the_check(loaded, tmp_path) -> None:
    _check(_layout(loaded, tmp_path))  # empty sales months included


def test_a_negative_count_is_named_by_file_row_column_and_value(loaded, tmp_path) -> None:
    out = _layout(loaded, tmp_path)
    part = out / "stock" / "month=2026-09" / "part-0.parquet"
    _rewrite(part, lambda f: f.sort("location_id").with_columns(on_hand=pl.Series([5, -3])))
    with pytest.raises(ValidationError) as info:
        _check(out)
    text = str(info.value)
    assert "stock/month=2026-09/part-0.parquet: rejected" in text
    assert "row 2, column 'on_hand', value '-3'" in text


def test_an_unknown_sku_in_sales_and_a_missing_product_column_are_named(loaded, tmp_path) -> None:
    out = _layout(loaded, tmp_path)
    part = out / "sales" / "month=2026-10" / "part-0.parquet"
    _rewrite(part, lambda f: f.with_columns(sku=pl.lit("NO-SUCH-SKU")))
    with pytest.raises(ValidationError) as info:
        _check(out)
    assert "sales/month=2026-10/part-0.parquet" in str(info.value)
    assert "'NO-SUCH-SKU'" in str(info.value)
    _rewrite(out / "products.parquet", lambda f: f.drop("price"))
    with pytest.raises(ValidationError) as info:
        _check(out)
    assert "products.parquet" in str(info.value) and "price" in str(info.value)


def test_a_bad_month_folder_and_only_the_months_read_are_checked(loaded, tmp_path) -> None:
    out = _layout(loaded, tmp_path)
    bad = out / "stock" / "month=2026-13"
    bad.mkdir()
    (out / "stock" / "month=2026-09" / "part-0.parquet").rename(bad / "part-0.parquet")
    with pytest.raises(ValidationError) as info:
        _check(out)
    assert "stock/month=2026-13/part-0.parquet" in str(info.value)
    assert "'2026-13'" in str(info.value)
    wanted = parquet.months_around(out, month=None, all_months=False, history=2)
    assert wanted == {"2026-10", "2026-09", "2026-08"}  # the latest counted month, 2 before
    assert parquet.months_around(out, month="2026-09", all_months=True, history=2) is None
    # a bad row in a month the run does not read is not looked at
    (bad / "part-0.parquet").rename(out / "stock" / "month=2026-09" / "part-0.parquet")
    bad.rmdir()
    part = out / "stock" / "month=2026-09" / "part-0.parquet"
    _rewrite(part, lambda f: f.with_columns(on_hand=pl.lit(-1, dtype=pl.Int64)))
    _check(out, months_read={"2026-10"})
    with pytest.raises(ValidationError):
        _check(out, months_read={"2026-10", "2026-09"})


def test_a_pair_given_in_two_part_files_of_a_month_is_refused(loaded, tmp_path) -> None:
    # each part file is valid alone; together they would count one location's SKU twice
    out = _layout(loaded, tmp_path)
    month = out / "stock" / "month=2026-09"
    first = month / "part-0.parquet"
    rows = pl.read_parquet(first)
    assert rows.height == 2
    rows.slice(0, 1).write_parquet(first)
    rows.slice(1, 1).write_parquet(month / "part-1.parquet")
    _check(out)  # the month split over two files, each pair once: fine
    rows.write_parquet(first)
    with pytest.raises(ValidationError) as info:
        _check(out)
    text = str(info.value)
    again = rows.row(1, named=True)
    assert "stock/month=2026-09/part-1.parquet: rejected" in text
    assert f"row 1, column 'sku', value '{again['sku']}'" in text
    assert f"location {again['location_id']}" in text
    assert "row 2 of stock/month=2026-09/part-0.parquet" in text


def test_a_file_that_is_not_parquet_is_a_usage_error(loaded, tmp_path) -> None:
    out = _layout(loaded, tmp_path)
    (out / "locations.parquet").write_text("location_id,kind\n")
    with pytest.raises(UsageError, match="not a readable input folder"):
        _check(out)


def test_parquet_cells_are_cleaned_as_a_loaded_files_are(loaded, tmp_path) -> None:
    # surrounding spaces are stripped (the codes still match), an empty code is a missing one
    out = _layout(loaded, tmp_path)
    part = out / "stock" / "month=2026-09" / "part-0.parquet"
    _rewrite(part, lambda f: f.with_columns(pl.col("sku") + " "))
    _check(out)
    _rewrite(part, lambda f: f.with_columns(sku=pl.lit("")))
    with pytest.raises(ValidationError) as info:
        _check(out)
    assert "column 'sku', value ''" in str(info.value)
    assert "unknown" not in str(info.value)
