"""Shared fixtures: a fresh store in a temp folder with a tiny catalogue and network."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import duckdb
import pytest

from assortment import store
from assortment.config import Settings
from assortment.ingest import load_file

TODAY = date(2026, 11, 22)

PRODUCTS_CSV = """sku,style,colour,size,category,launch_month,price,is_core_size
S1-BLK-75B,S1,BLK,75B,bra,2026-03,199,true
S1-BLK-80B,S1,BLK,80B,bra,2026-03,199,true
S1-NUD-75B,S1,NUD,75B,bra,2026-03,199,false
S2-NUD-M,S2,NUD,M,brief,2025-09,59,
S2-NUD-L,S2,NUD,L,brief,2025-09,59,
"""

LOCATIONS_CSV = """location_id,name,kind,distributor_id,region,province,city,rep
D01,北方代理,distributor,,North,河北,石家庄,张伟
D01-S001,石家庄一店,store,D01,North,河北,石家庄,张伟
D01-S002,石家庄二店,store,D01,North,河北,石家庄,张伟
"""


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` in ``encoding``."""
    path.write_bytes(text.encode(encoding))
    return path


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings pointing at an empty database folder."""
    s = Settings(db_path=tmp_path / "data" / "assortment.duckdb")
    store.init(s)
    return s


@pytest.fixture
def loaded(settings: Settings, tmp_path: Path) -> Settings:
    """A store holding the tiny products and locations."""
    with store.writer(settings) as con:
        load_file(
            con, settings, "products", write(tmp_path / "products.csv", PRODUCTS_CSV), today=TODAY
        )
        load_file(
            con,
            settings,
            "locations",
            write(tmp_path / "locations.csv", LOCATIONS_CSV),
            today=TODAY,
        )
    return settings


@pytest.fixture
def con(loaded: Settings) -> Iterator[duckdb.DuckDBPyConnection]:
    """A writer connection on the loaded store."""
    with store.writer(loaded) as c:
        yield c


def table_rows(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple]:
    """All rows of a table, sorted, for before/after comparisons."""
    return sorted(con.execute(f"select * from {table}").fetchall(), key=repr)
