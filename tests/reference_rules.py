"""A deliberately simple second implementation of domain.md 4-6, in plain Python, for the tests.

The reference works on a :class:`Network`: plain dicts and lists, written straight from
domain.md with loops and no polars. Keep it obvious rather than fast: it is what the
polars job is checked against.

At the bottom, :func:`polars_inputs` and :func:`run_job` turn the same description into the
frames of the job's contract and run the polars implementation, so tests can compare both.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

import polars as pl

from assortment.config import Rules

TOL = 1e-9


@dataclass
class Network:
    """A network in month M, as plain Python data.

    Attributes:
        month: Month M (1st of the month).
        products: One dict per SKU: sku, style, colour, size, category, launch_month (date),
            price, is_core_size (True / False / None).
        locations: One dict per location: location_id, kind, distributor_id, region, rep,
            min_styles (int or None), status ('active' / 'closed').
        stock: The month-M count rows, per location: {location_id: {sku: on_hand}}. A
            location is counted when it has at least one row (rows of 0 count).
        sales_w: Units sold over W, per location and SKU (closed locations included).
        units_12m: Network units per SKU over the 12 months ending M.
        history: {location_id: {k: active_styles in month M-k}} for k in 1..3, only for
            months where the location was counted.
        has_core_column: False when the products file has no is_core_size column.
        stock_prev: Counts of months before M, {month: {location_id: {sku: on_hand}}} (the
            rate of sale of 6.1 reads M-L .. M-1).
        sales_by_month: Sales per month of W, {month: {location_id: {sku: units}}}; by
            default every unit of ``sales_w`` was sold in M.
    """

    month: date
    products: list[dict]
    locations: list[dict]
    stock: dict[str, dict[str, int]] = field(default_factory=dict)
    sales_w: dict[str, dict[str, int]] = field(default_factory=dict)
    units_12m: dict[str, int] = field(default_factory=dict)
    history: dict[str, dict[int, int]] = field(default_factory=dict)
    has_core_column: bool = True
    stock_prev: dict[date, dict[str, dict[str, int]]] = field(default_factory=dict)
    sales_by_month: dict[date, dict[str, dict[str, int]]] | None = None


def month_number(d: date) -> int:
    return d.year * 12 + d.month - 1


# --- network facts -------------------------------------------------------------------------


def styles_of(net: Network) -> dict[str, list[dict]]:
    """{style: [its SKUs' product dicts]}."""
    out: dict[str, list[dict]] = defaultdict(list)
    for p in net.products:
        out[p["style"]].append(p)
    return dict(out)


def sku_units_w(net: Network) -> dict[str, int]:
    """Network units over W per SKU, all locations (closed ones too)."""
    units: dict[str, int] = defaultdict(int)
    for per_sku in net.sales_w.values():
        for sku, n in per_sku.items():
            units[sku] += n
    return units


def net_units(net: Network) -> dict[str, int]:
    units = sku_units_w(net)
    return {s: sum(units.get(p["sku"], 0) for p in ps) for s, ps in styles_of(net).items()}


def bestsellers(net: Network, rules: Rules) -> list[str]:
    """4.2: the styles in rank order."""
    units = net_units(net)
    total = sum(units.values())
    ranked = sorted((s for s in units if units[s] > 0), key=lambda s: (-units[s], s))
    chosen: list[str] = []
    cumulative = 0
    for s in ranked:
        if cumulative / total >= rules.bestseller_share - TOL:
            break
        chosen.append(s)
        cumulative += units[s]
    return chosen[: rules.bestseller_max_styles]


def new_styles(net: Network, rules: Rules) -> set[str]:
    """4.3."""
    m = month_number(net.month)
    out = set()
    for s, ps in styles_of(net).items():
        launch = month_number(ps[0]["launch_month"])
        if m - rules.new_months < launch <= m:
            out.add(s)
    return out


def curve_core_sizes(net: Network, rules: Rules) -> dict[str, set[str]]:
    """4.5: {category: core sizes} from the 12-month size curve."""
    out = {}
    categories = {p["category"] for p in net.products}
    for cat in categories:
        sizes = {p["size"] for p in net.products if p["category"] == cat}
        units = {
            size: sum(
                net.units_12m.get(p["sku"], 0)
                for p in net.products
                if p["category"] == cat and p["size"] == size
            )
            for size in sizes
        }
        total = sum(units.values())
        if total == 0:
            out[cat] = set(sizes)
            continue
        core = set()
        cumulative = 0
        for size in sorted(sizes, key=lambda z: (-units[z], z)):
            if cumulative / total >= rules.core_size_share - TOL:
                break
            core.add(size)
            cumulative += units[size]
        out[cat] = core
    return out


def core_skus(net: Network, rules: Rules) -> dict[tuple[str, str], set[str]]:
    """4.5: {(style, colour): its core SKUs} (colours without core sizes map to an empty set)."""
    curve = curve_core_sizes(net, rules)
    out: dict[tuple[str, str], set[str]] = {}
    for s, ps in styles_of(net).items():
        says = net.has_core_column and any(p["is_core_size"] is not None for p in ps)
        for p in ps:
            key = (s, p["colour"])
            out.setdefault(key, set())
            core = p["is_core_size"] is True if says else p["size"] in curve[p["category"]]
            if core:
                out[key].add(p["sku"])
    return out


def core_colours(net: Network, rules: Rules) -> dict[str, set[str]]:
    """4.6: {style: core colours}."""
    units = sku_units_w(net)
    out = {}
    for s, ps in styles_of(net).items():
        total = sum(units.get(p["sku"], 0) for p in ps)
        per_colour: dict[str, int] = defaultdict(int)
        for p in ps:
            per_colour[p["colour"]] += units.get(p["sku"], 0)
        out[s] = (
            {c for c, n in per_colour.items() if n / total >= rules.core_colour_share - TOL}
            if total > 0
            else set()
        )
    return out


# --- per location and style ------------------------------------------------------------------


def counted_locations(net: Network) -> list[str]:
    return [
        loc["location_id"]
        for loc in net.locations
        if loc["status"] != "closed" and len(net.stock.get(loc["location_id"], {})) > 0
    ]


def style_health(net: Network, rules: Rules) -> dict[tuple[str, str], dict]:
    """4.1 and 4.4-4.6: {(location_id, style): figures and flags}."""
    best = bestsellers(net, rules)
    new = new_styles(net, rules)
    cores = core_skus(net, rules)
    colours_core = core_colours(net, rules)
    by_style = styles_of(net)
    out = {}
    for loc in counted_locations(net):
        stock = net.stock[loc]
        sales = net.sales_w.get(loc, {})
        for s, ps in by_style.items():
            on_hand = sum(stock.get(p["sku"], 0) for p in ps)
            units = sum(sales.get(p["sku"], 0) for p in ps)
            if not (on_hand >= 1 or units >= 1 or s in best or s in new):
                continue
            sell_through = units / (units + on_hand) if units + on_hand > 0 else None
            if s in best:
                segment = "bestseller"
            elif s in new:
                segment = "new"
            elif on_hand >= 1 and sell_through < rules.slow_sell_through - TOL:
                segment = "slow_moving"
            else:
                segment = "steady"
            colour_on_hand: dict[str, int] = defaultdict(int)
            for p in ps:
                colour_on_hand[p["colour"]] += stock.get(p["sku"], 0)
            missing = []
            for colour in sorted(colour_on_hand):
                core = cores[(s, colour)]
                if colour_on_hand[colour] < 1 or not core:
                    continue
                in_stock = [k for k in core if stock.get(k, 0) >= 1]
                if len(in_stock) / len(core) < rules.broken_size_min_core_share - TOL:
                    missing += sorted(
                        (p for p in ps if p["sku"] in core and stock.get(p["sku"], 0) < 1),
                        key=lambda p: (p["colour"], p["size"]),
                    )
            broken_colour = on_hand >= 1 and any(
                colour_on_hand.get(c, 0) == 0 for c in colours_core[s]
            )
            out[(loc, s)] = {
                "segment": segment,
                "is_bestseller": s in best,
                "is_new": s in new,
                "on_hand": on_hand,
                "units_sold": units,
                "sell_through": sell_through,
                "broken_size": bool(missing),
                "broken_colour": broken_colour,
                "missing_core_skus": [p["sku"] for p in missing],
            }
    return out


# --- compliance ------------------------------------------------------------------------------


def compliance(net: Network, rules: Rules) -> dict[str, dict]:
    """Section 5: {location_id: status, figures and reasons} for every location not closed."""
    health = style_health(net, rules)
    best = bestsellers(net, rules)
    new = new_styles(net, rules)
    counted = set(counted_locations(net))
    out = {}
    for loc in net.locations:
        lid = loc["location_id"]
        if loc["status"] == "closed":
            continue
        kind_rules = rules.for_kind(loc["kind"])
        min_styles = loc["min_styles"] if loc["min_styles"] is not None else kind_rules.min_styles
        if lid not in counted:
            out[lid] = {
                "status": "no_count",
                "active_styles": None,
                "min_styles": min_styles,
                "bestseller_coverage": None,
                "new_coverage": None,
                "broken_size_share": None,
                "slow_stock_share": None,
                "shrinking": False,
                "reasons": [],
            }
            continue
        pairs = {s: h for (where, s), h in health.items() if where == lid}
        in_stock = {s for s, h in pairs.items() if h["on_hand"] >= 1}
        active = len(in_stock)
        best_cov = len(in_stock & set(best)) / len(best) if best else 1.0
        new_cov = len(in_stock & new) / len(new) if new else 1.0
        broken = sum(1 for h in pairs.values() if h["broken_size"])
        broken_share = broken / active if active else 0.0
        total_on_hand = sum(h["on_hand"] for h in pairs.values())
        slow_on_hand = sum(h["on_hand"] for h in pairs.values() if h["segment"] == "slow_moving")
        slow_share = slow_on_hand / total_on_hand if total_on_hand else 0.0
        past = net.history.get(lid, {})
        shrinking = all(k in past for k in (1, 2, 3)) and past[3] > past[2] > past[1] > active
        checks = [
            ("below_min_styles", active < min_styles),
            ("bestsellers_missing", best_cov < kind_rules.min_bestseller_coverage - TOL),
            ("new_styles_missing", new_cov < kind_rules.min_new_coverage - TOL),
            ("many_broken_sizes", broken_share > kind_rules.max_broken_size_share + TOL),
            ("slow_stock_heavy", slow_share > kind_rules.max_slow_stock_share + TOL),
            ("assortment_shrinking", shrinking),
        ]
        reasons = [name for name, tripped in checks if tripped]
        if set(reasons) & {"below_min_styles", "bestsellers_missing", "new_styles_missing"}:
            status = "fail"
        elif reasons:
            status = "warn"
        else:
            status = "pass"
        out[lid] = {
            "status": status,
            "active_styles": active,
            "min_styles": min_styles,
            "bestseller_coverage": best_cov,
            "new_coverage": new_cov,
            "broken_size_share": broken_share,
            "slow_stock_share": slow_share,
            "shrinking": shrinking,
            "reasons": reasons,
        }
    return out


# --- actions (only what needs no choice: the set of missing SKUs) ------------------------------


def needed_skus(net: Network, rules: Rules) -> set[tuple[str, str]]:
    """{(location_id, sku)} a location lacks: core SKUs of absent required styles (bestsellers
    and new styles, not launched after M; of its core
    colours, or of all colours when the style sold nothing in W) and missing core SKUs of
    broken colours. Each is either replenished or transferred."""
    cores = core_skus(net, rules)
    colours_core = core_colours(net, rules)
    sold = net_units(net)
    m = month_number(net.month)
    launched = {
        style: month_number(ps[0]["launch_month"]) <= m for style, ps in styles_of(net).items()
    }
    out = set()
    for (loc, s), h in style_health(net, rules).items():
        out |= {(loc, k) for k in h["missing_core_skus"]}
        # a style launched after M is neither new nor required (4.3), a bestseller or not
        required = h["is_new"] or (h["is_bestseller"] and launched[s])
        if required and h["on_hand"] == 0:
            for (style, colour), skus in cores.items():
                if style == s and (sold[s] == 0 or colour in colours_core[s]):
                    out |= {(loc, k) for k in skus}
    return out


# --- glue: the same network as the job's input frames, and the polars job's answers ----------


def polars_inputs(net: Network):
    """(NetworkInputs, PartitionInputs, products LazyFrame, DemandInputs): the whole network as
    one partition."""
    from assortment.classify import NetworkInputs, PartitionInputs
    from assortment.demand import DemandInputs

    product_cols = ["sku", "style", "colour", "size", "category", "launch_month", "price"]
    products = pl.DataFrame(
        {c: [p[c] for p in net.products] for c in product_cols},
        schema={
            "sku": pl.String,
            "style": pl.String,
            "colour": pl.String,
            "size": pl.String,
            "category": pl.String,
            "launch_month": pl.Date,
            "price": pl.Float64,
        },
    )
    if net.has_core_column:
        products = products.with_columns(
            pl.Series("is_core_size", [p["is_core_size"] for p in net.products], dtype=pl.Boolean)
        )
    locations = pl.DataFrame(
        net.locations,
        schema={
            "location_id": pl.String,
            "kind": pl.String,
            "distributor_id": pl.String,
            "region": pl.String,
            "rep": pl.String,
            "min_styles": pl.Int32,
            "status": pl.String,
        },
    )

    def rows(nested: dict[str, dict[str, int]], value: str) -> pl.DataFrame:
        return pl.DataFrame(
            [
                {"location_id": loc, "sku": sku, value: n}
                for loc, per_sku in nested.items()
                for sku, n in per_sku.items()
            ],
            schema={"location_id": pl.String, "sku": pl.String, value: pl.Int64},
        )

    stock = rows(net.stock, "on_hand")
    sales = rows(net.sales_w, "units_sold")
    net_w = sales.group_by("sku").agg(pl.col("units_sold").sum())
    net_12m = pl.DataFrame(
        {"sku": list(net.units_12m), "units_sold": list(net.units_12m.values())},
        schema={"sku": pl.String, "units_sold": pl.Int64},
    )
    history = pl.DataFrame(
        [
            {
                "location_id": loc,
                "month": date(
                    (month_number(net.month) - k) // 12, (month_number(net.month) - k) % 12 + 1, 1
                ),
                "active_styles": n,
            }
            for loc, per_k in net.history.items()
            for k, n in per_k.items()
        ],
        schema={"location_id": pl.String, "month": pl.Date, "active_styles": pl.Int64},
    )

    def monthly(nested: dict[date, dict[str, dict[str, int]]], value: str) -> pl.DataFrame:
        return pl.DataFrame(
            [
                {"location_id": loc, "sku": sku, "month": month, value: n}
                for month, per_loc in nested.items()
                for loc, per_sku in per_loc.items()
                for sku, n in per_sku.items()
            ],
            schema={"location_id": pl.String, "sku": pl.String, "month": pl.Date, value: pl.Int64},
        )

    by_month = net.sales_by_month if net.sales_by_month is not None else {net.month: net.sales_w}
    network = NetworkInputs(products.lazy(), net_w.lazy(), net_12m.lazy())
    partition = PartitionInputs(locations.lazy(), stock.lazy(), sales.lazy(), history.lazy())
    rates = DemandInputs(
        monthly(net.stock_prev, "on_hand").lazy(),
        monthly(by_month, "units_sold").lazy(),
        locations.lazy(),
    )
    return network, partition, products.lazy(), rates


@dataclass
class JobResults:
    """The polars job's answers, collected."""

    bestsellers: pl.DataFrame
    new_styles: pl.DataFrame
    core_skus: pl.DataFrame
    core_colours: pl.DataFrame
    size_curve: pl.DataFrame
    style_health: pl.DataFrame
    compliance: pl.DataFrame
    actions: pl.DataFrame


def run_job(net: Network, rules: Rules) -> JobResults:
    """Run network_facts and classify_partition on ``net`` (one partition) and collect."""
    from assortment.classify import network_facts
    from assortment.pipeline import classify_partition

    network, partition, products, rates = polars_inputs(net)
    facts = network_facts(network, month=net.month, rules=rules).collect()
    res = classify_partition(facts, partition, products, rates, month=net.month, rules=rules)
    health, comp, actions = pl.collect_all([res.style_health, res.compliance, res.actions])
    return JobResults(
        *(f.collect() for f in (facts.bestsellers, facts.new_styles, facts.core_skus)),
        facts.core_colours.collect(),
        facts.size_curve.collect(),
        health,
        comp,
        actions,
    )


# --- builders for hand-made test networks ----------------------------------------------------


def style_skus(
    style: str,
    colours: str | list[str] = "BK",
    sizes: str | list[str] = "70A 75B",
    *,
    category: str = "bra",
    launch: date = date(2024, 1, 1),
    price: float = 100.0,
    core: dict[str, bool | None] | None = None,
) -> list[dict]:
    """Product rows of one style: every colour x size, SKU code ``style-colour-size``.

    ``core`` maps a size to its is_core_size flag (default: None for every size).
    """
    colours = colours.split() if isinstance(colours, str) else colours
    sizes = sizes.split() if isinstance(sizes, str) else sizes
    return [
        {
            "sku": f"{style}-{colour}-{size}",
            "style": style,
            "colour": colour,
            "size": size,
            "category": category,
            "launch_month": launch,
            "price": price,
            "is_core_size": (core or {}).get(size),
        }
        for colour in colours
        for size in sizes
    ]


def location(
    location_id: str,
    kind: str = "store",
    distributor_id: str | None = "D1",
    *,
    min_styles: int | None = None,
    status: str = "active",
) -> dict:
    """A location row (region 'north', rep 'wang'); a distributor has no distributor_id."""
    return {
        "location_id": location_id,
        "kind": kind,
        "distributor_id": None if kind == "distributor" else distributor_id,
        "region": "north",
        "rep": "wang",
        "min_styles": min_styles,
        "status": status,
    }
