"""A deliberately simple second implementation of domain.md 8 and 9, in plain Python.

Written from domain.md only (not from assortment/followthrough.py or assortment/stuck.py):
dicts and loops, no polars. It is what the product's ``follow-through``, ``rep-scorecard``
and ``stuck`` exports are checked against in tests/test_property_followthrough.py.

Inputs are plain data:

- ``products``: one dict per SKU (sku, style, colour, size, category, launch_month as
  ``YYYY-MM``, price, is_core_size True/False/None);
- ``locations``: one dict per location (location_id, kind, distributor_id, region, rep,
  status 'active'/'closed');
- ``stock``: {month 'YYYY-MM': {location_id: {sku: on_hand}}}; a location is counted in a
  month when it has a row there (rows of 0 count);
- ``sales``: {month: {location_id: {sku: units_sold}}}.

Section 8 judges the action lines of month M, which are an input here (the product's own
``actions`` export of M, one dict per row, as strings); the statuses of M and M+1 are an
input too (the product's ``compliance`` export). Section 9 needs the bestsellers, the new
styles and the core SKUs of 4.2-4.6, taken from tests/reference_rules.py.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from assortment.config import Rules
from tests import reference_rules as rr

TOL = 1e-9


# --- months ------------------------------------------------------------------------------------


def month_index(month: str) -> int:
    year, mon = month.split("-")
    return int(year) * 12 + int(mon) - 1


def month_text(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def shift(month: str, k: int) -> str:
    return month_text(month_index(month) + k)


def window(month: str, rules: Rules) -> list[str]:
    """W: the L months ending with M."""
    return [shift(month, -k) for k in range(rules.lookback_months - 1, -1, -1)]


# --- small helpers over the plain data ---------------------------------------------------------


def counted(stock: dict, month: str, location_id: str) -> bool:
    """3: a location is counted in a month when at least one stock row exists for it then."""
    return len(stock.get(month, {}).get(location_id, {})) > 0


def on_hand_sku(stock: dict, month: str, location_id: str, sku: str) -> int:
    return stock.get(month, {}).get(location_id, {}).get(sku, 0)


def units_sku(sales: dict, month: str, location_id: str, sku: str) -> int:
    return sales.get(month, {}).get(location_id, {}).get(sku, 0)


def skus_of_style(products: list[dict], style: str) -> list[str]:
    return [p["sku"] for p in products if p["style"] == style]


def on_hand_style(
    stock: dict, month: str, location_id: str, products: list[dict], style: str
) -> int:
    return sum(on_hand_sku(stock, month, location_id, k) for k in skus_of_style(products, style))


def units_style_w(
    sales: dict, months: list[str], location_id: str, products: list[dict], style: str
) -> int:
    return sum(
        units_sku(sales, m, location_id, k) for m in months for k in skus_of_style(products, style)
    )


# --- section 8: follow-through ------------------------------------------------------------------


def received(stock: dict, sales: dict, month: str, location_id: str, sku: str) -> int:
    """8: on_hand(l,k,M+1) + units(l,k,M+1) - on_hand(l,k,M)."""
    nxt = shift(month, 1)
    return (
        on_hand_sku(stock, nxt, location_id, sku)
        + units_sku(sales, nxt, location_id, sku)
        - on_hand_sku(stock, month, location_id, sku)
    )


def follow_through(
    month: str,
    action_rows: list[dict],
    products: list[dict],
    locations: list[dict],
    stock: dict,
    sales: dict,
    rules: Rules,
) -> list[dict]:
    """8: one row per action line of M.

    Transfer / replenish lines and clearance lines follow domain.md 8. domain.md gives no rule
    for a ``distribute`` line (9): its received_units and follow_status are returned as None
    ("not specified") and the caller decides what to do with them.
    """
    rep = {loc["location_id"]: loc["rep"] for loc in locations}
    nxt = shift(month, 1)
    out = []
    for row in action_rows:
        loc = row["location_id"]
        action = row["action"]
        units = int(row["units"])
        known = counted(stock, nxt, loc)
        got: int | None = None
        status: str | None
        if action in ("transfer", "replenish"):
            if not known:
                status = "unknown"
            else:
                got = received(stock, sales, month, loc, row["sku"])
                if got >= units:
                    status = "done"
                elif got >= 1:
                    status = "partly"
                else:
                    status = "not_done"
        elif action == "clearance":
            if not known:
                status = "unknown"
            else:
                before = on_hand_style(stock, month, loc, products, row["style"])
                after = on_hand_style(stock, nxt, loc, products, row["style"])
                if after <= (1 - rules.clearance_done_share) * before + TOL:
                    status = "done"
                elif after < before:
                    status = "partly"
                else:
                    status = "not_done"
        else:  # distribute (9) and anything else: domain.md 8 does not say
            status = None
        out.append(
            {
                "month": month,
                "location_id": loc,
                "rep": rep[loc],
                "action": action,
                "style": row["style"],
                "colour": row["colour"],
                "size": row["size"],
                "sku": row["sku"],
                "units": units,
                "received_units": got,
                "follow_status": status,
            }
        )
    return out


def rep_scorecard(
    month: str,
    action_rows: list[dict],
    follow_rows: list[dict],
    locations: list[dict],
    status_m: dict[str, str],
    status_next: dict[str, str],
) -> dict[str, dict]:
    """8: {rep: lines, done, partly, not_done, unknown, value_at_stake_cny, done_value_cny,
    done_value_share, fixed, worse}.

    ``follow_rows`` are parallel to ``action_rows`` (same order); the value at stake of a line
    is its ``value_at_stake_cny`` in the actions export (empty counts 0). ``done_value_share``
    is None when the rep's lines carry no value at stake (domain.md does not say).
    """
    rep = {loc["location_id"]: loc["rep"] for loc in locations}
    cards: dict[str, dict] = {}

    def card(r: str) -> dict:
        if r not in cards:
            cards[r] = {
                "lines": 0,
                "done": 0,
                "partly": 0,
                "not_done": 0,
                "unknown": 0,
                "value_at_stake_cny": 0.0,
                "done_value_cny": 0.0,
                "fixed": 0,
                "worse": 0,
            }
        return cards[r]

    for action, follow in zip(action_rows, follow_rows, strict=True):
        c = card(rep[action["location_id"]])
        c["lines"] += 1
        c[follow["follow_status"]] += 1
        value = float(action["value_at_stake_cny"]) if action["value_at_stake_cny"] else 0.0
        c["value_at_stake_cny"] += value
        if follow["follow_status"] == "done":
            c["done_value_cny"] += value
    for loc in locations:
        lid = loc["location_id"]
        before, after = status_m.get(lid), status_next.get(lid)
        fixed = before in ("fail", "warn") and after == "pass"
        worse = (before == "pass" and after in ("warn", "fail")) or (
            before == "warn" and after == "fail"
        )
        if fixed or worse:
            c = card(rep[lid])
            c["fixed"] += fixed
            c["worse"] += worse
    for c in cards.values():
        c["done_value_share"] = (
            c["done_value_cny"] / c["value_at_stake_cny"] if c["value_at_stake_cny"] > 0 else None
        )
    return cards


# --- section 9: stuck at the distributor ---------------------------------------------------------


def reference_network(
    month: str, products: list[dict], locations: list[dict], sales: dict, rules: Rules
) -> rr.Network:
    """The inputs of tests/reference_rules.py for 4.2-4.6 (bestsellers, new, core SKUs)."""

    def as_date(m: str) -> date:
        return date(int(m[:4]), int(m[5:7]), 1)

    w = window(month, rules)
    twelve = [shift(month, -k) for k in range(12)]
    sales_w: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    units_12m: dict[str, int] = defaultdict(int)
    for m, per_loc in sales.items():
        for loc, per_sku in per_loc.items():
            for sku, n in per_sku.items():
                if m in w:
                    sales_w[loc][sku] += n
                if m in twelve:
                    units_12m[sku] += n
    return rr.Network(
        month=as_date(month),
        products=[{**p, "launch_month": as_date(p["launch_month"])} for p in products],
        locations=[
            {
                "location_id": loc["location_id"],
                "kind": loc["kind"],
                "distributor_id": loc["distributor_id"],
                "region": loc["region"],
                "rep": loc["rep"],
                "min_styles": loc.get("min_styles"),
                "status": loc["status"],
            }
            for loc in locations
        ],
        sales_w={k: dict(v) for k, v in sales_w.items()},
        units_12m=dict(units_12m),
    )


def required_core_skus(net: rr.Network, rules: Rules, style: str) -> list[str]:
    """6.2's core SKUs of a style: the core sizes of its core colours, or of all its colours
    when the style sold nothing in W."""
    cores = rr.core_skus(net, rules)
    colours_core = rr.core_colours(net, rules)
    sold = rr.net_units(net).get(style, 0)
    out = []
    for (s, colour), skus in cores.items():
        if s == style and (sold == 0 or colour in colours_core[s]):
            out += sorted(skus)
    return out


def stuck(
    month: str,
    products: list[dict],
    locations: list[dict],
    stock: dict,
    sales: dict,
    rules: Rules,
    *,
    bestsellers: set[str] | None = None,
    new_styles: set[str] | None = None,
    counted_when: str = "M",
) -> list[dict]:
    """9: one row per stuck (distributor group, style), ordered by distributor then style.

    ``bestsellers`` and ``new_styles`` default to tests/reference_rules.py's answers.
    ``counted_when``: "M" (a store is counted when it has a count in M, 3's definition for
    month M) or "W" (a count in any month of W): an alternative reading, for experiments.
    """
    net = reference_network(month, products, locations, sales, rules)
    if bestsellers is None:
        bestsellers = set(rr.bestsellers(net, rules))
    if new_styles is None:
        new_styles = rr.new_styles(net, rules)
    w = window(month, rules)
    price = {p["style"]: float(p["price"]) for p in products}
    styles = sorted({p["style"] for p in products})
    active = [loc for loc in locations if loc["status"] != "closed"]
    distributors = sorted(
        (loc for loc in active if loc["kind"] == "distributor"), key=lambda d: d["location_id"]
    )

    def counted_stores(inside: str | None, outside: str | None) -> list[str]:
        """Counted (in M) active stores of group ``inside``, or of every group but ``outside``."""
        return sorted(
            loc["location_id"]
            for loc in active
            if loc["kind"] == "store"
            and (
                counted(stock, month, loc["location_id"])
                if counted_when == "M"
                else any(counted(stock, m, loc["location_id"]) for m in w)
            )
            and (inside is None or loc["distributor_id"] == inside)
            and (outside is None or loc["distributor_id"] != outside)
        )

    def group_stores(inside: str) -> list[str]:
        """Every active store of group ``inside``."""
        return sorted(
            loc["location_id"]
            for loc in active
            if loc["kind"] == "store" and loc["distributor_id"] == inside
        )

    def in_stock_in_w(lid: str, style: str) -> bool:
        return any(on_hand_style(stock, m, lid, products, style) >= 1 for m in w)

    rows = []
    for d in distributors:
        g = d["location_id"]
        own = counted_stores(g, None)
        others = counted_stores(None, g)
        for s in styles:
            if s in bestsellers or s in new_styles:
                continue
            with_style = [lid for lid in own if in_stock_in_w(lid, s)]
            reach = len(with_style) / len(own) if own else 0.0
            held = on_hand_style(stock, month, g, products, s)
            shown = [lid for lid in others if in_stock_in_w(lid, s)]
            sell_through = None
            elsewhere_units = 0
            if shown:
                elsewhere_units = sum(units_style_w(sales, w, lid, products, s) for lid in shown)
                elsewhere_on_hand = sum(
                    on_hand_style(stock, month, lid, products, s) for lid in shown
                )
                if elsewhere_units + elsewhere_on_hand > 0:
                    sell_through = elsewhere_units / (elsewhere_units + elsewhere_on_hand)
            is_stuck = (
                held >= rules.stuck_min_units
                and reach < rules.min_store_reach - TOL
                and sell_through is not None
                and sell_through >= rules.proven_sell_through - TOL
            )
            if not is_stuck:
                continue
            # "the stores of g": g is the distributor and its active stores (counted in M or
            # not; unlike reach, the clause does not say "counted")
            lacking = [
                lid for lid in group_stores(g) if on_hand_style(stock, month, lid, products, s) < 1
            ]
            n = len(required_core_skus(net, rules, s))
            rate = elsewhere_units / (rules.lookback_months * len(shown))
            rows.append(
                {
                    "month": month,
                    "distributor_id": g,
                    "style": s,
                    "held_units": held,
                    "stores": len(own),
                    "stores_with_style": len(with_style),
                    "reach": reach,
                    "elsewhere_sell_through": sell_through,
                    "lacking_location_ids": ";".join(sorted(lacking)),
                    "units": min(held, len(lacking) * n),
                    "value_at_stake_cny": rate * len(lacking) * price[s],
                }
            )
    return rows
