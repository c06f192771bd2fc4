"""A second, deliberately plain reading of domain.md sections 4 and 5 (dicts and loops).

Written from domain.md alone (and the threshold names of section 7), for the end-to-end
property test ``tests/test_property_e2e_rules.py``: it takes the same networks the test
writes as files and returns the rows of the ``style-health``, ``compliance``,
``bestsellers`` and ``new-styles`` exports as plain Python values.

Readings taken where domain.md leaves room (the product takes the same ones):

* "sold at l during W" (4.1) means at least one unit sold over W (a sales row of 0 units
  is not a sale).
* A style-colour with no core size at all (``is_core_size`` false for all its SKUs, or no
  SKU in the category's core sizes) is never broken: nothing core is missing.
* ``is_core_size`` given for some SKUs of a style and empty for others: the style's file
  "says", and an empty value is not ``true``.
* Core colours of a style that sold nothing in W (net_units 0): none (a share of nothing),
  the reading 6.2's "or of all its colours when the style sold nothing in W" presupposes and
  the one the product takes. ``ZERO_SALES_ALL_COLOURS_CORE = True`` switches to the literal
  arithmetic (0 >= 0.25 x 0: every colour core).
* Every check that trips is named as a reason, the warn checks too when the status is
  fail; reasons are listed in domain.md's order, ``;``-separated.
* Ratios of section 4 (sell-through, cumulative shares) are compared with the same 1e-9
  tolerance as section 5.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

TOL = 1e-9

# Which reading of 4.6 for a style with net_units 0 (see the module docstring).
ZERO_SALES_ALL_COLOURS_CORE = False

REASONS = (
    "below_min_styles",
    "bestsellers_missing",
    "new_styles_missing",
    "many_broken_sizes",
    "slow_stock_heavy",
    "assortment_shrinking",
)

Table = dict[str, dict[str, dict[str, int]]]  # month -> location -> sku -> quantity


@dataclass
class Product:
    sku: str
    style: str
    colour: str
    size: str
    category: str
    launch_month: str
    price: float
    is_core_size: bool | None = None  # None: empty / column absent


@dataclass
class Location:
    location_id: str
    kind: str  # distributor | store
    distributor_id: str = ""
    region: str = "R"
    rep: str = "Rep"
    min_styles: int | None = None
    status: str = "active"


@dataclass
class KindRules:
    min_styles: int
    min_bestseller_coverage: float
    min_new_coverage: float
    max_broken_size_share: float
    max_slow_stock_share: float


@dataclass
class Rules:
    lookback_months: int = 3
    new_months: int = 6
    bestseller_share: float = 0.5
    bestseller_max_styles: int = 20
    slow_sell_through: float = 0.15
    core_size_share: float = 0.8
    broken_size_min_core_share: float = 1.0
    core_colour_share: float = 0.25
    kinds: dict[str, KindRules] = field(
        default_factory=lambda: {
            "distributor": KindRules(40, 1.0, 1.0, 0.25, 0.4),
            "store": KindRules(20, 0.8, 0.8, 0.25, 0.4),
        }
    )


# ---------------------------------------------------------------- months


def month_index(m: str) -> int:
    y, mm = m.split("-")
    return int(y) * 12 + int(mm) - 1


def month_name(i: int) -> str:
    return f"{i // 12:04d}-{i % 12 + 1:02d}"


def shift(m: str, k: int) -> str:
    return month_name(month_index(m) + k)


# ---------------------------------------------------------------- the reference


def classify(
    products: list[Product],
    locations: list[Location],
    stock: Table,
    sales: Table,
    month: str,
    rules: Rules,
) -> dict[str, list[dict[str, object]]]:
    """The four exports of month ``month`` as lists of dicts (typed values, None = empty)."""
    M = month
    window = [shift(M, -k) for k in range(rules.lookback_months - 1, -1, -1)]
    year = [shift(M, -k) for k in range(11, -1, -1)]

    by_sku = {p.sku: p for p in products}
    styles = sorted({p.style for p in products})
    skus_of_style: dict[str, list[Product]] = defaultdict(list)
    for p in products:
        skus_of_style[p.style].append(p)
    colours_of_style = {s: sorted({p.colour for p in skus_of_style[s]}) for s in styles}
    style_info = {s: skus_of_style[s][0] for s in styles}

    def sales_in(months: list[str]) -> dict[tuple[str, str], int]:
        """(location, sku) -> units over ``months``."""
        out: dict[tuple[str, str], int] = defaultdict(int)
        for m in months:
            for loc, per in sales.get(m, {}).items():
                for sku, n in per.items():
                    out[(loc, sku)] += n
        return out

    w_sales = sales_in(window)
    y_sales = sales_in(year)

    def counted(loc: str, m: str) -> bool:
        return bool(stock.get(m, {}).get(loc))  # at least one stock row

    def on_hand_sku(loc: str, sku: str, m: str = M) -> int:
        return stock.get(m, {}).get(loc, {}).get(sku, 0)

    def on_hand_style(loc: str, s: str, m: str = M) -> int:
        return sum(on_hand_sku(loc, p.sku, m) for p in skus_of_style[s])

    def on_hand_colour(loc: str, s: str, c: str) -> int:
        return sum(on_hand_sku(loc, p.sku) for p in skus_of_style[s] if p.colour == c)

    def units_style(loc: str, s: str) -> int:
        return sum(w_sales.get((loc, p.sku), 0) for p in skus_of_style[s])

    # ---- 4.2 bestsellers
    net_units = {s: 0 for s in styles}
    net_colour: dict[tuple[str, str], int] = defaultdict(int)
    total_w = 0
    for (_loc, sku), n in w_sales.items():
        p = by_sku[sku]
        net_units[p.style] += n
        net_colour[(p.style, p.colour)] += n
        total_w += n
    ranked = sorted((s for s in styles if net_units[s] > 0), key=lambda s: (-net_units[s], s))
    bestsellers: list[str] = []
    best_rows: list[dict[str, object]] = []
    cum = 0
    if total_w > 0:
        for s in ranked:
            bestsellers.append(s)
            cum += net_units[s]
            best_rows.append(
                {
                    "month": M,
                    "rank": len(bestsellers),
                    "style": s,
                    "net_units": net_units[s],
                    "cumulative_share": cum / total_w,
                }
            )
            if cum / total_w >= rules.bestseller_share - TOL:
                break
    bestsellers = bestsellers[: rules.bestseller_max_styles]
    best_rows = best_rows[: rules.bestseller_max_styles]
    best_set = set(bestsellers)

    # ---- 4.3 new styles
    mi = month_index(M)
    new_set = {
        s for s in styles if mi - rules.new_months < month_index(style_info[s].launch_month) <= mi
    }
    new_rows: list[dict[str, object]] = [
        {"month": M, "style": s, "launch_month": style_info[s].launch_month}
        for s in sorted(new_set)
    ]

    # ---- 4.5 core sizes
    category_core: dict[str, set[str]] = {}
    for cat in sorted({p.category for p in products}):
        sizes = sorted({p.size for p in products if p.category == cat})
        units = {z: 0 for z in sizes}
        for (_loc, sku), n in y_sales.items():
            p = by_sku[sku]
            if p.category == cat:
                units[p.size] += n
        total = sum(units.values())
        if total == 0:
            category_core[cat] = set(sizes)
            continue
        core: set[str] = set()
        acc = 0
        for z in sorted(sizes, key=lambda z: (-units[z], z)):
            core.add(z)
            acc += units[z]
            if acc / total >= rules.core_size_share - TOL:
                break
        category_core[cat] = core

    def core_skus(s: str, c: str) -> list[str]:
        skus = [p for p in skus_of_style[s] if p.colour == c]
        says = any(p.is_core_size is not None for p in skus_of_style[s])
        if says:
            return sorted(p.sku for p in skus if p.is_core_size is True)
        core = category_core[style_info[s].category]
        return sorted(p.sku for p in skus if p.size in core)

    # ---- 4.6 core colours
    def core_colours(s: str) -> list[str]:
        n = net_units[s]
        if n == 0:
            return list(colours_of_style[s]) if ZERO_SALES_ALL_COLOURS_CORE else []
        return [
            c
            for c in colours_of_style[s]
            if net_colour[(s, c)] / n >= rules.core_colour_share - TOL
        ]

    # ---- 4.1 / 4.4 / 4.5 / 4.6 per (location, style)
    health_rows: list[dict[str, object]] = []
    compliance_rows: list[dict[str, object]] = []
    for loc in sorted(locations, key=lambda x: x.location_id):
        if loc.status == "closed":
            continue
        kr = rules.kinds[loc.kind]
        min_styles = loc.min_styles if loc.min_styles is not None else kr.min_styles
        lid = loc.location_id
        if not counted(lid, M):
            compliance_rows.append(
                {
                    "month": M,
                    "location_id": lid,
                    "kind": loc.kind,
                    "distributor_id": loc.distributor_id,
                    "status": "no_count",
                    "active_styles": None,
                    "min_styles": min_styles,
                    "bestseller_coverage": None,
                    "new_coverage": None,
                    "broken_size_share": None,
                    "slow_stock_share": None,
                    "shrinking": False,
                    "reasons": "",
                }
            )
            continue
        active = 0
        broken_styles = 0
        slow_on_hand = 0
        total_on_hand = 0
        for s in styles:
            oh = on_hand_style(lid, s)
            u = units_style(lid, s)
            total_on_hand += oh
            in_stock = oh >= 1
            if in_stock:
                active += 1
            if not (in_stock or u >= 1 or s in best_set or s in new_set):
                continue
            sell_through = u / (u + oh) if (u + oh) > 0 else None
            if s in best_set:
                segment = "bestseller"
            elif s in new_set:
                segment = "new"
            elif (
                sell_through is not None
                and in_stock
                and sell_through < rules.slow_sell_through - TOL
            ):
                segment = "slow_moving"
            else:
                segment = "steady"
            if segment == "slow_moving":
                slow_on_hand += oh
            missing: list[str] = []
            broken_size = False
            for c in colours_of_style[s]:
                if on_hand_colour(lid, s, c) < 1:
                    continue
                core_list = core_skus(s, c)
                if not core_list:
                    continue
                have = [k for k in core_list if on_hand_sku(lid, k) >= 1]
                if len(have) / len(core_list) < rules.broken_size_min_core_share - TOL:
                    broken_size = True
                    missing.extend(k for k in core_list if on_hand_sku(lid, k) < 1)
            broken_colour = in_stock and any(
                on_hand_colour(lid, s, c) == 0 for c in core_colours(s)
            )
            if broken_size:
                broken_styles += 1
            health_rows.append(
                {
                    "month": M,
                    "location_id": lid,
                    "style": s,
                    "segment": segment,
                    "is_bestseller": s in best_set,
                    "is_new": s in new_set,
                    "on_hand": oh,
                    "units_sold": u,
                    "sell_through": sell_through,
                    "broken_size": broken_size,
                    "broken_colour": broken_colour,
                    "missing_core_skus": ";".join(sorted(missing)),
                }
            )
        # ---- 5
        best_cov = (
            sum(1 for s in best_set if on_hand_style(lid, s) >= 1) / len(best_set)
            if best_set
            else 1.0
        )
        new_cov = (
            sum(1 for s in new_set if on_hand_style(lid, s) >= 1) / len(new_set) if new_set else 1.0
        )
        broken_share = broken_styles / active if active else 0.0
        slow_share = slow_on_hand / total_on_hand if total_on_hand else 0.0
        months4 = [shift(M, -k) for k in (3, 2, 1, 0)]
        shrinking = False
        if all(counted(lid, m) for m in months4):
            counts = [sum(1 for s in styles if on_hand_style(lid, s, m) >= 1) for m in months4]
            shrinking = all(counts[i] > counts[i + 1] for i in range(3))
        tripped = {
            "below_min_styles": active < min_styles,
            "bestsellers_missing": best_cov < kr.min_bestseller_coverage - TOL,
            "new_styles_missing": new_cov < kr.min_new_coverage - TOL,
            "many_broken_sizes": broken_share > kr.max_broken_size_share + TOL,
            "slow_stock_heavy": slow_share > kr.max_slow_stock_share + TOL,
            "assortment_shrinking": shrinking,
        }
        if any(tripped[r] for r in REASONS[:3]):
            status = "fail"
        elif any(tripped[r] for r in REASONS[3:]):
            status = "warn"
        else:
            status = "pass"
        compliance_rows.append(
            {
                "month": M,
                "location_id": lid,
                "kind": loc.kind,
                "distributor_id": loc.distributor_id,
                "status": status,
                "active_styles": active,
                "min_styles": min_styles,
                "bestseller_coverage": best_cov,
                "new_coverage": new_cov,
                "broken_size_share": broken_share,
                "slow_stock_share": slow_share,
                "shrinking": shrinking,
                "reasons": ";".join(r for r in REASONS if tripped[r]),
            }
        )
    return {
        "style-health": health_rows,
        "compliance": compliance_rows,
        "bestsellers": best_rows,
        "new-styles": new_rows,
    }
