"""The stuck list end to end: store -> job -> `stuck` table -> export, against a plain-Python oracle.

The oracle reads the raw tables (locations, products, stock, sales) and the month's bestsellers,
new styles and core sizes, and follows domain.md 9 word by word; it shares no code with
assortment/stuck.py.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from datetime import date
from pathlib import Path

import pytest

from assortment import months, store
from assortment.config import Settings
from assortment.export import export
from assortment.job import classify
from assortment.sample import generate, load_network

COLUMNS = (
    "month,distributor_id,style,held_units,stores,stores_with_style,reach,"
    "elsewhere_sell_through,lacking_location_ids,units,value_at_stake_cny"
)


@pytest.fixture(scope="module")
def network_store(tmp_path_factory) -> Settings:
    tmp = tmp_path_factory.mktemp("net")
    net = generate(seed=5, distributors=3, stores=18, styles=60, months=7)
    settings = Settings(db_path=tmp / "data" / "assortment.duckdb")
    load_network(net, settings, folder=tmp)
    classify(settings)
    return settings


def oracle(con, month: date, *, lookback: int = 3) -> list[tuple]:
    """domain.md 9 by hand: one tuple per stuck (distributor, style), export order."""
    w = [months.add(month, -i) for i in range(lookback)]
    locs = {
        r[0]: r[1:]
        for r in con.execute(
            "select location_id, kind, distributor_id, status from locations"
        ).fetchall()
    }
    key_of = dict(con.execute("select location_key, location_id from locations").fetchall())
    sku = {
        k: (s, c, p)
        for k, s, c, p in con.execute(
            "select sku_key, style, colour, price_cny from products"
        ).fetchall()
    }
    price = {s: p for s, _, p in sku.values()}
    on_hand: dict[tuple, int] = defaultdict(int)  # (month, location, style)
    counted_m = set()
    for m, lk, sk, q in con.execute(
        "select month, location_key, sku_key, on_hand from stock where month >= ?", [w[-1]]
    ).fetchall():
        on_hand[(m, key_of[lk], sku[sk][0])] += q
        if m == month:
            counted_m.add(key_of[lk])
    units: dict[tuple, int] = defaultdict(int)  # (location, style) over W, every location
    colour_units: dict[tuple, int] = defaultdict(int)
    for lk, sk, u in con.execute(
        "select location_key, sku_key, units_sold from sales where month between ? and ?",
        [w[-1], month],
    ).fetchall():
        units[(key_of[lk], sku[sk][0])] += u
        colour_units[(sku[sk][0], sku[sk][1])] += u
    required = {
        s
        for (s,) in con.execute(
            "select style from bestsellers where month = ? union select style from new_styles"
            " where month = ?",
            [month, month],
        ).fetchall()
    }
    core = defaultdict(list)  # style -> [(colour, sku)]
    for s, c, k in con.execute(
        "select style, colour, sku from core_skus where month = ?", [month]
    ).fetchall():
        core[s].append((c, k))

    def n_core(style: str) -> int:
        total = sum(u for (s, _), u in colour_units.items() if s == style)
        colours = {
            c
            for (s, c), u in colour_units.items()
            if s == style and total and u / total >= 0.25 - 1e-9
        }
        return sum(1 for c, _ in core[style] if c in colours or not total)

    def active(loc: str) -> bool:
        return locs[loc][2] != "closed"

    distributors = [d for d, (k, _, _) in locs.items() if k == "distributor" and active(d)]
    stores = {
        s
        for s, (k, d, _) in locs.items()
        if k == "store" and active(s) and s in counted_m  # a closed distributor's too
    }

    def had(store_id: str, style: str) -> bool:
        return any(on_hand[(m, store_id, style)] >= 1 for m in w)

    out = []
    for g in distributors:
        mine = sorted(s for s in stores if locs[s][1] == g)
        for style in sorted(price):
            if style in required:
                continue
            held = on_hand[(month, g, style)]
            with_style = [s for s in mine if had(s, style)]
            reach = len(with_style) / len(mine) if mine else 0.0
            elsewhere = [s for s in stores if locs[s][1] != g and had(s, style)]
            u = sum(units[(s, style)] for s in elsewhere)
            q = sum(on_hand[(month, s, style)] for s in elsewhere)
            if not elsewhere or u + q == 0:
                continue
            st = u / (u + q)
            if held >= 6 and reach < 0.5 - 1e-9 and st >= 0.3 - 1e-9:
                # lacking: every active store of g without s in M, counted or not
                group = sorted(
                    s for s, (k, d, _) in locs.items() if k == "store" and d == g and active(s)
                )
                lacking = [s for s in group if on_hand[(month, s, style)] < 1]
                rate = u / (lookback * len(elsewhere))
                out.append(
                    (
                        month.strftime("%Y-%m"),
                        g,
                        style,
                        held,
                        len(mine),
                        len(with_style),
                        reach,
                        st,
                        ";".join(lacking),
                        min(held, len(lacking) * n_core(style)),
                        rate * len(lacking) * price[style],
                    )
                )
    out.sort(key=lambda r: (-r[-1], r[1], r[2]))
    return out


def test_stuck_export_matches_the_oracle(network_store: Settings, tmp_path: Path) -> None:
    out = tmp_path / "stuck.csv"
    with store.reader(network_store) as con:
        n = export(con, "stuck", None, out)
        (month,) = con.execute("select max(month) from classify_runs").fetchone()
        expected = oracle(con, month)
    with out.open(encoding="utf-8") as fh:
        assert fh.readline().strip() == COLUMNS
    with out.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert n == len(rows) == len(expected) > 0
    for got, want in zip(rows, expected, strict=True):
        assert tuple(
            got[c] for c in ("month", "distributor_id", "style", "lacking_location_ids")
        ) == (
            want[0],
            want[1],
            want[2],
            want[8],
        )
        assert (int(got["held_units"]), int(got["stores"]), int(got["stores_with_style"])) == want[
            3:6
        ]
        assert float(got["reach"]) == pytest.approx(want[6])
        assert float(got["elsewhere_sell_through"]) == pytest.approx(want[7])
        assert int(got["units"]) == want[9]
        assert float(got["value_at_stake_cny"]) == pytest.approx(want[10])


def test_style_chances_cover_counted_active_stores_only(network_store: Settings) -> None:
    with store.reader(network_store) as con:
        bad = con.execute(
            "select count(*) from style_chances as c join locations as l using (location_id)"
            " where c.month = (select max(month) from classify_runs)"
            " and (l.kind <> 'store' or l.status = 'closed' or l.location_id not in"
            " (select location_id from compliance where month = c.month and status <> 'no_count'))"
        ).fetchone()[0]
        n = con.execute("select count(*) from style_chances").fetchone()[0]
    assert n > 0 and bad == 0


def test_each_stuck_style_with_units_is_a_distribute_line_at_its_distributor(
    network_store: Settings,
) -> None:
    with store.reader(network_store) as con:
        lines = con.execute(
            "select location_id, style, units, lacking_location_ids, reason_code from actions"
            " where action = 'distribute' order by all"
        ).fetchall()
        listed = con.execute(
            "select distributor_id, style, units, array_to_string(lacking_location_ids, ';'),"
            " 'stuck_at_distributor' from stuck where units > 0 order by all"
        ).fetchall()
    assert lines == listed and lines


# --- a network small enough to check by hand: the distribute line from the stuck list to its
# follow-through (domain.md 9 and the lead's rule for distribute lines in section 8) ---------

HAND_PRODUCTS = """sku,style,colour,size,category,launch_month,price,is_core_size
F-BK-75B,F,BK,75B,bra,2024-01,100,true
F-BK-80B,F,BK,80B,bra,2024-01,100,true
X-BK-75B,X,BK,75B,bra,2024-01,100,true
X-BK-80B,X,BK,80B,bra,2024-01,100,true
"""

HAND_LOCATIONS = """location_id,name,kind,distributor_id,region,province,city,rep,min_styles
D01,North D,distributor,,North,HB,SJZ,张伟,1
S011,North 1,store,D01,North,HB,SJZ,张伟,1
S012,North 2,store,D01,North,HB,SJZ,张伟,1
D09,South D,distributor,,South,GD,GZ,李娜,1
S091,South 1,store,D09,South,GD,GZ,李娜,1
"""

HAND_STOCK = {
    "2026-09": {"S091": {"X-BK-75B": 5, "X-BK-80B": 5, "F-BK-75B": 10}},
    "2026-10": {
        "D01": {"X-BK-75B": 10, "X-BK-80B": 10},
        "D09": {"F-BK-75B": 3},
        "S091": {"X-BK-75B": 2, "X-BK-80B": 2, "F-BK-75B": 5},
    },
    "2026-11": {
        "D01": {"X-BK-75B": 8, "X-BK-80B": 9},
        "S011": {"X-BK-75B": 2},
        "S091": {"X-BK-75B": 2, "X-BK-80B": 2, "F-BK-75B": 5},
    },
}
HAND_SALES = {
    "2026-10": {"S091": {"X-BK-75B": 3, "X-BK-80B": 3, "F-BK-75B": 20}},
    "2026-11": {"S011": {"X-BK-80B": 1}, "S012": {"X-BK-75B": 5}},
}


@pytest.fixture(scope="module")
def hand_store(tmp_path_factory) -> Settings:
    """M = 2026-10. F sold 20 of 26 units: the only bestseller; X is neither required nor new.

    D01 holds 20 of X; its stores S011 and S012 are active but not counted in 10 (stores 0,
    reach 0). Elsewhere S091 sold 6 and holds 4: 0.6, proven. X is stuck at D01; lacking =
    S011;S012 (no X on hand in 10, counted or not); n = 2 core sizes: units min(20, 2 x 2) = 4;
    rate 6 / (3 months x 1 store) = 2: value 2 x 2 x 100 = 400.

    M+1 = 2026-11: S011 counts 2 of X-75B and sold 1 of X-80B (received 3); S012 sold 5 but
    has no count (left out); D01's own count plays no part: received 3 of 4, partly.
    """
    from assortment.ingest import load_file
    from tests.conftest import TODAY, write

    tmp = tmp_path_factory.mktemp("hand")
    settings = Settings(db_path=tmp / "data" / "assortment.duckdb")
    store.init(settings)
    with store.writer(settings) as con:
        load_file(con, settings, "products", write(tmp / "p.csv", HAND_PRODUCTS), today=TODAY)
        load_file(con, settings, "locations", write(tmp / "l.csv", HAND_LOCATIONS), today=TODAY)
        for kind, table, value in (
            ("stock", HAND_STOCK, "on_hand"),
            ("sales", HAND_SALES, "units_sold"),
        ):
            for month, per_loc in table.items():
                lines = [f"month,location_id,sku,{value}"] + [
                    f"{month},{loc},{sku},{n}"
                    for loc, per_sku in per_loc.items()
                    for sku, n in per_sku.items()
                ]
                path = write(tmp / f"{kind}-{month}.csv", "\n".join(lines) + "\n")
                load_file(con, settings, kind, path, today=TODAY)
    classify(settings, month="2026-10")
    classify(settings, month="2026-11")
    return settings


def _exported(settings: Settings, kind: str, tmp_path: Path) -> list[dict[str, str]]:
    out = tmp_path / f"{kind}.csv"
    with store.reader(settings) as con:
        export(con, kind, "2026-10", out)
    with out.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_a_group_with_no_counted_store_gets_its_distribute_line(hand_store, tmp_path) -> None:
    rows = [r for r in _exported(hand_store, "stuck", tmp_path) if r["style"] == "X"]
    assert [
        (r["distributor_id"], r["held_units"], r["stores"], r["stores_with_style"], r["reach"])
        + (r["lacking_location_ids"], r["units"])
        for r in rows
    ] == [("D01", "20", "0", "0", "0.0", "S011;S012", "4")]
    assert float(rows[0]["elsewhere_sell_through"]) == pytest.approx(0.6)
    assert float(rows[0]["value_at_stake_cny"]) == pytest.approx(400.0)


def test_a_distribute_line_is_judged_at_its_lacking_stores(hand_store, tmp_path) -> None:
    rows = _exported(hand_store, "follow-through", tmp_path)
    got = [
        tuple(r[c] for c in ("location_id", "rep", "action", "style", "colour", "size", "sku"))
        + (r["units"], r["received_units"], r["follow_status"])
        for r in rows
        if r["action"] == "distribute"
    ]
    assert got == [("D01", "张伟", "distribute", "X", "", "", "", "4", "3", "partly")]
    card = {r["rep"]: r for r in _exported(hand_store, "rep-scorecard", tmp_path)}
    wang = {r["action"]: r["follow_status"] for r in rows if r["rep"] == "张伟"}
    assert int(card["张伟"]["lines"]) == sum(1 for r in rows if r["rep"] == "张伟")
    assert int(card["张伟"]["partly"]) >= 1 and wang["distribute"] == "partly"
