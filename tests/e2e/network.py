"""The network the dashboard's tests and benchmark look at: generated, loaded, classified for real.

``assortment.sample`` generates a brand network (its planted troubles give every status); it
goes in through the project's loaders (``sample.load_network``) and the real job classifies
every month, so the pages show results the job produces, not a simplified copy of the rules.
Tests take their expectations from what the job stored (``Network.status``) and from what the
generator planted (``Network.planted``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import polars as pl

from assortment import job, sample, store
from assortment.config import Settings

#: "Today" for uploads in the tests: after the network's last month (2026-10).
TODAY = date(2026, 11, 22)
#: Small enough to build in a few seconds, big enough for every status: D01 and D02 upload
#: every month (D01: 8 active stores, a closed one), D03's group did not count the last month.
SIZES = {"seed": 3, "distributors": 3, "stores": 20, "styles": 60, "months": 4}


@dataclass
class Network:
    """What was built: codes a test can refer to, and the job's verdict on the last month."""

    settings: Settings
    months: list[str]
    distributors: list[str]
    stores: dict[str, list[str]]  # distributor -> its active stores
    reps: dict[str, str]  # distributor -> the rep of its warehouse
    styles: list[str]
    skus: pl.DataFrame = field(repr=False)
    locations: pl.DataFrame = field(repr=False)  # active locations
    status: dict[str, str] = field(repr=False)  # location_id -> status in the last month
    reasons: dict[str, list[str]] = field(repr=False)  # location_id -> reason codes, last month
    planted: dict[str, list[str]] = field(repr=False)
    generated: sample.Network = field(repr=False)

    @property
    def latest(self) -> str:
        """The last month built."""
        return self.months[-1]

    def with_status(self, status: str) -> list[str]:
        """Locations with ``status`` in the last month, ascending."""
        return sorted(loc for loc, s in self.status.items() if s == status)

    def with_reason(self, reason: str, status: str = "fail") -> list[str]:
        """Locations with ``status`` in the last month whose reasons include ``reason``."""
        return [loc for loc in self.with_status(status) if reason in self.reasons[loc]]

    def of_rep(self, rep: str) -> set[str]:
        """Active locations whose rep is ``rep``."""
        return set(self.locations.filter(pl.col("rep") == rep)["location_id"])

    def in_stock(self, location_id: str, month: str | None = None) -> pl.DataFrame:
        """SKUs in stock at a location in a month (default: the last): sku, style, on_hand."""
        stock = self.generated.stock(month or self.latest)
        return (
            stock.filter((pl.col("location_id") == location_id) & (pl.col("on_hand") > 0))
            .join(self.skus.select("sku", "style"), on="sku")
            .select("sku", "style", "on_hand")
            .sort("sku")
        )


def build(settings: Settings, **sizes: int | str) -> Network:
    """Generate a network into ``settings``, load it and classify every month.

    Args:
        settings: Where to build (initialised here).
        sizes: ``sample.generate`` options overriding ``SIZES``.
    """
    generated = sample.generate(**{**SIZES, **sizes})  # type: ignore[arg-type]
    sample.load_network(generated, settings, folder=settings.data_dir / "generated")
    job.classify(settings, all_months=True)
    with store.reader(settings) as con:
        verdict = con.execute(
            "select location_id, status, reasons from compliance where month = ?",
            [date.fromisoformat(generated.months[-1] + "-01")],
        ).fetchall()
    locations = generated.locations.filter(pl.col("status") == "active")
    dist = locations.filter(pl.col("kind") == "distributor")
    distributors = dist["location_id"].to_list()
    stores = {
        d: locations.filter(pl.col("distributor_id") == d)["location_id"].sort().to_list()
        for d in distributors
    }
    return Network(
        settings=settings,
        months=generated.months,
        distributors=distributors,
        stores=stores,
        reps=dict(zip(distributors, dist["rep"], strict=True)),
        styles=generated.products["style"].unique(maintain_order=True).to_list(),
        skus=generated.products,
        locations=locations,
        status={loc: status for loc, status, _ in verdict},
        reasons={loc: list(reasons) for loc, _, reasons in verdict},
        planted=generated.planted,
        generated=generated,
    )
