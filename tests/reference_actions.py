"""A deliberately simple second implementation of domain.md 6.1-6.4 and 6.6, in plain Python.

Written from domain.md only (dicts and loops, no polars), on top of tests/reference_rules.py
for sections 4-5 (bestsellers, new styles, core sizes and colours, style health). Keep it
obvious rather than fast: it is what the `actions` and `order-plan` exports are checked
against in tests/test_property_actions.py.

Where domain.md leaves a choice open, the choice made here is written next to the code
(look for "READING:").
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from assortment.config import Rules
from tests.reference_rules import (
    Network,
    bestsellers,
    needed_skus,
    new_styles,
    style_health,
)

TOL = 1e-9

Table = dict[str, dict[str, dict[str, int]]]  # month 'YYYY-MM' -> location -> sku -> quantity


@dataclass
class Data:
    """Everything loaded, as the files say it.

    products: dicts sku, style, colour, size, category, launch_month ('YYYY-MM'), price,
    is_core_size (True / False / None). locations: dicts location_id, kind, distributor_id
    ('' for a distributor), region, status ('active' / 'closed'). stock and sales: every
    month's rows.
    """

    month: str
    products: list[dict]
    locations: list[dict]
    stock: Table = field(default_factory=dict)
    sales: Table = field(default_factory=dict)
    has_core_column: bool = True


def mnum(month: str) -> int:
    return int(month[:4]) * 12 + int(month[5:7]) - 1


def mstr(n: int) -> str:
    return f"{n // 12:04d}-{n % 12 + 1:02d}"


def mdate(month: str) -> date:
    return date(int(month[:4]), int(month[5:7]), 1)


def window(data: Data, rules: Rules) -> list[str]:
    m = mnum(data.month)
    return [mstr(m - i) for i in range(rules.lookback_months - 1, -1, -1)]


def to_network(data: Data, rules: Rules) -> Network:
    """The month-M view that tests/reference_rules.py works on."""
    m = mnum(data.month)
    w = set(window(data, rules))
    sales_w: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    units_12m: dict[str, int] = defaultdict(int)
    for month, per_loc in data.sales.items():
        for loc, per_sku in per_loc.items():
            for sku, n in per_sku.items():
                if month in w:
                    sales_w[loc][sku] += n
                if m - 12 < mnum(month) <= m:
                    units_12m[sku] += n
    return Network(
        month=mdate(data.month),
        products=[{**p, "launch_month": mdate(p["launch_month"])} for p in data.products],
        locations=[
            {
                "location_id": loc["location_id"],
                "kind": loc["kind"],
                "distributor_id": loc["distributor_id"] or None,
                "region": loc["region"],
                "rep": "r",
                "min_styles": None,
                "status": loc["status"],
            }
            for loc in data.locations
        ],
        stock={loc: dict(per) for loc, per in data.stock.get(data.month, {}).items()},
        sales_w={loc: dict(per) for loc, per in sales_w.items()},
        units_12m=dict(units_12m),
        has_core_column=data.has_core_column,
    )


# --- 6.1 rate of sale and demand ----------------------------------------------------------------


def own_rates(data: Data, rules: Rules) -> dict[tuple[str, str], float]:
    """{(location, sku): ros} for the pairs where the SKU was available in some month of W.

    Available in m: on_hand(l,k,m-1) >= 1 or units(l,k,m) >= 1; without a count of l in m-1
    only the second test applies (a SKU absent from a count has on hand 0).
    """
    out = {}
    skus = [p["sku"] for p in data.products]
    for loc in data.locations:
        lid = loc["location_id"]
        for k in skus:
            total, months = 0, 0
            for month in window(data, rules):
                prev = data.stock.get(mstr(mnum(month) - 1), {})
                units = data.sales.get(month, {}).get(lid, {}).get(k, 0)
                available = units >= 1
                if lid in prev and prev[lid].get(k, 0) >= 1:
                    available = True
                if available:
                    total += units
                    months += 1
            if months:
                out[(lid, k)] = total / months
    return out


class Rates:
    """ros(l,k) of 6.1 with its peer fallback, and demand(l,k)."""

    def __init__(self, data: Data, rules: Rules) -> None:
        self.data = data
        self.own = own_rates(data, rules)
        self.loc = {loc["location_id"]: loc for loc in data.locations}
        self.active = [loc for loc in data.locations if loc["status"] != "closed"]

    def ros(self, lid: str, k: str) -> float:
        if (lid, k) in self.own:
            return self.own[(lid, k)]
        me = self.loc[lid]
        # READING: "the same over the whole network" keeps "of the same kind" and drops only
        # "and region" (as tests/test_demand_rules.py's hand-worked example reads it).
        for same_region in (True, False):
            peers = [
                self.own[(p["location_id"], k)]
                for p in self.active
                if p["kind"] == me["kind"]
                and (not same_region or p["region"] == me["region"])
                and (p["location_id"], k) in self.own
            ]
            if peers:
                return sum(peers) / len(peers)
        return 0.0

    def demand(self, lid: str, k: str) -> float:
        me = self.loc[lid]
        d = self.ros(lid, k)
        if me["kind"] == "distributor":
            for p in self.active:
                if p["kind"] == "store" and p["distributor_id"] == lid:
                    d += self.ros(p["location_id"], k)
        return d


# --- 6.2-6.4 actions ----------------------------------------------------------------------------


def _target(demand: float, kind_rules) -> int:
    return max(kind_rules.display_min, math.ceil(demand * kind_rules.replenish_cover_months - TOL))


def actions(data: Data, rules: Rules | None = None) -> dict[tuple, dict]:
    """{(location_id, action, sku or style, source_location_id): figures}.

    transfer / replenish: units, target_units, demand_units_per_month, value_at_stake_cny,
    source_kind. clearance (keyed by style, source ''): units, value_cny, months_of_cover.
    """
    rules = rules or Rules()
    net = to_network(data, rules)
    rates = Rates(data, rules)
    health = style_health(net, rules)
    product = {p["sku"]: p for p in data.products}
    loc = {x["location_id"]: x for x in data.locations}
    stock_m = data.stock.get(data.month, {})

    def on_hand(lid: str, k: str) -> int:
        return stock_m.get(lid, {}).get(k, 0)

    out: dict[tuple, dict] = {}
    needs = sorted(needed_skus(net, rules))  # (location, sku), location code ascending

    # what each source can spare (on_hand - keep: fixed by the count, it ranks the sources)
    # and what is left of it once earlier receivers have taken their units
    spare: dict[tuple[str, str], int] = {}
    left_of: dict[tuple[str, str], int] = {}

    def spare_of(src: str, k: str) -> int:
        if (src, k) not in spare:
            kind_rules = rules.for_kind(loc[src]["kind"])
            h = health.get((src, product[k]["style"]))
            if h is not None and h["segment"] == "slow_moving":
                keep = 0
            else:
                keep = _target(rates.demand(src, k), kind_rules)
            spare[(src, k)] = max(0, on_hand(src, k) - keep)
            left_of[(src, k)] = spare[(src, k)]
        return spare[(src, k)]

    # READING: receivers of one SKU in one group are served in location code order (domain.md
    # does not say; tests/test_demand_rules.py's hand example serves the lower code first).
    for lid, k in needs:
        me = loc[lid]
        kind_rules = rules.for_kind(me["kind"])
        demand = rates.demand(lid, k)
        target = _target(demand, kind_rules)
        need = target - on_hand(lid, k)
        if need <= 0:
            continue
        price = product[k]["price"]
        lines = []  # (action, source, source_kind, units)
        left = need
        if me["kind"] == "store":
            group = [
                x["location_id"]
                for x in data.locations
                if x["status"] != "closed"
                and x["location_id"] != lid
                and (
                    x["location_id"] == me["distributor_id"]
                    or (x["kind"] == "store" and x["distributor_id"] == me["distributor_id"])
                )
            ]
            # READING: "the source with the most to spare" ranks the sources by on_hand - keep
            # as the count gives it (the quantity domain.md defines), not by what earlier
            # receivers of the same SKU left of it; a source is used while anything is left.
            ranked = sorted(
                group, key=lambda s: (-spare_of(s, k), loc[s]["kind"] != "distributor", s)
            )
            for src in ranked:
                if left <= 0:
                    break
                take = min(left, left_of[(src, k)])
                if take <= 0:
                    continue
                left_of[(src, k)] -= take
                left -= take
                lines.append(("transfer", src, loc[src]["kind"], take))  # one line per source
        if left > 0:
            lines.append(("replenish", "", "brand", left))
        for action, src, src_kind, units in lines:
            out[(lid, action, k, src)] = {
                "units": units,
                "target_units": target,
                "demand_units_per_month": demand,
                "value_at_stake_cny": demand * price * units / need,
                "source_kind": src_kind,
            }

    # 6.4 clearance
    price_of = {p["style"]: p["price"] for p in data.products}
    for (lid, s), h in health.items():
        if h["segment"] == "slow_moving" and not h["is_new"]:
            sold = h["units_sold"]
            out[(lid, "clearance", s, "")] = {
                "units": h["on_hand"],
                "value_cny": h["on_hand"] * price_of[s],
                "months_of_cover": (
                    h["on_hand"] / (sold / rules.lookback_months) if sold else None
                ),
            }
    return out


# --- 6.6 order plan -----------------------------------------------------------------------------


def order_plan(
    data: Data, rules: Rules | None = None
) -> tuple[dict[tuple, dict], dict[str, tuple[str, str]]]:
    """({(region, style): demand_units, on_hand_units, units (exact, before the split),
    sizes {size: exact share of units}}, {region: (carried ids, left-out ids)} each
    ';'-joined ascending)."""
    rules = rules or Rules()
    net = to_network(data, rules)
    rates = Rates(data, rules)
    m = mnum(data.month)
    plan_styles = set(bestsellers(net, rules)) | new_styles(net, rules)
    curve = size_shares(net, rules)

    regions = sorted({x["region"] for x in data.locations if x["status"] != "closed"})
    lines: dict[tuple, dict] = {}
    named: dict[str, tuple[str, str]] = {}
    for region in regions:
        used: dict[str, dict[str, int]] = {}  # location -> its count used
        carried, left_out = [], []
        for x in data.locations:
            if x["status"] == "closed" or x["region"] != region:
                continue
            lid = x["location_id"]
            latest = [mo for mo, per in data.stock.items() if lid in per and mnum(mo) <= m]
            latest_month = max(latest, key=mnum) if latest else None
            if latest_month == data.month:
                used[lid] = data.stock[data.month][lid]
            elif latest_month is not None and m - mnum(latest_month) <= rules.carry_forward_months:
                used[lid] = data.stock[latest_month][lid]
                carried.append(lid)
            else:
                left_out.append(lid)
        named[region] = (";".join(sorted(carried)), ";".join(sorted(left_out)))
        for s in sorted(plan_styles):
            skus = [p for p in data.products if p["style"] == s]
            category = skus[0]["category"]
            # the region's monthly demand x cover_months minus the region's on hand
            demand = rules.cover_months * sum(
                rates.ros(lid, p["sku"]) for lid in used for p in skus
            )
            held = sum(used[lid].get(p["sku"], 0) for lid in used for p in skus)
            total = max(0.0, demand - held)
            # READING: split over the style's own sizes in proportion to the category size
            # curve (network units over the 12 months ending M), renormalised over those
            # sizes; equal shares when none of them sold. domain.md does not say how the
            # split is rounded: the test allows any whole numbers within 1 of the exact share.
            sizes = sorted({p["size"] for p in skus})
            weights = {z: curve[category].get(z, 0.0) for z in sizes}
            wsum = sum(weights.values())
            shares = {z: (weights[z] / wsum if wsum else 1 / len(sizes)) for z in sizes}
            lines[(region, s)] = {
                "demand_units": demand,
                "on_hand_units": held,
                "units": total,
                "sizes": {z: shares[z] * total for z in sizes},
            }
    return lines, named


def size_shares(net: Network, rules: Rules) -> dict[str, dict[str, float]]:
    """{category: {size: share of the category's network units over 12 months}}."""
    units: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for p in net.products:
        units[p["category"]][p["size"]] += net.units_12m.get(p["sku"], 0)
    out = {}
    for cat, per in units.items():
        total = sum(per.values())
        out[cat] = {z: (n / total if total else 1 / len(per)) for z, n in per.items()}
    return out


__all__ = ["Data", "Rates", "actions", "order_plan"]
