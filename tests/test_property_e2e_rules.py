"""domain.md 4 and 5 end to end on small random networks: files -> store -> job -> export,
compared row by row with ``tests/reference_e2e_rules.py``, a plain-Python reading of the
same sections written from domain.md alone.

Each example draws 1-3 distributors with 0-4 stores each (sometimes closed, sometimes with a
``min_styles`` override), 4-30 styles in two categories with 1-3 colours and 2-5 sizes,
``is_core_size`` absent, empty for some styles or given, launch months around M (M-6, M-5,
M+1 among them), month-end counts for M-4..M+1 with some locations missing some months, and
sales over M-13..M+1 (sometimes equal totals per style, to force ties). Some examples use a
rules file that makes the bestseller cut at ``bestseller_max_styles`` bite.

The structure of a network is drawn by hypothesis; its rows come from a seeded
``random.Random`` so that an example stays cheap to draw.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assortment.config import Settings
from tests import files
from tests import reference_e2e_rules as ref
from tests.conftest import write

M = "2026-10"
KINDS = ("style-health", "compliance", "bestsellers", "new-styles")
SIZES = {"bra": ["70A", "75A", "75B", "80B", "85C"], "brief": ["L", "M", "S", "XL", "XXL"]}
COLOURS = ["BK", "NU", "WH"]
STYLE_POOL = [f"{a}{n}" for a in ("A", "B", "a", "b") for n in range(1, 21)]
LAUNCH_OFFSETS = [-30, -12, -7, -6, -5, -3, -1, 0, 1]


@dataclass
class Network:
    products: list[ref.Product]
    locations: list[ref.Location]
    stock: ref.Table
    sales: ref.Table
    rules: ref.Rules
    core_column: bool
    status_column: bool
    min_styles_column: bool

    def describe(self) -> str:
        return (
            f"products={self.products!r}\nlocations={self.locations!r}\n"
            f"stock={self.stock!r}\nsales={self.sales!r}\nrules={self.rules!r}\n"
            f"core_column={self.core_column} status_column={self.status_column} "
            f"min_styles_column={self.min_styles_column}"
        )


# ---------------------------------------------------------------- files


def products_csv(net: Network) -> str:
    head = "sku,style,colour,size,category,launch_month,price"
    lines = [head + (",is_core_size" if net.core_column else "")]
    for p in net.products:
        row = f"{p.sku},{p.style},{p.colour},{p.size},{p.category},{p.launch_month},{p.price:g}"
        if net.core_column:
            row += "," + ("" if p.is_core_size is None else str(p.is_core_size).lower())
        lines.append(row)
    return "\n".join(lines) + "\n"


def locations_csv(net: Network) -> str:
    head = "location_id,name,kind,distributor_id,region,province,city,rep"
    head += ",min_styles" if net.min_styles_column else ""
    head += ",status" if net.status_column else ""
    lines = [head]
    for loc in net.locations:
        row = (
            f"{loc.location_id},{loc.location_id} name,{loc.kind},{loc.distributor_id},"
            f"{loc.region},P,C,{loc.rep}"
        )
        if net.min_styles_column:
            row += "," + ("" if loc.min_styles is None else str(loc.min_styles))
        if net.status_column:
            row += "," + loc.status
        lines.append(row)
    return "\n".join(lines) + "\n"


def rules_toml(r: ref.Rules) -> str:
    out = [
        f"lookback_months = {r.lookback_months}",
        f"new_months = {r.new_months}",
        f"bestseller_share = {r.bestseller_share!r}",
        f"bestseller_max_styles = {r.bestseller_max_styles}",
        f"slow_sell_through = {r.slow_sell_through!r}",
        f"core_size_share = {r.core_size_share!r}",
        f"broken_size_min_core_share = {r.broken_size_min_core_share!r}",
        f"core_colour_share = {r.core_colour_share!r}",
    ]
    for kind, k in r.kinds.items():
        out += [
            f"[{kind}]",
            f"min_styles = {k.min_styles}",
            f"min_bestseller_coverage = {k.min_bestseller_coverage!r}",
            f"min_new_coverage = {k.min_new_coverage!r}",
            f"max_broken_size_share = {k.max_broken_size_share!r}",
            f"max_slow_stock_share = {k.max_slow_stock_share!r}",
        ]
    return "\n".join(out) + "\n"


def build(tmp: Path, net: Network) -> Settings:
    """Write the network as files, load them and classify M (tests/files.py)."""
    tmp.mkdir(parents=True, exist_ok=True)
    rules_path = write(tmp / "rules.toml", rules_toml(net.rules))
    return files.build(
        tmp,
        products_csv(net),
        locations_csv(net),
        net.stock,
        net.sales,
        months=(M,),
        rules_path=rules_path,
    )


def exported(settings: Settings, kind: str, tmp: Path) -> list[dict[str, str]]:
    return files.exported(settings, kind, M, tmp)


# ---------------------------------------------------------------- comparison

INTS = {"on_hand", "units_sold", "active_styles", "min_styles", "rank", "net_units"}
FLOATS = {
    "sell_through",
    "bestseller_coverage",
    "new_coverage",
    "broken_size_share",
    "slow_stock_share",
    "cumulative_share",
}
BOOLS = {"is_bestseller", "is_new", "broken_size", "broken_colour", "shrinking"}
KEYS = {
    "style-health": ("location_id", "style"),
    "compliance": ("location_id",),
    "bestsellers": ("rank",),
    "new-styles": ("style",),
}


def typed(column: str, text: str) -> object:
    if column in INTS:
        return None if text == "" else int(text)
    if column in FLOATS:
        return None if text == "" else float(text)
    if column in BOOLS:
        assert text in ("true", "false"), (column, text)
        return text == "true"
    return text


def same(a: object, b: object) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        if a is None or b is None:
            return a is b
        return abs(float(a) - float(b)) <= 1e-6  # type: ignore[arg-type]
    return a == b


def differences(kind: str, got_rows: list[dict[str, str]], want_rows: list[dict]) -> list[str]:
    keys = KEYS[kind]
    got = {}
    for r in got_rows:
        row = {c: typed(c, v) for c, v in r.items()}
        got[tuple(row[k] for k in keys)] = row
    want = {tuple(r[k] for k in keys): r for r in want_rows}
    out = []
    for key in sorted(set(got) | set(want), key=repr):
        if key not in got:
            out.append(f"{kind} {key}: missing from product; reference {want[key]}")
        elif key not in want:
            out.append(f"{kind} {key}: extra in product {got[key]}")
        else:
            bad = {
                c: (got[key][c], want[key][c])
                for c in want[key]
                if not same(got[key].get(c), want[key][c])
            }
            if bad:
                out.append(f"{kind} {key}: (product, reference) {bad}")
    return out


def compare(net: Network, tmp: Path) -> list[str]:
    settings = build(tmp, net)
    want = ref.classify(net.products, net.locations, net.stock, net.sales, M, net.rules)
    out = []
    for kind in KINDS:
        out += differences(kind, exported(settings, kind, tmp), want[kind])
    return out


# ---------------------------------------------------------------- networks

RULE_VARIANTS: dict[str, dict[str, Any]] = {
    "default": {},
    "cut20": {"bestseller_share": 1.0, "bestseller_max_styles": 20},
    "cut3": {"bestseller_share": 0.9, "bestseller_max_styles": 3},
}


@st.composite
def networks(draw: st.DrawFn) -> Network:
    rnd = random.Random(draw(st.integers(0, 2**32 - 1)))
    n_styles = draw(st.integers(4, 30))
    n_dist = draw(st.integers(1, 3))
    stores_per = [draw(st.integers(0, 4)) for _ in range(n_dist)]
    core_mode = draw(st.sampled_from(["absent", "empty", "given", "mixed"]))
    sales_density = draw(st.sampled_from([0.0, 0.15, 0.5, 1.0]))
    tie_mode = draw(st.booleans())
    variant = draw(st.sampled_from(sorted(RULE_VARIANTS)))
    override_mode = draw(st.sampled_from(["none", "some", "all"]))
    closed_mode = draw(st.booleans())

    rules = ref.Rules(**RULE_VARIANTS[variant])

    # products
    products: list[ref.Product] = []
    codes = rnd.sample(STYLE_POOL, n_styles)
    for s in codes:
        cat = rnd.choice(["bra", "brief"])
        colours = sorted(rnd.sample(COLOURS, rnd.randint(1, 3)))
        sizes = sorted(rnd.sample(SIZES[cat], rnd.randint(2, 5)))
        launch = ref.shift(M, rnd.choice(LAUNCH_OFFSETS))
        price = rnd.choice([10, 59, 199])
        style_says = core_mode == "given" or (core_mode == "mixed" and rnd.random() < 0.5)
        partly = core_mode == "mixed" and rnd.random() < 0.3  # some SKUs of the style left empty
        for c in colours:
            for z in sizes:
                core = (rnd.random() < 0.6) if style_says else None
                if partly and rnd.random() < 0.4:
                    core = None
                products.append(ref.Product(f"{s}-{c}-{z}", s, c, z, cat, launch, price, core))
    sku_list = [p.sku for p in products]
    by_style: dict[str, list[str]] = {}
    for p in products:
        by_style.setdefault(p.style, []).append(p.sku)

    # locations (listed in a shuffled order: codes, not file order, must decide)
    locations: list[ref.Location] = []
    for d in range(n_dist):
        did = f"D{d + 1}"
        region = rnd.choice(["North", "South"])
        group = [ref.Location(did, "distributor", "", region)]
        for j in range(stores_per[d]):
            group.append(ref.Location(f"{did}-S{j + 1}", "store", did, region))
        locations += group
    for loc in locations:
        if override_mode == "all" or (override_mode == "some" and rnd.random() < 0.5):
            loc.min_styles = rnd.randint(0, 6)
        if closed_mode and rnd.random() < 0.25:
            loc.status = "closed"
    rnd.shuffle(locations)
    core_column = core_mode != "absent"
    status_column = closed_mode or rnd.random() < 0.5
    min_styles_column = override_mode != "none" or rnd.random() < 0.3

    # stock: M-4..M+1, each location counted most months
    stock: ref.Table = {}
    months = [ref.shift(M, k) for k in range(-4, 2)]
    for loc in locations:
        breadth = rnd.choice([0.1, 0.3, 0.6, 0.9, 1.0])
        shrink = n_styles >= 5 and rnd.random() < 0.3
        ks = sorted(rnd.sample(range(0, n_styles + 1), 6), reverse=True) if shrink else None
        for i, m in enumerate(months):
            if rnd.random() < 0.2 and not (m == M and loc is locations[0]):  # M must be counted
                continue
            per: dict[str, int] = {}
            chosen = (
                rnd.sample(codes, ks[i])
                if ks is not None
                else [s for s in codes if rnd.random() < breadth]
            )
            for s in chosen:
                full = rnd.random() < 0.5
                for k in by_style[s]:
                    if full or rnd.random() < 0.6:
                        per[k] = rnd.randint(1, 6)
                if not any(per.get(k, 0) for k in by_style[s]):
                    per[rnd.choice(by_style[s])] = rnd.randint(1, 3)
            for k in rnd.sample(sku_list, min(3, len(sku_list))):  # explicit zeros
                if k not in per and rnd.random() < 0.5:
                    per[k] = 0
            if not per:  # counted, with nothing in stock
                per[rnd.choice(sku_list)] = 0
            stock.setdefault(m, {})[loc.location_id] = per

    # sales: M-13..M+1
    sales: ref.Table = {}
    for m in [ref.shift(M, k) for k in range(-13, 2)]:
        for loc in locations:
            if rnd.random() < 0.3:
                continue
            per = {}
            for k in sku_list:
                if rnd.random() < sales_density * 3 / max(1, len(sku_list)) * 4:
                    per[k] = rnd.choice([1, 1, 2, 3, 1, 1, 2, 0])  # 0: a row that is no sale
            if per:
                sales.setdefault(m, {})[loc.location_id] = per
    if tie_mode and locations:
        # equal totals over W for a few styles, added on top of what is there
        window = [ref.shift(M, k) for k in (-2, -1, 0)]
        for s in rnd.sample(codes, min(len(codes), rnd.randint(2, 6))):
            already = sum(
                n
                for m in window
                for per in sales.get(m, {}).values()
                for k, n in per.items()
                if k in by_style[s]
            )
            target = 7
            if already < target:
                m = rnd.choice(window)
                seller = rnd.choice(locations).location_id
                k = rnd.choice(by_style[s])
                per = sales.setdefault(m, {}).setdefault(seller, {})
                per[k] = per.get(k, 0) + target - already

    return Network(
        products, locations, stock, sales, rules, core_column, status_column, min_styles_column
    )


_counter = {"n": 0}


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(net=networks())
def test_exports_agree_with_domain_sections_4_and_5(net: Network, tmp_path: Path) -> None:
    _counter["n"] += 1
    tmp = tmp_path / f"ex{_counter['n']}"
    diffs = compare(net, tmp)
    assert not diffs, "\n".join(diffs[:20]) + "\n" + net.describe()


# ---------------------------------------------------------------- fixed networks (by hand)


def _p(
    sku: str, launch: str = "2024-01", core: bool | None = True, cat: str = "brief"
) -> ref.Product:
    style, colour, size = sku.split("-")
    return ref.Product(sku, style, colour, size, cat, launch, 10, core)


def _by_key(rows: list[dict[str, str]], *keys: str) -> dict[tuple[str, ...], dict[str, str]]:
    return {tuple(r[k] for k in keys): r for r in rows}


def boundaries_network() -> Network:
    """Every threshold of 5 met exactly at store S1 (M = 2026-10, W = 08..10).

    Units over W: B1..B5 3 each at D1 (15), C1..C3 3 each at D1, T 3 and Z 3 at S1 (15): 30
    in all. Ranked by units then code: B1..B5 reach 15 / 30 = 0.5 exactly, so they are the
    bestsellers and C1 (also 3, a later code) is not. N1..N5 are new (launched 2026-08).
    S1 holds B1..B4 (coverage 4/5 = 0.8, the store threshold), N1..N4 (0.8), T 17 having
    sold 3 (sell-through 3 / 20 = 0.15: steady, not slow), Z 2 of M and 0 of its core L
    (broken; sell-through 3 / 5, not slow), B1 and N1 likewise broken in L, O1 17 and C1 1 unsold (slow): 12 active styles
    (= its min_styles 12), 3 broken (3 / 12 = 0.25, not above), slow on hand 18 of 45 (0.4,
    not above): pass with no reason. D1 holds every bestseller and new style: pass.
    """
    two_sizes = ["B1", "N1", "Z"]
    products = []
    for s in ["B1", "B2", "B3", "B4", "B5", "C1", "C2", "C3", "C4", "T", "Z", "O1"]:
        products.append(_p(f"{s}-BK-M"))
        if s in two_sizes:
            products.append(_p(f"{s}-BK-L"))
    for s in ["N1", "N2", "N3", "N4", "N5"]:
        products.append(_p(f"{s}-BK-M", "2026-08"))
        if s in two_sizes:
            products.append(_p(f"{s}-BK-L", "2026-08"))
    locations = [
        ref.Location("D1", "distributor", "", min_styles=0),
        ref.Location("S1", "store", "D1", min_styles=12),
    ]
    s1 = {f"{s}-BK-M": 1 for s in ["B1", "B2", "B3", "B4", "N1", "N2", "N3", "N4", "C1"]}
    s1 |= {"T-BK-M": 17, "Z-BK-M": 2, "O1-BK-M": 17, "B1-BK-L": 0}
    d1 = {f"{s}-BK-M": 1 for s in ["B1", "B2", "B3", "B4", "B5", "N1", "N2", "N3", "N4", "N5"]}
    d1 |= {"B1-BK-L": 1, "N1-BK-L": 1}
    stock = {M: {"D1": d1, "S1": s1}}
    sales = {
        "2026-08": {"D1": {f"{s}-BK-M": 3 for s in ["B1", "B2", "B3", "B4", "B5"]}},
        "2026-09": {"D1": {f"{s}-BK-M": 3 for s in ["C1", "C2", "C3"]}},
        M: {"S1": {"T-BK-M": 3, "Z-BK-M": 3}},
    }
    return Network(products, locations, stock, sales, ref.Rules(), True, False, True)


def test_boundaries_are_met_exactly(tmp_path: Path) -> None:
    net = boundaries_network()
    assert compare(net, tmp_path) == []
    settings = Settings(
        db_path=tmp_path / "data" / "assortment.duckdb", rules_path=tmp_path / "rules.toml"
    )
    comp = _by_key(exported(settings, "compliance", tmp_path), "location_id")
    assert (comp[("S1",)]["status"], comp[("S1",)]["reasons"]) == ("pass", "")
    assert float(comp[("S1",)]["bestseller_coverage"]) == pytest.approx(0.8)
    assert float(comp[("S1",)]["broken_size_share"]) == pytest.approx(0.25)
    assert float(comp[("S1",)]["slow_stock_share"]) == pytest.approx(0.4)
    assert comp[("D1",)]["status"] == "pass"
    best = [r["style"] for r in exported(settings, "bestsellers", tmp_path)]
    assert best == ["B1", "B2", "B3", "B4", "B5"]
    health = _by_key(exported(settings, "style-health", tmp_path), "location_id", "style")
    assert health[("S1", "T")]["segment"] == "steady"
    assert health[("S1", "O1")]["segment"] == "slow_moving"
    assert health[("S1", "C1")]["segment"] == "slow_moving"
    assert health[("S1", "Z")]["missing_core_skus"] == "Z-BK-L"


def curve_network() -> Network:
    """Core sizes from the category curve, core colours, closed and uncounted sellers (M = 2026-10).

    bra units over the 12 months 2025-11..2026-10 (the 100 sold in 2025-10 and in 2026-11 are
    outside): 75B 4 (K 3 at the closed store X in W, P 1), 80B 4 (K-WH 1 at Y, which has no
    count in M, and Q 3), 70A 1, 85C 1. Ordered 75B, 80B (tie: size ascending), 70A, 85C: the
    prefix 75B + 80B reaches 8 / 10 = 0.8 exactly, so 75B and 80B are core.
    K (no is_core_size) is the only style sold in W (4): the bestseller. Its colours: BK 3 / 4,
    WH 1 / 4 = 0.25, both core. S1 holds K-BK 75B and 80B (85C is not core): not broken, but no
    WH: broken colour. S2 and S3 hold K-BK-75B only: broken size (K-BK-80B) and colour.
    P says is_core_size for 70A (true) and 80B (false) and leaves 75B empty: the file says, so
    only 70A is core, and P at S1 (70A only) is not broken. Q (no is_core_size, sizes 80B and
    85C) at S1 holds 85C only: broken, missing Q-BK-80B.
    R sold 0 units at S1 in W (a zero row is not a sale): not classified there; D1's count is
    a single zero row: counted, with nothing in stock (fail, not no_count).
    S1 held 6, 5, 4, 3 styles in 07..10: shrinking. S2 (3, 3, 2, 1): not strictly. S3 has no
    count in 07: not shrinking. Y has no count in M: no_count. X is closed: not checked.
    """

    def p(sku: str, core: bool | None = None) -> ref.Product:
        return _p(sku, core=core, cat="bra")

    products = [
        *(p(f"K-{c}-{z}") for c in ("BK", "WH") for z in ("75B", "80B", "85C")),
        p("P-BK-70A", True),
        p("P-BK-75B", None),
        p("P-BK-80B", False),
        p("Q-BK-80B"),
        p("Q-BK-85C"),
        p("R-BK-75B"),
        p("U1-BK-70A"),
        p("U2-BK-70A"),
        p("U3-BK-70A"),
    ]
    locations = [
        ref.Location("D1", "distributor", "", min_styles=1),
        *(ref.Location(s, "store", "D1", min_styles=1) for s in ("S1", "S2", "S3", "Y")),
        ref.Location("X", "store", "D1", min_styles=1, status="closed"),
    ]
    kpq = {"K-BK-75B": 1, "P-BK-70A": 1, "Q-BK-85C": 1}
    stock: ref.Table = {
        "2026-07": {"S1": kpq | {"U1-BK-70A": 1, "U2-BK-70A": 1, "U3-BK-70A": 1}, "S2": kpq},
        "2026-08": {"S1": kpq | {"U1-BK-70A": 1, "U2-BK-70A": 1}, "S2": kpq, "S3": kpq},
        "2026-09": {
            "S1": kpq | {"U1-BK-70A": 1},
            "S2": {"K-BK-75B": 1, "P-BK-70A": 1},
            "S3": {"K-BK-75B": 1, "P-BK-70A": 1},
        },
        M: {
            "S1": {"K-BK-75B": 1, "K-BK-80B": 1, "K-BK-85C": 0, "P-BK-70A": 1, "P-BK-75B": 0}
            | {"Q-BK-85C": 2},
            "S2": {"K-BK-75B": 1},
            "S3": {"K-BK-75B": 1},
            "D1": {"R-BK-75B": 0},
        },
    }
    sales: ref.Table = {
        "2025-10": {"S1": {"K-BK-85C": 100}},
        "2026-02": {"S2": {"P-BK-75B": 1, "Q-BK-85C": 1}},
        "2026-03": {"S2": {"P-BK-70A": 1}},
        "2026-04": {"S2": {"Q-BK-80B": 3}},
        "2026-09": {"X": {"K-BK-75B": 3}, "S1": {"R-BK-75B": 0}},
        M: {"Y": {"K-WH-80B": 1}},
        "2026-11": {"S1": {"P-BK-70A": 100}},
    }
    return Network(products, locations, stock, sales, ref.Rules(), True, True, True)


def test_curve_core_colours_closed_and_uncounted_sellers(tmp_path: Path) -> None:
    net = curve_network()
    assert compare(net, tmp_path) == []
    settings = Settings(
        db_path=tmp_path / "data" / "assortment.duckdb", rules_path=tmp_path / "rules.toml"
    )
    health = _by_key(exported(settings, "style-health", tmp_path), "location_id", "style")
    got = {
        k: (r["broken_size"], r["broken_colour"], r["missing_core_skus"]) for k, r in health.items()
    }
    assert got == {
        ("D1", "K"): ("false", "false", ""),
        ("S1", "K"): ("false", "true", ""),
        ("S1", "P"): ("false", "false", ""),
        ("S1", "Q"): ("true", "false", "Q-BK-80B"),
        ("S2", "K"): ("true", "true", "K-BK-80B"),
        ("S3", "K"): ("true", "true", "K-BK-80B"),
    }
    comp = _by_key(exported(settings, "compliance", tmp_path), "location_id")
    assert {k[0]: (r["status"], r["shrinking"]) for k, r in comp.items()} == {
        "D1": ("fail", "false"),
        "S1": ("warn", "true"),
        "S2": ("warn", "false"),
        "S3": ("warn", "false"),
        "Y": ("no_count", "false"),
    }
    best = [(r["style"], r["net_units"]) for r in exported(settings, "bestsellers", tmp_path)]
    assert best == [("K", "4")]


def test_ten_way_ties_on_the_curve_and_the_bestseller_prefix(tmp_path: Path) -> None:
    """Float sums must not move a prefix (rules: bestseller_share 0.8, the rest default).

    V0..V9 (brief) sold 1 unit each in W: tied, taken by code, and the running shares 0.1,
    0.2, ... reach 0.8 at V7 exactly (a float running sum gives 0.7999999999999999):
    8 bestsellers. J (bra, 10 sizes 60A..105A) sold 1 of each size in 2026-05: the bra curve
    is a 10-way tie, ordered by size as text (100A, 105A, 60A, ..., 85A, 90A, 95A); 8 of 10
    sizes reach 0.8: 90A and 95A are not core. K (bra, same sizes) at S1 lacks 90A and 95A:
    not broken; at S2 it lacks 85A only: broken, missing K-BK-85A.
    """
    sizes = [f"{60 + 5 * i}A" for i in range(10)]
    products = [_p(f"{s}-BK-{z}", core=None, cat="bra") for s in ("J", "K") for z in sizes]
    products += [_p(f"V{i}-BK-M", core=None) for i in range(10)]
    locations = [
        ref.Location("D1", "distributor", "", min_styles=1),
        ref.Location("S1", "store", "D1", min_styles=1),
        ref.Location("S2", "store", "D1", min_styles=1),
    ]
    order = sorted(sizes)
    stock: ref.Table = {
        M: {
            "D1": {"V0-BK-M": 1},
            "S1": {f"K-BK-{z}": 1 for z in order[:8]},
            "S2": {f"K-BK-{z}": 1 for z in order[:7] + order[8:]},
        }
    }
    sales: ref.Table = {
        "2026-05": {"D1": {f"J-BK-{z}": 1 for z in sizes}},
        M: {"D1": {f"V{i}-BK-M": 1 for i in range(10)}},
    }
    net = Network(
        products, locations, stock, sales, ref.Rules(bestseller_share=0.8), False, False, True
    )
    assert compare(net, tmp_path) == []
    settings = Settings(
        db_path=tmp_path / "data" / "assortment.duckdb", rules_path=tmp_path / "rules.toml"
    )
    best = [r["style"] for r in exported(settings, "bestsellers", tmp_path)]
    assert best == [f"V{i}" for i in range(8)]
    health = _by_key(exported(settings, "style-health", tmp_path), "location_id", "style")
    assert health[("S1", "K")]["broken_size"] == "false"
    assert health[("S2", "K")]["missing_core_skus"] == "K-BK-85A"


def test_a_style_that_sold_nothing_has_no_core_colour(tmp_path: Path) -> None:
    """An ambiguous clause, pinned to the reading the product takes (see the report).

    4.6: "Core colours of s are colours with at least core_colour_share (0.25) of
    net_units(s)". Z (colours BK and WH) sold nothing in W: read literally, 0 >= 0.25 x 0 makes
    both colours core and S1, holding BK only, broken-colour. The product reads it as "no core
    colour" (a share of nothing), which is what 6.2's "or of all its colours when the style
    sold nothing in W" presupposes: S1 is not broken-colour.
    """
    products = [_p("Z-BK-M"), _p("Z-WH-M")]
    locations = [
        ref.Location("D1", "distributor", "", min_styles=1),
        ref.Location("S1", "store", "D1", min_styles=1),
    ]
    stock: ref.Table = {M: {"S1": {"Z-BK-M": 1}}}
    net = Network(products, locations, stock, {}, ref.Rules(), False, False, True)
    assert ref.ZERO_SALES_ALL_COLOURS_CORE is False
    assert compare(net, tmp_path) == []
    settings = Settings(
        db_path=tmp_path / "data" / "assortment.duckdb", rules_path=tmp_path / "rules.toml"
    )
    health = _by_key(exported(settings, "style-health", tmp_path), "location_id", "style")
    assert health[("S1", "Z")]["broken_colour"] == "false"
