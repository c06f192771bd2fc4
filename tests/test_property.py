"""The polars job agrees with the plain-Python reference (tests/reference_rules.py)."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assortment.config import KindRules, Rules
from tests.reference_rules import (
    Network,
    bestsellers,
    compliance,
    core_colours,
    core_skus,
    month_number,
    needed_skus,
    new_styles,
    run_job,
    style_health,
)

SIZES = ["70A", "75B", "80B", "85C"]


def _month(n: int) -> date:
    return date(n // 12, n % 12 + 1, 1)


@st.composite
def networks(draw: st.DrawFn) -> Network:
    month = date(2026, draw(st.integers(1, 12)), 1)
    m = month_number(month)
    core_mode = draw(st.sampled_from(["absent", "none", "mixed"]))
    products = []
    for i in range(draw(st.integers(3, 8))):
        style = f"S{i}"
        category = draw(st.sampled_from(["bra", "brief"]))
        launch = _month(m + draw(st.integers(-9, 2)))
        colours = ["BK", "WH"][: draw(st.integers(1, 2))]
        sizes = sorted(draw(st.sets(st.sampled_from(SIZES), min_size=2, max_size=4)))
        style_says = core_mode == "mixed" and draw(st.booleans())
        for colour in colours:
            for size in sizes:
                flag = draw(st.sampled_from([True, True, False, None])) if style_says else None
                products.append(
                    {
                        "sku": f"{style}-{colour}-{size}",
                        "style": style,
                        "colour": colour,
                        "size": size,
                        "category": category,
                        "launch_month": launch,
                        "price": float(draw(st.integers(50, 300))),
                        "is_core_size": flag,
                    }
                )
    skus = [p["sku"] for p in products]

    locations = [
        {
            "location_id": "D1",
            "kind": "distributor",
            "distributor_id": None,
            "region": "north",
            "rep": "wang",
            "min_styles": draw(st.sampled_from([None, None, 2, 5])),
            "status": "active",
        }
    ]
    for j in range(draw(st.integers(1, 3))):
        locations.append(
            {
                "location_id": f"T{j}",
                "kind": "store",
                "distributor_id": "D1",
                "region": "north",
                "rep": "li",
                "min_styles": draw(st.sampled_from([None, None, 1, 3])),
                "status": draw(st.sampled_from(["active", "active", "active", "closed"])),
            }
        )

    stock, sales, history = {}, {}, {}
    for loc in locations:
        lid = loc["location_id"]
        if draw(st.integers(0, 9)) > 0:  # counted
            rows = {}
            for sku in skus:
                kind = draw(st.integers(0, 5))
                if kind == 0:
                    continue  # absent row: 0 on hand
                rows[sku] = 0 if kind == 1 else draw(st.integers(0, 4))
            if not rows:
                rows[skus[0]] = 0
            stock[lid] = rows
        sold = {}
        for sku in skus:
            if draw(st.integers(0, 3)) == 0:
                sold[sku] = draw(st.integers(0, 5))
        sales[lid] = sold
        history[lid] = {
            k: draw(st.integers(0, 6)) for k in (1, 2, 3) if draw(st.integers(0, 4)) > 0
        }
    units_12m = {sku: draw(st.integers(0, 6)) for sku in skus if draw(st.booleans())}
    return Network(
        month=month,
        products=products,
        locations=locations,
        stock=stock,
        sales_w=sales,
        units_12m=units_12m,
        history=history,
        has_core_column=core_mode != "absent",
    )


@st.composite
def rule_sets(draw: st.DrawFn) -> Rules:
    def kind(min_styles: int) -> KindRules:
        return KindRules(
            min_styles=min_styles,
            min_bestseller_coverage=draw(st.sampled_from([0.5, 0.8, 1.0])),
            min_new_coverage=draw(st.sampled_from([0.5, 0.8, 1.0])),
            max_broken_size_share=draw(st.sampled_from([0.25, 0.5])),
            max_slow_stock_share=draw(st.sampled_from([0.25, 0.4])),
            display_min=draw(st.sampled_from([1, 2])),
            replenish_cover_months=draw(st.sampled_from([2.0, 3.0])),
        )

    return Rules(
        lookback_months=3,
        new_months=draw(st.sampled_from([3, 6])),
        bestseller_share=draw(st.sampled_from([0.3, 0.5, 0.8])),
        bestseller_max_styles=draw(st.integers(1, 5)),
        slow_sell_through=draw(st.sampled_from([0.15, 0.25, 0.5])),
        core_size_share=draw(st.sampled_from([0.5, 0.8, 1.0])),
        broken_size_min_core_share=draw(st.sampled_from([0.5, 1.0])),
        core_colour_share=draw(st.sampled_from([0.25, 0.5])),
        distributor=kind(draw(st.integers(1, 6))),
        store=kind(draw(st.integers(1, 4))),
    )


def _close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return a == pytest.approx(b, abs=1e-12)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(net=networks(), rules=rule_sets())
def test_job_matches_reference(net: Network, rules: Rules) -> None:
    got = run_job(net, rules)

    # network facts
    assert got.bestsellers["style"].to_list() == bestsellers(net, rules)
    assert got.bestsellers["rank"].to_list() == list(range(1, got.bestsellers.height + 1))
    assert set(got.new_styles["style"]) == new_styles(net, rules)
    want_core = {k: v for k, v in core_skus(net, rules).items() if v}
    got_core: dict[tuple[str, str], set[str]] = {}
    for row in got.core_skus.iter_rows(named=True):
        got_core.setdefault((row["style"], row["colour"]), set()).add(row["sku"])
    assert got_core == want_core
    want_colours = {(s, c) for s, cs in core_colours(net, rules).items() for c in cs}
    assert set(got.core_colours.iter_rows()) == want_colours

    # style health
    want_health = style_health(net, rules)
    rows = {(r["location_id"], r["style"]): r for r in got.style_health.iter_rows(named=True)}
    assert set(rows) == set(want_health)
    for key, want in want_health.items():
        row = rows[key]
        for name, value in want.items():
            if name == "sell_through":
                assert _close(row[name], value), (key, name, row[name], value)
            else:
                assert row[name] == value, (key, name, row[name], value)

    # compliance
    want_comp = compliance(net, rules)
    comp = {r["location_id"]: r for r in got.compliance.iter_rows(named=True)}
    assert set(comp) == set(want_comp)
    for lid, want in want_comp.items():
        for name, value in want.items():
            if isinstance(value, float):
                assert _close(comp[lid][name], value), (lid, name, comp[lid][name], value)
            else:
                assert comp[lid][name] == value, (lid, name, comp[lid][name], value)

    # actions: every missing SKU gets lines adding up to its need (target - 0 on hand)
    per_unit = got.actions.filter(pl.col("action") != "clearance")
    lines = list(per_unit.select("location_id", "sku", "source_location_id").iter_rows())
    assert len(lines) == len(set(lines))  # one line per (location, SKU, source)
    assert {(loc, sku) for loc, sku, _ in lines} == needed_skus(net, rules)
    totals = per_unit.group_by("location_id", "sku").agg(
        pl.col("units").sum(),
        pl.col("target_units").first(),
        pl.col("target_units").n_unique().alias("n_targets"),
    )
    for loc, sku, units, target, n_targets in totals.iter_rows():
        assert units == target and n_targets == 1, (loc, sku, units, target)
    # ... transfers come from a sibling of the group that keeps at least its display minimum
    locs = {loc["location_id"]: loc for loc in net.locations}
    for row in got.actions.filter(pl.col("action") == "transfer").iter_rows(named=True):
        src, dst = locs[row["source_location_id"]], locs[row["location_id"]]
        assert dst["kind"] == "store" and row["source_kind"] == src["kind"]
        assert (src["distributor_id"] or src["location_id"]) == dst["distributor_id"]
    given_away = (
        got.actions.filter(pl.col("action") == "transfer")
        .group_by("source_location_id", "sku", "style")
        .agg(pl.col("units").sum())
    )
    for src, sku, style, n in given_away.iter_rows():
        held = net.stock[src][sku]
        slow = want_health[(src, style)]["segment"] == "slow_moving"
        keep = 0 if slow else rules.for_kind(locs[src]["kind"]).display_min
        assert n <= held - keep
    # clearance: exactly the slow-moving styles that are not new
    cleared = set(
        got.actions.filter(pl.col("action") == "clearance")
        .select("location_id", "style")
        .iter_rows()
    )
    assert cleared == {
        key for key, h in want_health.items() if h["segment"] == "slow_moving" and not h["is_new"]
    }
