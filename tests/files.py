"""A network written as the files distributors send, loaded through the product's own loaders
and classified: what the end-to-end rule tests share (tests/test_demand_rules.py and the
three ``test_property_*`` files that compare the exports with a plain-Python reference)."""

from __future__ import annotations

import csv
from pathlib import Path

from assortment import store
from assortment.config import Settings
from assortment.export import export
from assortment.ingest import load_file
from assortment.job import classify
from tests.conftest import TODAY, write

Table = dict[str, dict[str, dict[str, int]]]  # month -> location -> sku -> quantity


def build(
    tmp: Path,
    products: str,
    locations: str,
    stock: Table,
    sales: Table,
    *,
    months: tuple[str, ...] = ("2026-10",),
    rules_path: Path | None = None,
) -> Settings:
    """A store in ``tmp`` holding the products and locations files (CSV text) and one stock
    and one sales file per month of ``stock`` and ``sales`` (in month order; a month without
    rows sends no file), with ``months`` classified under the rules in ``rules_path``
    (default: the shipped rules). Drops in a count are accepted (``--accept-drop``)."""
    settings = Settings(db_path=tmp / "data" / "assortment.duckdb", rules_path=rules_path)
    store.init(settings)
    with store.writer(settings) as con:
        load_file(con, settings, "products", write(tmp / "p.csv", products), today=TODAY)
        load_file(con, settings, "locations", write(tmp / "l.csv", locations), today=TODAY)
        for kind, table, value in (("stock", stock, "on_hand"), ("sales", sales, "units_sold")):
            for month in sorted(table):
                rows = [
                    f"{month},{loc},{sku},{n}"
                    for loc, per_sku in table[month].items()
                    for sku, n in per_sku.items()
                ]
                if not rows:
                    continue
                text = "\n".join([f"month,location_id,sku,{value}", *rows]) + "\n"
                path = write(tmp / f"{kind}-{month}.csv", text)
                load_file(con, settings, kind, path, today=TODAY, accept_drop=True)
    for month in months:
        classify(settings, month=month)
    return settings


def exported(settings: Settings, kind: str, month: str, tmp: Path) -> list[dict[str, str]]:
    """The ``kind`` export of ``month`` as CSV rows (the strings a user's file holds)."""
    out = tmp / f"out-{kind}-{month}.csv"
    with store.reader(settings) as con:
        export(con, kind, month, out)
    with out.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))
