"""domain.md 8 (follow-through, rep scorecard) and 9 (stuck at the distributor), end to end on
small random networks: CSV files -> store -> classify M and M+1 -> exports, compared row by
row with the plain-Python reference in tests/reference_followthrough.py.

The action lines of M are the product's own (its ``actions`` export), and the statuses of M and
M+1 its ``compliance`` export: this test judges 8 and 9, not 4-6.
"""

from __future__ import annotations

import random
import shutil
import tempfile
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from assortment.config import Rules, Settings
from tests import files
from tests import reference_followthrough as ref

M = "2026-10"
NEXT = "2026-11"
MONTHS = ["2026-07", "2026-08", "2026-09", "2026-10", "2026-11"]
SIZES = ["70A", "75B", "80B", "85C"]
COLOURS = ["BK", "WH"]
REPS = ["Wang", "Li", "Zhao"]
TOL = 1e-6


# --- the random network ---------------------------------------------------------------------------


@st.composite
def networks(draw: st.DrawFn) -> dict:
    # locations: 1-3 distributors, 1-4 stores each; store codes drawn so that file order and
    # code order differ
    n_dist = draw(st.sampled_from([1, 2, 2, 3, 3]))
    locations = []
    codes = draw(st.lists(st.integers(1, 99), min_size=12, max_size=12, unique=True))
    c = iter(codes)
    for i in range(n_dist):
        did = f"D{i + 1}"
        region = draw(st.sampled_from(["North", "South"]))
        locations.append(
            {
                "location_id": did,
                "kind": "distributor",
                "distributor_id": "",
                "region": region,
                "rep": draw(st.sampled_from(REPS)),
                "min_styles": draw(st.integers(1, 3)),
                "status": "active",
            }
        )
        for _ in range(draw(st.integers(1, 4))):
            locations.append(
                {
                    "location_id": f"S{next(c):02d}",
                    "kind": "store",
                    "distributor_id": did,
                    "region": region,
                    "rep": draw(st.sampled_from(REPS)),
                    "min_styles": draw(st.integers(1, 3)),
                    "status": "active",
                }
            )
    stores = [loc for loc in locations if loc["kind"] == "store"]
    closed = draw(st.none() | st.sampled_from(stores))
    if closed is not None and draw(st.booleans()):
        closed["status"] = "closed"
    if n_dist >= 2 and draw(st.integers(0, 9)) == 0:  # rarely, a closed distributor
        locations[0]["status"] = "closed"

    # products: 3-6 styles, 1-2 colours, 2-4 sizes
    products = []
    for j in range(draw(st.integers(3, 6))):
        style = "ABCDEF"[j]
        colours = COLOURS[: draw(st.integers(1, 2))]
        sizes = SIZES[: draw(st.integers(2, 4))]
        launch = draw(
            st.sampled_from(
                ["2024-01", "2024-01", "2025-11", "2025-11", "2026-05", "2026-09", "2026-11"]
            )
        )
        price = draw(st.integers(10, 300))
        flagged = draw(st.booleans())
        for colour in colours:
            for size in sizes:
                products.append(
                    {
                        "sku": f"{style}-{colour}-{size}",
                        "style": style,
                        "colour": colour,
                        "size": size,
                        "category": "bra",
                        "launch_month": launch,
                        "price": price,
                        "is_core_size": draw(st.booleans()) if flagged else None,
                    }
                )
    skus = [p["sku"] for p in products]

    # counts M-3 .. M+1 and sales: too many numbers for hypothesis' buffer, so they come from
    # a seeded generator; a location may miss a month (M+1 more often: unknown follow-through)
    rnd = random.Random(draw(st.integers(0, 2**32 - 1)))
    skip_next = draw(st.sampled_from([0.0, 0.3, 0.6]))
    sell = draw(st.sampled_from([0.1, 0.2, 0.35]))
    # each store carries some styles only (so that styles can be stuck at a distributor)
    carry = draw(st.sampled_from([0.2, 0.4, 0.7]))
    carried = {
        loc["location_id"]: {p["style"] for p in products if rnd.random() < carry}
        for loc in locations
    }
    stock: dict[str, dict[str, dict[str, int]]] = {}
    for month in MONTHS:
        stock[month] = {}
        for loc in locations:
            if rnd.random() < (skip_next if month == NEXT else 0.12):
                continue
            big = loc["kind"] == "distributor"
            row = {}
            for p in products:
                k = p["sku"]
                shown = big or p["style"] in carried[loc["location_id"]]
                if not shown or rnd.random() < (0.3 if big else 0.4):
                    if rnd.random() < 0.5:
                        row[k] = 0  # an explicit zero row
                    continue
                row[k] = rnd.randint(1, 12 if big else 4)
            if not row:
                row[skus[0]] = 0
            stock[month][loc["location_id"]] = row
    if not stock[M]:  # month M must have a count to be classified at all
        stock[M][locations[-1]["location_id"]] = {skus[0]: 1}
    # sparse sales in W and M+1 (closed stores too)
    sales: dict[str, dict[str, dict[str, int]]] = {}
    for month in MONTHS[1:]:
        sales[month] = {}
        for loc in locations:
            row = {}
            for p in products:
                k = p["sku"]
                shown = loc["kind"] == "distributor" or p["style"] in carried[loc["location_id"]]
                if rnd.random() < (sell if shown else sell / 4):
                    row[k] = rnd.randint(1, 4)
            if row:
                sales[month][loc["location_id"]] = row
    return {"locations": locations, "products": products, "stock": stock, "sales": sales}


# --- files, store, exports ----------------------------------------------------------------------


def products_csv(products: list[dict]) -> str:
    lines = ["sku,style,colour,size,category,launch_month,price,is_core_size"]
    for p in products:
        core = "" if p["is_core_size"] is None else ("true" if p["is_core_size"] else "false")
        lines.append(
            f"{p['sku']},{p['style']},{p['colour']},{p['size']},{p['category']},"
            f"{p['launch_month']},{p['price']},{core}"
        )
    return "\n".join(lines) + "\n"


def locations_csv(locations: list[dict]) -> str:
    lines = ["location_id,name,kind,distributor_id,region,province,city,rep,min_styles,status"]
    for loc in locations:
        lines.append(
            f"{loc['location_id']},n{loc['location_id']},{loc['kind']},{loc['distributor_id']},"
            f"{loc['region']},P,C,{loc['rep']},{loc['min_styles']},{loc['status']}"
        )
    return "\n".join(lines) + "\n"


def build(tmp: Path, net: dict) -> Settings:
    """Load the network's files and classify M, and M+1 when anybody counted it."""
    counted_next = any(net["stock"][NEXT].values())
    return files.build(
        tmp,
        products_csv(net["products"]),
        locations_csv(net["locations"]),
        net["stock"],
        net["sales"],
        months=(M, NEXT) if counted_next else (M,),
    )


exported = files.exported


# --- comparison helpers -------------------------------------------------------------------------


def num(text: str) -> float | None:
    return None if text == "" else float(text)


def close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= TOL


def describe(net: dict) -> str:
    """The network as the four files' rows, for a failure message."""
    out = [products_csv(net["products"]), locations_csv(net["locations"])]
    for kind, table in (("stock", net["stock"]), ("sales", net["sales"])):
        out.append(f"{kind}:")
        for month, per_loc in table.items():
            for loc, per_sku in per_loc.items():
                out.append(f"  {month} {loc} {per_sku}")
    return "\n".join(out)


# --- the comparison -----------------------------------------------------------------------------


def check(net: dict, tmp: Path) -> tuple[list[str], dict[str, int]]:
    """Every disagreement between the product's exports and the reference, as messages."""
    rules = Rules()
    settings = build(tmp, net)
    actions = exported(settings, "actions", M, tmp)
    follow = exported(settings, "follow-through", M, tmp)
    cards = exported(settings, "rep-scorecard", M, tmp)
    stuck_rows = exported(settings, "stuck", M, tmp)
    comp_m = exported(settings, "compliance", M, tmp)
    counted_next = any(net["stock"][NEXT].values())
    comp_next = exported(settings, "compliance", NEXT, tmp) if counted_next else []
    best = {r["style"] for r in exported(settings, "bestsellers", M, tmp)}
    new = {r["style"] for r in exported(settings, "new-styles", M, tmp)}
    problems: list[str] = []

    # --- 8: follow-through, one row per action line of M
    mine = ref.follow_through(
        M, actions, net["products"], net["locations"], net["stock"], net["sales"], rules
    )
    line_key = ("location_id", "action", "style", "colour", "size", "sku")

    def key(row: dict) -> tuple:
        return tuple(str(row[c]) for c in line_key) + (int(row["units"]),)

    if Counter(key(r) for r in follow) != Counter(key(r) for r in mine):
        problems.append(
            "8 follow-through rows are not one per action line of M:\n"
            f"  only product   {sorted((Counter(map(key, follow)) - Counter(map(key, mine))).elements())}\n"
            f"  only reference {sorted((Counter(map(key, mine)) - Counter(map(key, follow))).elements())}"
        )
    theirs_by_key: dict[tuple, list[dict]] = {}
    for r in follow:
        theirs_by_key.setdefault(key(r), []).append(r)
    status_used = []
    for r in mine:
        candidates = theirs_by_key.get(key(r))
        if not candidates:
            status_used.append(r["follow_status"] or "unknown")
            continue
        got = candidates[0]  # identical keys: identical (location, sku) -> identical judgement
        if got["month"] != M or got["rep"] != r["rep"]:
            problems.append(f"8 follow-through month/rep:\n  product   {got}\n  reference {r}")
        if r["follow_status"] is None:  # distribute: domain.md 8 gives no rule
            status_used.append(got["follow_status"])
            continue
        status_used.append(r["follow_status"])
        if (got["follow_status"], num(got["received_units"])) != (
            r["follow_status"],
            r["received_units"],
        ):
            problems.append(f"8 follow-through line:\n  product   {got}\n  reference {r}")

    # --- 8: rep scorecard (distribute lines counted with the product's own status)
    judged = [{**r, "follow_status": s} for r, s in zip(mine, status_used, strict=True)]
    status_m = {r["location_id"]: r["status"] for r in comp_m}
    status_next = {r["location_id"]: r["status"] for r in comp_next}
    my_cards = ref.rep_scorecard(M, actions, judged, net["locations"], status_m, status_next)
    their_cards = {r["rep"]: r for r in cards}
    for rep in sorted(set(my_cards) | set(their_cards)):
        if rep not in their_cards:
            problems.append(f"8 scorecard: rep {rep} missing: reference {my_cards[rep]}")
            continue
        got = their_cards[rep]
        if rep not in my_cards:
            # a rep with nothing to score: every count must be 0
            if not all(num(got[c]) in (0, None) for c in ("lines", "fixed", "worse")):
                problems.append(f"8 scorecard: rep {rep} has nothing to score: product {got}")
            continue
        want = my_cards[rep]
        bad = [
            c
            for c in ("lines", "done", "partly", "not_done", "unknown", "fixed", "worse")
            if int(got[c]) != want[c]
        ] + [c for c in ("value_at_stake_cny", "done_value_cny") if not close(num(got[c]), want[c])]
        share = num(got["done_value_share"])
        if want["done_value_share"] is None:
            if share not in (None, 0.0):
                bad.append("done_value_share")
        elif not close(share, want["done_value_share"]):
            bad.append("done_value_share")
        if got["month"] != M:
            bad.append("month")
        if bad:
            problems.append(f"8 scorecard {rep} {bad}:\n  product   {got}\n  reference {want}")

    # --- 9: stuck at the distributor (bestsellers and new styles: the reference's own 4.2/4.3,
    # checked against the product's lists first)
    net_ref = ref.reference_network(M, net["products"], net["locations"], net["sales"], rules)
    if best != set(ref.rr.bestsellers(net_ref, rules)) or new != ref.rr.new_styles(net_ref, rules):
        problems.append(f"4.2/4.3 lists differ: product {best} {new}")
    want_stuck = ref.stuck(M, net["products"], net["locations"], net["stock"], net["sales"], rules)
    got_by_key = {(r["distributor_id"], r["style"]): r for r in stuck_rows}
    want_by_key = {(r["distributor_id"], r["style"]): r for r in want_stuck}
    for k in sorted(set(got_by_key) | set(want_by_key)):
        got, w = got_by_key.get(k), want_by_key.get(k)
        if got is None or w is None:
            problems.append(f"9 stuck pair {k}:\n  product   {got}\n  reference {w}")
            continue
        same = (
            got["month"] == M
            and int(got["held_units"]) == w["held_units"]
            and int(got["stores"]) == w["stores"]
            and int(got["stores_with_style"]) == w["stores_with_style"]
            and close(num(got["reach"]), w["reach"])
            and close(num(got["elsewhere_sell_through"]), w["elsewhere_sell_through"])
            and got["lacking_location_ids"] == w["lacking_location_ids"]
            and int(got["units"]) == w["units"]
            and close(num(got["value_at_stake_cny"]), w["value_at_stake_cny"])
        )
        if not same:
            problems.append(f"9 stuck row:\n  product   {got}\n  reference {w}")
    # 9: each stuck pair is a distribute action at the distributor
    distribute = sorted(
        (r["location_id"], r["style"], int(r["units"]), r["lacking_location_ids"])
        for r in actions
        if r["action"] == "distribute"
    )
    wanted = sorted(
        (w["distributor_id"], w["style"], w["units"], w["lacking_location_ids"]) for w in want_stuck
    )
    if distribute != wanted:
        problems.append(f"9 distribute actions:\n  product   {distribute}\n  reference {wanted}")
    stats = {
        "lines": len(mine),
        "stuck": len(want_stuck),
        **Counter(r["follow_status"] for r in judged),
    }
    return problems, stats


# --- hand-made networks kept as explicit examples ------------------------------------------------


def _loc(lid: str, kind: str, dist: str, status: str = "active") -> dict:
    return {
        "location_id": lid,
        "kind": kind,
        "distributor_id": dist,
        "region": "North",
        "rep": "Wang",
        "min_styles": 1,
        "status": status,
    }


def _sku(style: str, size: str, core: bool | None = True) -> dict:
    return {
        "sku": f"{style}-BK-{size}",
        "style": style,
        "colour": "BK",
        "size": size,
        "category": "bra",
        "launch_month": "2024-01",
        "price": 100,
        "is_core_size": core,
    }


# 9 by hand (M = 2026-10, W = 08..10). A (4 of the 7 units sold in W) is the bestseller; X is
# old. X is held at D1 (6 units), shown at none of D1's stores (S1: reach 0) and sells 3 of 5
# at U1 in the other group (elsewhere sell-through 0.6): stuck at D1, lacking S1. X's only
# colour BK is its core colour but no size is flagged core, so n = 0 and units = min(6, 1 x 0)
# = 0; value_at_stake = (3 / (3 x 1)) x 1 x 100 = 100. "Each stuck pair is a distribute action
# at the distributor" (domain.md 9): a line of 0 units worth 100 in the follow-through and the
# scorecard (the product once left such pairs out of the actions).
STUCK_WITHOUT_CORE_SKUS = {
    "products": [_sku("A", "70A"), _sku("X", "70A", False), _sku("X", "75B", False)],
    "locations": [
        _loc("D1", "distributor", ""),
        _loc("S1", "store", "D1"),
        _loc("D2", "distributor", ""),
        _loc("U1", "store", "D2"),
    ],
    "stock": {
        "2026-07": {},
        "2026-08": {},
        "2026-09": {},
        "2026-10": {
            "D1": {"X-BK-70A": 6},
            "S1": {"A-BK-70A": 1},
            "D2": {"A-BK-70A": 2},
            "U1": {"X-BK-70A": 2},
        },
        "2026-11": {"D1": {"X-BK-70A": 6}},
    },
    "sales": {"2026-10": {"U1": {"X-BK-70A": 3}, "S1": {"A-BK-70A": 4}}},
}

# 9 by hand: D2's only store is closed, so D2's group has no counted store (reach 0) and no
# store lacks X: X (held 6 at D2, elsewhere sell-through 3 / 5 = 0.6 at S1) is stuck with
# units min(6, 0) = 0 and value 0: still a distribute line (of nothing), as the stuck row.
STUCK_WITHOUT_STORES = {
    "products": [_sku("A", "70A"), _sku("X", "70A")],
    "locations": [
        _loc("D1", "distributor", ""),
        _loc("S1", "store", "D1"),
        _loc("D2", "distributor", ""),
        _loc("U1", "store", "D2", "closed"),
    ],
    "stock": {
        "2026-07": {},
        "2026-08": {},
        "2026-09": {},
        "2026-10": {
            "D1": {"A-BK-70A": 12},
            "S1": {"X-BK-70A": 2, "A-BK-70A": 1},
            "D2": {"X-BK-70A": 6, "A-BK-70A": 2},
        },
        "2026-11": {"D1": {"A-BK-70A": 12}},
    },
    "sales": {"2026-10": {"S1": {"X-BK-70A": 3, "A-BK-70A": 4}}},
}


def run_check(net: dict) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="ft-"))
    try:
        problems, _ = check(net, tmp)
        assert not problems, "\n".join(problems) + "\n\nnetwork:\n" + describe(net)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.mark.parametrize(
    "net",
    [STUCK_WITHOUT_CORE_SKUS, STUCK_WITHOUT_STORES],
    ids=["stuck-without-core-skus", "stuck-without-stores"],
)
def test_kept_examples(net: dict) -> None:
    """Disagreements found by the property test, shrunk by hand (see the networks' notes)."""
    run_check(net)


# The data of a drawn network come from a seeded generator, so shrinking cannot make them
# smaller: it is switched off (a failure is shrunk by hand and kept above).
@settings(
    max_examples=30,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(net=networks())
def test_follow_through_scorecard_and_stuck_agree_with_the_reference(net: dict) -> None:
    run_check(net)
