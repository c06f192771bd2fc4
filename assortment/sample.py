"""Synthetic brand network: a lingerie brand's distributors and stores, with monthly counts.

Products and locations are built at once; the month-end stock count and the month's sales are
drawn lazily, one month at a time, from the seed and the month, so that a benchmark-size
network never has to sit in memory in full. Each month is drawn with vectorised numpy; only
the catalogue and the locations (a few thousand rows, built once) are built row by row.

The model, in the terms of domain.md sections 1-3:

- Styles launch twice a year (March and September, about 10% of the catalogue each time);
  styles launched before the first month are the old catalogue. Popularity is Zipf-like by
  rank, each style has a lifecycle (ramp-up, then decay; a few evergreen classics) and a taste
  per region.
- Bras come in a band x cup grid whose size curve peaks at 75B and 80B; briefs in S-XXL; sets
  use the bra grid. Some bra styles leave ``is_core_size`` empty (core sizes then come from
  the category curve, domain.md 4.5).
- A location's range (the styles it carries) is decided at each season start. Distributors
  carry the brand's core range, every current-season new style and a pick of the rest;
  stores carry the likely bestsellers and the new styles, then last season's styles that suit
  the region, a few old favourites, and a local pick driven by regional taste.
- A carried colour is stocked with at least one unit of each display size plus a few months of
  demand; stores carry a style's secondary colours only some of the time.

Planted troubles (``Network.planted``) make every status and reason of domain.md section 5
show in the last month with the default rules.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from assortment.config import Rules
from assortment.errors import UsageError
from assortment.months import fmt, from_index, index, parse
from assortment.vocab import LOCATION_KINDS

if TYPE_CHECKING:
    from assortment.config import Settings

__all__ = ["Network", "generate", "write_files"]

# ---------------------------------------------------------------------------------------------
# Catalogue and network constants

REGIONS = ("North", "East", "South", "West", "Central")

#: (province, region, cities); a distributor sits in the first city of its province.
PROVINCES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("河北省", "North", ("石家庄", "保定", "唐山", "邯郸", "廊坊")),
    ("江苏省", "East", ("南京", "苏州", "无锡", "常州", "徐州")),
    ("广东省", "South", ("广州", "深圳", "东莞", "佛山", "珠海")),
    ("四川省", "West", ("成都", "绵阳", "德阳", "宜宾", "南充")),
    ("河南省", "Central", ("郑州", "洛阳", "南阳", "新乡", "开封")),
    ("浙江省", "East", ("杭州", "宁波", "温州", "绍兴", "嘉兴")),
    ("山东省", "North", ("济南", "青岛", "烟台", "潍坊", "临沂")),
    ("湖北省", "Central", ("武汉", "宜昌", "襄阳", "荆州", "黄石")),
    ("福建省", "South", ("福州", "厦门", "泉州", "漳州", "莆田")),
    ("陕西省", "West", ("西安", "宝鸡", "咸阳", "渭南", "汉中")),
    ("辽宁省", "North", ("沈阳", "大连", "鞍山", "锦州", "营口")),
    ("安徽省", "East", ("合肥", "芜湖", "蚌埠", "安庆", "马鞍山")),
    ("湖南省", "Central", ("长沙", "株洲", "湘潭", "衡阳", "岳阳")),
    ("广西壮族自治区", "South", ("南宁", "桂林", "柳州", "梧州", "北海")),
    ("重庆市", "West", ("重庆", "万州", "涪陵", "永川", "江津")),
    ("北京市", "North", ("北京", "通州", "顺义", "昌平", "大兴")),
    ("上海市", "East", ("上海", "浦东", "松江", "嘉定", "闵行")),
    ("云南省", "West", ("昆明", "曲靖", "大理", "玉溪", "丽江")),
    ("江西省", "Central", ("南昌", "赣州", "九江", "上饶", "宜春")),
    ("海南省", "South", ("海口", "三亚", "儋州", "琼海", "万宁")),
)

#: Several reps per region; a rep covers a distributor and most of its stores.
REPS: dict[str, tuple[str, ...]] = {
    "North": ("张伟", "王芳", "李强"),
    "East": ("刘洋", "陈静", "杨磊"),
    "South": ("黄敏", "赵勇", "周婷"),
    "West": ("吴刚", "徐丽", "孙杰"),
    "Central": ("马超", "朱琳", "胡斌"),
}

TRADE_NAMES = ("美姿", "丽人", "雅黛", "悦己", "芳华", "婷秀", "柔美", "锦绣", "佳人", "青春")
MALLS = (
    "万达广场",
    "银泰城",
    "百货大楼",
    "天虹商场",
    "王府井",
    "吾悦广场",
    "万象城",
    "新世界",
    "大润发",
    "步步高",
    "国贸商城",
    "苏宁广场",
    "印象城",
    "龙湖天街",
    "宝龙广场",
    "华润万家",
)

#: Colour code -> Chinese name. Codes stay ASCII so that they survive every encoding.
COLOURS = {
    "BLK": "黑色",
    "NUD": "肤色",
    "WHT": "白色",
    "RED": "酒红",
    "PNK": "粉色",
    "NVY": "藏青",
    "GRY": "灰色",
    "PRP": "紫色",
    "BEI": "米色",
    "GRN": "墨绿",
}
MAIN_COLOURS = ("BLK", "NUD", "WHT")

#: Bra sizes (band x cup) and the brand's size curve: most units sell in 75B and 80B.
BRA_SIZES = ("70A", "70B", "75A", "75B", "75C", "80A", "80B", "80C", "80D", "85B", "85C", "85D")
BRA_CURVE = (0.02, 0.06, 0.09, 0.19, 0.13, 0.07, 0.17, 0.12, 0.05, 0.04, 0.04, 0.02)
BRA_CORE = frozenset({"75A", "75B", "75C", "80B", "80C"})
BRIEF_SIZES = ("S", "M", "L", "XL", "XXL")
BRIEF_CURVE = (0.16, 0.36, 0.30, 0.13, 0.05)
BRIEF_CORE = frozenset({"S", "M", "L"})
#: Sizes kept at one unit or more: a superset of the core sizes under either rule of 4.5.
DISPLAY_SIZES = frozenset(
    {"70B", "75A", "75B", "75C", "80A", "80B", "80C", "80D", "S", "M", "L", "XL"}
)
#: Sizes that are core under either rule: zeroing one surely breaks a size run.
SURE_CORE = frozenset({"75B", "80B", "M"})

CATEGORIES = ("bra", "brief", "set")
CATEGORY_P = (0.60, 0.28, 0.12)
CATEGORY_DEMAND = (1.0, 1.0, 0.6)  # relative units per style: sets sell fewer, dearer units
PREFIX = {"bra": "BR", "brief": "BF", "set": "ST"}
PRICES = {
    "bra": (129.0, 159.0, 189.0, 219.0, 259.0, 299.0, 359.0),
    "brief": (39.0, 49.0, 59.0, 69.0, 89.0),
    "set": (199.0, 259.0, 299.0, 359.0, 429.0),
}
FEATURES = {
    "bra": ("蕾丝", "无痕", "无钢圈", "聚拢", "薄款", "美背", "前扣", "运动", "法式", "乳胶"),
    "brief": ("纯棉", "冰丝", "蕾丝", "无痕", "中腰", "高腰", "抗菌", "莫代尔"),
    "set": ("蕾丝", "法式", "无痕", "性感", "少女", "舒适", "真丝"),
}
NOUN = {"bra": "文胸", "brief": "内裤", "set": "套装"}

#: Month-of-year demand (Spring Festival dip in February, Double 11 peak in November).
SEASONALITY = (1.05, 0.80, 0.95, 1.0, 1.05, 1.0, 0.9, 0.9, 1.0, 1.05, 1.35, 1.15)
POP_OFFSET, POP_EXP = 8.0, 0.8  # popularity by rank r (0-based): (r + 8) ** -0.8

_RULES = Rules()  # the shipped rules: the network is planted against their defaults
NEW_MONTHS = _RULES.new_months  # new styles launched in the six months ending with M (4.3)
MIN_STYLES = {kind: _RULES.for_kind(kind).min_styles for kind in LOCATION_KINDS}  # section 5

#: Distributor roles D01, D02, ... in order; the last distributor is always 'no_count'.
DISTRIBUTOR_ROLES = ("healthy", "slow_pile", "sold_out", "healthy", "below_min")
#: Store roles, dealt to randomly chosen stores of the distributors that do upload.
STORE_ROLES = (
    "closed",
    "below_min",
    "flagship",
    "counter",
    "bestsellers_missing",
    "new_missing",
    "broken_sizes",
    "slow_pile",
    "shrinking",
    "shrinking_long",
    "broken_colour",
)


# ---------------------------------------------------------------------------------------------
# Months


def _season_start(month_abs: int) -> int:
    """The latest March or September at or before ``month_abs``."""
    return month_abs - ((month_abs % 12 - 2) % 6)


# ---------------------------------------------------------------------------------------------
# The network


@dataclass(eq=False)
class _Sim:
    """Static arrays from which any month's stock and sales are drawn.

    Shapes: T months, L locations, S styles, K SKUs. "Flat" positions index the
    (location, SKU) grid as ``location * K + sku``.
    """

    seed: int
    dense: bool
    months_abs: np.ndarray  # (T,)
    loc_ids: pl.Series  # (L,)
    sku_ids: pl.Series  # (K,)
    sku_style: np.ndarray  # (K,) style index
    sku_weight: np.ndarray  # (K,) colour share x size share
    sku_display: np.ndarray  # (K,) bool: keep at least one unit
    sku_price: np.ndarray  # (K,)
    style_launch: np.ndarray  # (S,) absolute launch month
    style_month: np.ndarray  # (T, S) popularity x lifecycle x seasonality
    loc_style: np.ndarray  # (L, S) location demand x regional taste (x 0.03 for piles)
    loc_cover: np.ndarray  # (L,) months of demand kept in stock
    colour_ok: np.ndarray  # (L, K) bool: the location carries the SKU's colour
    carried: np.ndarray  # (T, L, S) bool: the location carries the style that month
    counted: np.ndarray  # (T, L) bool: the location uploaded stock and sales that month
    zero_flat: np.ndarray  # flat positions sold out by a planted trouble ...
    zero_from: np.ndarray  # ... from this month index on
    pile_flat: list[np.ndarray]  # per pile location: flat positions of its slow old stock

    @property
    def n_sku(self) -> int:
        return int(self.sku_style.size)

    def month_index(self, month: str) -> int:
        hit = np.flatnonzero(self.months_abs == index(parse(month)))
        if hit.size == 0:
            first, last = (fmt(from_index(int(m))) for m in self.months_abs[[0, -1]])
            raise UsageError(f"month {month!r} is outside the network's months {first}..{last}")
        return int(hit[0])

    def demand(self, t: int) -> tuple[np.ndarray, np.ndarray]:
        """Flat positions carried and counted in month t (ascending) and their expected units."""
        mask = (self.carried[t] & self.counted[t][:, None])[:, self.sku_style] & self.colour_ok
        flat = np.flatnonzero(mask)
        loc, sku = np.divmod(flat, self.n_sku)
        style = self.sku_style[sku]
        rate = self.loc_style[loc, style] * self.style_month[t, style] * self.sku_weight[sku]
        return flat, rate

    def stock_arrays(self, t: int) -> tuple[np.ndarray, np.ndarray]:
        """Flat positions carried in month t and their month-end on hand (zeros included)."""
        rng = np.random.default_rng([self.seed, 1, int(self.months_abs[t])])
        flat, rate = self.demand(t)
        loc, sku = np.divmod(flat, self.n_sku)
        display = self.sku_display[sku]
        on_hand = rng.poisson(self.loc_cover[loc] * rate) + display
        on_hand[display & (rng.random(flat.size) < 0.003)] = 0  # the odd sold-out size
        on_hand[np.isin(flat, self.zero_flat[self.zero_from <= t])] = 0
        for pile_flat in self.pile_flat:
            pile = np.isin(flat, pile_flat)
            n_pile = int(pile.sum())
            if n_pile == 0:
                continue
            rest = int(on_hand[(loc == pile_flat[0] // self.n_sku) & ~pile].sum())
            per_sku = max(6, math.ceil(1.6 * rest / n_pile))
            on_hand[pile] = per_sku + rng.integers(0, 4, n_pile)
        return flat, on_hand.astype(np.int64)

    def sales_arrays(self, t: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Flat positions, units sold and amount (CNY) of month t, units > 0 only."""
        rng = np.random.default_rng([self.seed, 2, int(self.months_abs[t])])
        flat, rate = self.demand(t)
        units = rng.poisson(rate).astype(np.int64)
        keep = units > 0
        flat, units = flat[keep], units[keep]
        sku = flat % self.n_sku
        age = self.months_abs[t] - self.style_launch[self.sku_style[sku]]
        discount = np.where(age >= 18, 0.7, 0.92) * rng.uniform(0.95, 1.0, flat.size)
        amount = np.round(units * self.sku_price[sku] * discount, 2)
        return flat, units, amount

    def frame(self, t: int, flat: np.ndarray, values: dict[str, np.ndarray]) -> pl.DataFrame:
        loc, sku = np.divmod(flat, self.n_sku)
        month = pl.Series("month", [fmt(from_index(int(self.months_abs[t])))], dtype=pl.String)
        return pl.DataFrame(
            [
                month.new_from_index(0, flat.size),
                self.loc_ids.gather(pl.Series(loc, dtype=pl.UInt32)),
                self.sku_ids.gather(pl.Series(sku, dtype=pl.UInt32)),
                *(pl.Series(name, v) for name, v in values.items()),
            ]
        )


@dataclass(eq=False)
class Network:
    """A synthetic brand network: products, locations, and month-by-month stock and sales.

    Attributes:
        products: One row per SKU: sku, style, colour, size, category, launch_month, price,
            style_name, season, is_core_size (null for every SKU of a style whose core sizes
            come from the category size curve).
        locations: One row per location: location_id, name, kind, distributor_id, region,
            province, city, rep, min_styles (Int32, mostly null), status.
        months: The counted months, 'YYYY-MM', ascending.
        planted: Where each planted trouble is: location ids, or style codes for the keys
            ending in ``_style``/``_styles``. See ``sample_data/README.md``.
    """

    products: pl.DataFrame
    locations: pl.DataFrame
    months: list[str]
    planted: dict[str, list[str]]
    _sim: _Sim = field(repr=False)

    def stock(self, month: str) -> pl.DataFrame:
        """The month-end count: month, location_id, sku, on_hand (Int64).

        Rows with on_hand > 0 only, unless the network was generated with ``dense=True``:
        then every (counted location, SKU) pair, zeros included. Locations that did not
        upload the month (closed, or planted ``no_count``) have no rows either way.

        Raises:
            UsageError: ``month`` is not one of ``months``.
        """
        sim = self._sim
        t = sim.month_index(month)
        flat, on_hand = sim.stock_arrays(t)
        if not sim.dense:
            keep = on_hand > 0
            return sim.frame(t, flat[keep], {"on_hand": on_hand[keep]})
        counted = np.flatnonzero(sim.counted[t])
        full = np.zeros(sim.counted.shape[1] * sim.n_sku, dtype=np.int64)
        full[flat] = on_hand
        every = (counted[:, None] * sim.n_sku + np.arange(sim.n_sku)[None, :]).reshape(-1)
        return sim.frame(t, every, {"on_hand": full[every]})

    def sales(self, month: str) -> pl.DataFrame:
        """The month's sales: month, location_id, sku, units_sold (Int64), amount (Float64, CNY).

        Rows with units_sold > 0 only.

        Raises:
            UsageError: ``month`` is not one of ``months``.
        """
        sim = self._sim
        t = sim.month_index(month)
        flat, units, amount = sim.sales_arrays(t)
        return sim.frame(t, flat, {"units_sold": units, "amount": amount})


# ---------------------------------------------------------------------------------------------
# Generation


def generate(
    *,
    seed: int = 7,
    distributors: int = 6,
    stores: int = 60,
    styles: int = 150,
    months: int = 18,
    end_month: str = "2026-10",
    colours_per_style: tuple[int, int] = (1, 3),
    dense: bool = False,
) -> Network:
    """Build a synthetic network; its stock and sales are drawn lazily, month by month.

    Args:
        seed: Same seed, same network (every frame compares equal).
        distributors: Number of provincial distributors (D01, D02, ...).
        stores: Number of terminal stores, spread unevenly over the distributors.
        styles: Number of styles in the catalogue (about 10% launch each season).
        months: Number of counted months.
        end_month: The last counted month, 'YYYY-MM'.
        colours_per_style: Inclusive range of colours per style (at most 10).
        dense: ``stock(month)`` lists every (counted location, SKU) pair, zeros included.

    Returns:
        The network. Every planted trouble needs 2+ distributors, about 15+ stores of the
        uploading distributors and 4+ months; smaller networks plant what fits. The healthy
        locations listed in ``planted['pass']`` pass in the demo and in networks of 100+
        styles; in very small catalogues a healthy store can end up slow-stock heavy.

    Raises:
        UsageError: A count, range or month is out of bounds.
    """
    lo, hi = colours_per_style
    if seed < 0 or distributors < 1 or stores < 0 or styles < 4 or months < 1:
        raise UsageError(
            "need seed >= 0, distributors >= 1, stores >= 0, styles >= 4, months >= 1; got "
            f"{seed}, {distributors}, {stores}, {styles}, {months}"
        )
    if not 1 <= lo <= hi <= len(COLOURS):
        raise UsageError(f"colours_per_style {colours_per_style!r}: need 1 <= lo <= hi <= 10")
    end_abs = index(parse(end_month))
    months_abs = np.arange(end_abs - months + 1, end_abs + 1)
    rng = np.random.default_rng([seed, 0])
    cat = _catalogue(rng, styles, (lo, hi), end_abs)
    locs = _locations(rng, distributors, stores)
    return _assemble(rng, seed, dense, months_abs, cat, locs)


@dataclass
class _Catalogue:
    products: pl.DataFrame
    codes: list[str]  # (S,) style codes
    launch: np.ndarray  # (S,) absolute launch month
    pop: np.ndarray  # (S,) popularity, mean 1
    tau: np.ndarray  # (S,) lifecycle decay in months
    sku_style: np.ndarray  # (K,)
    sku_colour_rank: np.ndarray  # (K,) 0 = the style's main colour
    sku_weight: np.ndarray  # (K,)
    sku_display: np.ndarray  # (K,)
    sku_sure_core: np.ndarray  # (K,)
    sku_price: np.ndarray  # (K,)


def _catalogue(
    rng: np.random.Generator, n: int, colours: tuple[int, int], end_abs: int
) -> _Catalogue:
    per_season = max(2, round(n * 0.1))
    launches: list[int] = []
    season = _season_start(end_abs)
    while len(launches) < n:
        k = int(rng.integers(max(1, round(per_season * 0.85)), round(per_season * 1.15) + 1))
        launches.extend([season] * min(k, n - len(launches)))
        season -= 6
    launch = np.array(launches[::-1])  # oldest first
    category = rng.choice(len(CATEGORIES), size=n, p=CATEGORY_P)
    pop = (rng.permutation(n) + POP_OFFSET) ** -POP_EXP * np.array(CATEGORY_DEMAND)[category]
    pop = pop / pop.mean()
    tau = rng.uniform(8.0, 30.0, n)
    tau[rng.random(n) < 0.05] = 60.0  # evergreen classics
    curve_only = (category == 0) & (rng.random(n) < 0.2)  # is_core_size left empty
    bras = np.flatnonzero(category == 0)
    if bras.size and not curve_only.any():
        curve_only[bras[0]] = True

    columns = (
        "sku", "style", "colour", "size", "category", "launch_month", "price", "style_name",
        "season", "is_core_size",
    )  # fmt: skip
    rows: dict[str, list[object]] = {c: [] for c in columns}
    sku_style: list[int] = []
    sku_rank: list[int] = []
    sku_weight: list[float] = []
    serial: dict[tuple[int, int], int] = {}
    codes: list[str] = []
    for s in range(n):
        cat = CATEGORIES[category[s]]
        year, mon = divmod(int(launch[s]), 12)
        key = (int(launch[s]), int(category[s]))
        serial[key] = serial.get(key, 0) + 1
        code = f"{PREFIX[cat]}{year % 100:02d}{'A' if mon == 2 else 'B'}{serial[key]:02d}"
        codes.append(code)
        k = int(rng.integers(colours[0], colours[1] + 1))
        main = str(rng.choice(MAIN_COLOURS))
        others = rng.choice([c for c in COLOURS if c != main], k - 1, replace=False)
        style_colours = [main, *map(str, others)]
        shares = np.sort(rng.dirichlet([4.0, 2.5, 1.5, *[1.0] * 7][:k]))[::-1] if k > 1 else [1.0]
        sizes, curve = (BRIEF_SIZES, BRIEF_CURVE) if cat == "brief" else (BRA_SIZES, BRA_CURVE)
        core = BRIEF_CORE if cat == "brief" else BRA_CORE
        price = float(rng.choice(PRICES[cat]))
        feature = rng.choice(FEATURES[cat], 2, replace=False)
        name = f"{feature[0]}{feature[1]}{NOUN[cat]}"
        for r, colour in enumerate(style_colours):
            for size, w in zip(sizes, curve, strict=True):
                row = (
                    f"{code}-{colour}-{size}", code, colour, size, cat,
                    fmt(from_index(int(launch[s]))), price, name,
                    f"{year}{'SS' if mon == 2 else 'AW'}",
                    None if curve_only[s] else size in core,
                )  # fmt: skip
                for c, value in zip(columns, row, strict=True):
                    rows[c].append(value)
                sku_style.append(s)
                sku_rank.append(r)
                sku_weight.append(float(shares[r]) * w)
    products = pl.DataFrame(
        rows,
        schema={
            "sku": pl.String, "style": pl.String, "colour": pl.String, "size": pl.String,
            "category": pl.String, "launch_month": pl.String, "price": pl.Float64,
            "style_name": pl.String, "season": pl.String, "is_core_size": pl.Boolean,
        },
    )  # fmt: skip
    size_col = products["size"]
    return _Catalogue(
        products=products,
        codes=codes,
        launch=launch,
        pop=pop,
        tau=tau,
        sku_style=np.array(sku_style, dtype=np.int64),
        sku_colour_rank=np.array(sku_rank, dtype=np.int64),
        sku_weight=np.array(sku_weight),
        sku_display=size_col.is_in(list(DISPLAY_SIZES)).to_numpy(),
        sku_sure_core=size_col.is_in(list(SURE_CORE)).to_numpy(),
        sku_price=products["price"].to_numpy(),
    )


@dataclass
class _Locations:
    rows: dict[str, list[object]]
    is_store: np.ndarray  # (L,) bool
    region: np.ndarray  # (L,) index into REGIONS
    group: np.ndarray  # (L,) index of the supplying distributor (a distributor: itself)
    dist_loc: np.ndarray  # (D,) location index of each distributor


def _locations(rng: np.random.Generator, n_dist: int, n_store: int) -> _Locations:
    weights = rng.gamma(4.0, size=n_dist)
    counts = np.zeros(n_dist, dtype=np.int64)
    counts[: min(n_store, n_dist)] = 1
    counts += rng.multinomial(n_store - min(n_store, n_dist), weights / weights.sum())
    columns = ("location_id", "name", "kind", "distributor_id", "region", "province", "city", "rep")
    rows: dict[str, list[object]] = {c: [] for c in columns}
    is_store: list[bool] = []
    region: list[int] = []
    group: list[int] = []
    dist_loc: list[int] = []
    per_region: dict[str, int] = {}
    names: set[str] = set()
    width = max(2, len(str(n_dist)))
    store_width = max(3, len(str(int(counts.max()))))

    def add(values: tuple[object, ...], *, store: bool, d: int, reg: str) -> None:
        for c, value in zip(columns, values, strict=True):
            rows[c].append(value)
        is_store.append(store)
        region.append(REGIONS.index(reg))
        group.append(d)

    for d in range(n_dist):
        province, reg, cities = PROVINCES[d % len(PROVINCES)]
        city = cities[(d // len(PROVINCES)) % len(cities)]
        k = per_region.get(reg, 0)
        per_region[reg] = k + 1
        reps = REPS[reg]
        did = f"D{d + 1:0{width}d}"
        dist_loc.append(len(is_store))
        trade = TRADE_NAMES[d % len(TRADE_NAMES)]
        values = (did, f"{city}{trade}商贸有限公司", "distributor", None, reg, province, city)
        add((*values, reps[k % len(reps)]), store=False, d=d, reg=reg)
        for n in range(1, int(counts[d]) + 1):
            store_city = cities[0] if rng.random() < 0.4 else str(rng.choice(cities[1:]))
            base = f"{store_city}{rng.choice(MALLS)}"
            name, copy = f"{base}店", 2
            while name in names:
                name, copy = f"{base}{copy}店", copy + 1
            names.add(name)
            rep = reps[(k + 1) % len(reps)] if n % 4 == 0 else reps[k % len(reps)]
            sid = f"{did}-S{n:0{store_width}d}"
            add((sid, name, "store", did, reg, province, store_city, rep), store=True, d=d, reg=reg)
    return _Locations(
        rows=rows,
        is_store=np.array(is_store, dtype=bool),
        region=np.array(region, dtype=np.int64),
        group=np.array(group, dtype=np.int64),
        dist_loc=np.array(dist_loc, dtype=np.int64),
    )


def _lifecycle(age: np.ndarray, tau: np.ndarray) -> np.ndarray:
    """Demand factor by months since launch: 0 before, a launch month, then decay."""
    decay = np.maximum(0.06, np.exp(-np.maximum(age - 1, 0) / tau))
    return np.where(age < 0, 0.0, np.where(age == 0, 0.75, decay))


def _ranks(score: np.ndarray) -> np.ndarray:
    """Row-wise rank of every column, 0 = highest score (ties by column order)."""
    order = np.argsort(-score, axis=1, kind="stable")
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(score.shape[1])[None, :], axis=1)
    return ranks


def _roles(rng: np.random.Generator, locs: _Locations, n_t: int) -> np.ndarray:
    """Each location's part in the story: 'healthy' or the trouble planted there."""
    n_dist = locs.dist_loc.size
    role = np.full(locs.is_store.size, "healthy", dtype=object)
    for d, r in enumerate(DISTRIBUTOR_ROLES[: max(0, n_dist - 1)]):
        role[locs.dist_loc[d]] = r
    no_count_group = -1
    if n_dist >= 2:
        role[locs.dist_loc[-1]] = "no_count"
        no_count_group = n_dist - 1
    store_roles = [
        r
        for r in STORE_ROLES
        if not (n_t < 4 and r in ("shrinking", "shrinking_long") or n_t < 3 and r == "closed")
    ]
    eligible = np.flatnonzero(locs.is_store & (locs.group != no_count_group))
    for r, loc in zip(store_roles, rng.permutation(eligible), strict=False):
        role[loc] = r
    return role


@dataclass
class _Demand:
    """Expected units: by style and month, and by location and style (domain.md 1's regions)."""

    style_month: np.ndarray  # (T, S) popularity x lifecycle x seasonality
    local_taste: np.ndarray  # (L, S) the taste of each location's region
    loc_style: np.ndarray  # (L, S) location demand x regional taste
    loc_cover: np.ndarray  # (L,) months of demand kept in stock
    old_order: list[int]  # styles not new in the last month, most appealing first
    regional: list[
        tuple[int, tuple[str, str]]
    ]  # (style, (region that loves it, one that shuns it))
    is_regional: np.ndarray  # (S,) bool


@dataclass
class _Ranges:
    """Which styles each location carries, month by month."""

    carried: np.ndarray  # (T, L, S) bool
    ranks_at: list[np.ndarray]  # per month: (L, S) priority rank of each style (0 = first)
    floor: np.ndarray  # (L,) the default minimum of styles (domain.md 5)
    n_core_store: int  # size of the stores' core range in the last month


@dataclass
class _Troubles:
    """What the planted troubles changed, besides the ranges they narrow in place."""

    counted: np.ndarray  # (T, L) bool: the location uploaded that month
    zeros: list[tuple[int, np.ndarray]]  # (from month index, flat positions sold out)
    pile_flat: list[np.ndarray]  # per pile location: flat positions of its slow old stock
    planted: dict[str, list[str]]


def _assemble(
    rng: np.random.Generator,
    seed: int,
    dense: bool,
    months_abs: np.ndarray,
    cat: _Catalogue,
    locs: _Locations,
) -> Network:
    """Roles, demand, colours, ranges and troubles, drawn from ``rng`` in this order."""
    role = _roles(rng, locs, months_abs.size)
    demand = _demand(rng, months_abs, cat, locs)
    colour_ok = _colours(rng, cat, locs, role)
    ranges = _ranges(rng, months_abs, cat, locs, role, demand)
    troubles = _plant_troubles(rng, months_abs, cat, locs, role, demand, ranges, colour_ok)
    zeros = troubles.zeros
    zero_flat = np.concatenate([z for _, z in zeros]) if zeros else np.empty(0, dtype=np.int64)
    zero_from = np.concatenate([np.full(z.size, t) for t, z in zeros]) if zeros else zero_flat
    loc_id = [str(v) for v in locs.rows["location_id"]]
    sim = _Sim(
        seed=seed,
        dense=dense,
        months_abs=months_abs,
        loc_ids=pl.Series("location_id", loc_id, dtype=pl.String),
        sku_ids=cat.products["sku"],
        sku_style=cat.sku_style,
        sku_weight=cat.sku_weight,
        sku_display=cat.sku_display,
        sku_price=cat.sku_price,
        style_launch=cat.launch,
        style_month=demand.style_month,
        loc_style=demand.loc_style.astype(np.float32),
        loc_cover=demand.loc_cover,
        colour_ok=colour_ok,
        carried=ranges.carried,
        counted=troubles.counted,
        zero_flat=zero_flat,
        zero_from=zero_from,
        pile_flat=troubles.pile_flat,
    )
    return Network(
        products=cat.products,
        locations=_locations_frame(locs, role, ranges.carried[-1]),
        months=[fmt(from_index(int(m))) for m in months_abs],
        planted=troubles.planted,
        _sim=sim,
    )


def _demand(
    rng: np.random.Generator, months_abs: np.ndarray, cat: _Catalogue, locs: _Locations
) -> _Demand:
    """Popularity x lifecycle x season per style; location size x regional taste per location.

    Two regional styles (last season's styles just outside the stores' core range) are loved
    in one region and shunned in another: the South's stores never show the northern favourite.
    """
    n_style, n_loc = len(cat.codes), locs.is_store.size
    end_abs = int(months_abs[-1])
    is_store = locs.is_store
    age = months_abs[:, None] - cat.launch[None, :]
    seasonality = np.array(SEASONALITY)[months_abs % 12]
    style_month = cat.pop[None, :] * _lifecycle(age, cat.tau[None, :]) * seasonality[:, None]
    taste = rng.lognormal(0.0, 0.35, (len(REGIONS), n_style))
    appeal_end = cat.pop * _lifecycle(end_abs - cat.launch, cat.tau)
    new_end = (cat.launch > end_abs - NEW_MONTHS) & (cat.launch <= end_abs)
    old_order = [int(s) for s in np.argsort(-appeal_end, kind="stable") if not new_end[s]]
    beyond = old_order[_store_core_size(n_style) :] or old_order
    recent_end = [s for s in beyond if cat.launch[s] > end_abs - 2 * NEW_MONTHS]
    tastes = (("North", "South"), ("South", "North"))
    regional = list(zip((recent_end + beyond)[:2], tastes, strict=False))
    for s, (loves, shuns) in regional:
        taste[REGIONS.index(loves), s] = 3.0
        taste[REGIONS.index(shuns), s] = 0.02
    is_regional = np.zeros(n_style, dtype=bool)
    is_regional[[s for s, _ in regional]] = True

    base = np.where(is_store, rng.uniform(2.5, 5.0, n_loc), rng.uniform(7.0, 10.0, n_loc))
    local_taste = taste[locs.region]  # (L, S)
    loc_style = base[:, None] * local_taste * rng.lognormal(0.0, 0.3, (n_loc, n_style))
    loc_cover = np.where(is_store, rng.uniform(1.0, 2.0, n_loc), rng.uniform(3.0, 5.0, n_loc))
    return _Demand(
        style_month=style_month,
        local_taste=local_taste,
        loc_style=loc_style,
        loc_cover=loc_cover,
        old_order=old_order,
        regional=regional,
        is_regional=is_regional,
    )


def _store_core_size(n_style: int) -> int:
    """Stores' core range: the likely bestsellers."""
    return min(18, max(12, n_style // 6))


def _colours(
    rng: np.random.Generator, cat: _Catalogue, locs: _Locations, role: np.ndarray
) -> np.ndarray:
    """(L, K) bool: a location carries a SKU's colour. Every location carries each style's main
    colour; stores carry the others only some of the time (distributors nearly always)."""
    is_store, n_loc = locs.is_store, locs.is_store.size
    p_colour = np.where(is_store, rng.uniform(0.3, 0.7, n_loc), 0.95)
    colour_draw = rng.random((n_loc, len(cat.codes), int(cat.sku_colour_rank.max()) + 1))
    colour_ok = (cat.sku_colour_rank[None, :] == 0) | (
        colour_draw[:, cat.sku_style, cat.sku_colour_rank] < p_colour[:, None]
    )
    colour_ok[role == "broken_colour"] = True
    return colour_ok


def _ranges(
    rng: np.random.Generator,
    months_abs: np.ndarray,
    cat: _Catalogue,
    locs: _Locations,
    role: np.ndarray,
    demand: _Demand,
) -> _Ranges:
    """The styles each location carries, decided at each season start.

    Priority: the core range (stores: the likely bestsellers and the new styles; distributors:
    their wider core, the new and the regional styles); last season's styles that suit the
    region; a few old favourites a store keeps whatever they sell; then a local pick by taste.
    Roles narrow or widen the range (below_min, flagship, counter, shrinking).
    """
    n_t, n_style, n_loc = months_abs.size, len(cat.codes), locs.is_store.size
    is_store, local_taste = locs.is_store, demand.local_taste
    b_store = _store_core_size(n_style)
    b_dist = min(30, max(8, n_style // 4))  # distributors' core range besides new styles
    epoch = np.maximum(months_abs[0], [_season_start(int(m)) for m in months_abs])
    carry_noise = rng.lognormal(0.0, 0.6, (n_loc, n_style))
    legacy_draw = rng.random((n_loc, n_style))
    base_cap = np.where(
        is_store,
        rng.integers(24, 40, n_loc),
        rng.integers(round(0.35 * n_style), round(0.55 * n_style) + 1, n_loc),
    )
    extra = rng.integers(2, 7, n_loc)
    floor = np.where(is_store, MIN_STYLES["store"], MIN_STYLES["distributor"])
    carried = np.zeros((n_t, n_loc, n_style), dtype=bool)
    ranks_at: list[np.ndarray] = [np.empty(0, dtype=np.int64)] * n_t
    n_core_store = 0
    skip_new_store = role == "new_missing"
    for e in map(int, np.unique(epoch)):
        launched = cat.launch <= e
        new = launched & (cat.launch > e - NEW_MONTHS)
        appeal = cat.pop * _lifecycle(e + 2 - cat.launch, cat.tau) * launched
        by_appeal = np.argsort(-appeal, kind="stable")
        core_store = new.copy()
        core_store[by_appeal[:b_store]] = True
        core_dist = new | (demand.is_regional & launched)
        core_dist[[s for s in by_appeal if launched[s] and not new[s]][:b_dist]] = True
        core = np.where(is_store[:, None], core_store[None, :], core_dist[None, :])
        local = appeal[None, :] * carry_noise * np.where(is_store[:, None], local_taste, 1.0)
        aged = cat.launch < e - 12
        p_legacy = min(0.08, 4.0 / max(1, int(aged.sum())))
        legacy = (legacy_draw < p_legacy) & is_store[:, None] & aged[None, :]
        recent = (launched & ~new & (cat.launch > e - 2 * NEW_MONTHS))[None, :] & (
            local_taste > 0.5
        )
        score = np.where(legacy, 5e5 + appeal, np.where(recent, 7e5 + appeal, local))
        score = np.where(core, 1e6 + appeal[None, :], score)
        # A store that does not take the new season keeps only its most appealing style.
        skip_new = new.copy()
        if new.any():
            skip_new[np.flatnonzero(new)[np.argmax(appeal[new])]] = False
        score[np.ix_(skip_new_store, skip_new)] = -0.5
        score[:, ~launched] = -1.0
        ranks = _ranks(score)
        n_core = np.where(is_store, core_store.sum(), core_dist.sum())
        cap = np.maximum(base_cap, np.maximum(n_core, floor) + extra)
        cap = np.where(role == "below_min", np.where(is_store, 12, 36), cap)
        cap = np.where(role == "flagship", n_core + 12, cap)
        cap = np.where(role == "counter", 16, cap)
        cap = np.where(np.isin(role, ["shrinking", "shrinking_long"]), n_style, cap)
        in_epoch = epoch == e
        carried[in_epoch] = (ranks < cap[:, None]) & launched[None, :] & (score >= 0)
        for t in np.flatnonzero(in_epoch).tolist():
            ranks_at[t] = ranks
        n_core_store = int(core_store.sum())  # ends as the last month's
    return _Ranges(carried=carried, ranks_at=ranks_at, floor=floor, n_core_store=n_core_store)


def _plant_troubles(
    rng: np.random.Generator,
    months_abs: np.ndarray,
    cat: _Catalogue,
    locs: _Locations,
    role: np.ndarray,
    demand: _Demand,
    ranges: _Ranges,
    colour_ok: np.ndarray,
) -> _Troubles:
    """The 14 planted troubles, one per role; narrows ``ranges.carried``, ``demand.loc_style``
    and widens ``colour_ok`` in place. ``planted`` says where each one is (sample_data/README.md).
    """
    n_t, n_style, n_loc = months_abs.size, len(cat.codes), locs.is_store.size
    last, is_store = n_t - 1, locs.is_store
    carried, ranks_at, old_order = ranges.carried, ranges.ranks_at, demand.old_order
    counted = np.ones((n_t, n_loc), dtype=bool)
    zeros: list[tuple[int, np.ndarray]] = []  # (from month index, flat positions)
    pile_flat: list[np.ndarray] = []
    n_sku = cat.sku_style.size
    skus_of = [np.flatnonzero(cat.sku_style == s) for s in range(n_style)]
    loc_id = [str(v) for v in locs.rows["location_id"]]
    planted: dict[str, list[str]] = {}

    def plant(key: str, *values: str) -> None:
        planted.setdefault(key, []).extend(v for v in values if v not in planted.get(key, []))

    def having(r: str) -> list[int]:
        return [int(i) for i in np.flatnonzero(role == r)]

    for loc in having("no_count"):  # the distributor's group did not upload the last month
        group = np.flatnonzero(locs.group == locs.group[loc])
        counted[last, group] = False
        plant("no_count", *(loc_id[g] for g in group))
    for loc in having("closed"):  # closed two months before the end
        carried[max(1, n_t - 2) :, loc] = False
        counted[max(1, n_t - 2) :, loc] = False
        plant("closed", loc_id[loc])
    for loc in having("below_min"):  # a small store, a distributor with a narrow range
        plant("below_min_styles", loc_id[loc])
    for loc in having("flagship"):  # above 20 styles but below its own, higher minimum
        plant("below_min_styles", loc_id[loc])
        plant("min_styles_override", loc_id[loc])
    for loc in having("counter"):  # a counter allowed 15 styles: not below its minimum
        plant("min_styles_override", loc_id[loc])
    top_old = old_order[:7]
    for loc in having("sold_out"):  # the distributor ran out of its best old style
        zeros.append((last, loc * n_sku + skus_of[top_old[0]]))
        plant("bestsellers_missing", loc_id[loc])
        plant("sold_out_style", cat.codes[top_old[0]])
    for loc in having("bestsellers_missing"):  # stopped reordering the top styles
        carried[max(0, n_t - 3) :, loc, top_old] = False
        plant("bestsellers_missing", loc_id[loc])
    for loc in having("new_missing"):  # did not take the new season (see the ranges)
        plant("new_styles_missing", loc_id[loc])
    for loc in having("broken_sizes"):  # 75B/80B/M sold out in most styles, not reordered
        styles_in = np.flatnonzero(carried[last, loc])
        for broken in styles_in[rng.random(styles_in.size) < 0.6]:
            sure = skus_of[broken][cat.sku_sure_core[skus_of[broken]]]
            zeros.append((max(0, last - 1), loc * n_sku + sure))
        plant("many_broken_sizes", loc_id[loc])
        plant("warn_only", loc_id[loc])
    for loc in having("broken_colour"):  # main colours sold out, other colours in stock
        for style in np.flatnonzero(carried[last, loc]):
            ranks_c = cat.sku_colour_rank[skus_of[style]]
            if ranks_c.max() > 0:
                zeros.append((max(0, last - 1), loc * n_sku + skus_of[style][ranks_c == 0]))
        plant("broken_colour", loc_id[loc])
    pile_pool = [s for s in old_order[::-1] if cat.launch[s] < months_abs[0]]
    pile_pool = [s for s in pile_pool if not demand.is_regional[s]] or old_order[::-1]
    for i, loc in enumerate(having("slow_pile")):  # piles of old stock nobody buys
        pile = np.array((pile_pool[i * 3 :] or pile_pool)[: 6 if is_store[loc] else 8])
        carried[:, loc, pile] = True
        demand.loc_style[loc, pile] *= 0.03
        pile_skus = np.concatenate([skus_of[s] for s in pile])
        colour_ok[loc, pile_skus] = True
        pile_flat.append(loc * n_sku + pile_skus)
        plant("slow_stock_heavy", loc_id[loc])
        plant("warn_only", loc_id[loc])
        plant("slow_stock_styles", *(cat.codes[s] for s in pile))
    for loc in having("shrinking"):  # warn only: keeps the required styles, loses 3 a month
        keep_end = max(ranges.n_core_store + 6, MIN_STYLES["store"] + 3)
        for t in range(n_t):
            target = keep_end + 3 * (last - t) if t >= last - 3 else keep_end + 11
            carried[t, loc] = (ranks_at[t][loc] < target) & (cat.launch <= months_abs[t])
        plant("assortment_shrinking", loc_id[loc])
        plant("warn_only", loc_id[loc])
    for loc in having("shrinking_long"):  # six cabinets down to one, month after month
        start = min(int((cat.launch <= months_abs[0]).sum()), max(45, 12 + 2 * last))
        targets = np.round(np.linspace(start, 12, n_t)).astype(int)
        for t in range(n_t):
            carried[t, loc] = (ranks_at[t][loc] < targets[t]) & (cat.launch <= months_abs[t])
        plant("assortment_shrinking", loc_id[loc])
        plant("below_min_styles", loc_id[loc])
    plant("regional_style", *(cat.codes[s] for s, _ in demand.regional))
    healthy = having("healthy") + having("broken_colour")
    wide = carried[last].sum(axis=1) >= ranges.floor  # tiny catalogues cannot reach the minimum
    plant("pass", *(loc_id[i] for i in healthy if counted[last, i] and wide[i]))
    return _Troubles(counted=counted, zeros=zeros, pile_flat=pile_flat, planted=planted)


def _locations_frame(locs: _Locations, role: np.ndarray, carried_last: np.ndarray) -> pl.DataFrame:
    """The locations file: min_styles for the flagship (above what it carries) and the counter."""
    min_styles: list[int | None] = [None] * locs.is_store.size
    for loc in np.flatnonzero(role == "flagship").tolist():
        min_styles[loc] = math.ceil((int(carried_last[loc].sum()) + 3) / 5) * 5
    for loc in np.flatnonzero(role == "counter").tolist():
        min_styles[loc] = 15
    rows: dict[str, list[object]] = {
        **locs.rows,
        "min_styles": list(min_styles),
        "status": ["closed" if r == "closed" else "active" for r in role],
    }
    return pl.DataFrame(
        rows,
        schema={
            "location_id": pl.String, "name": pl.String, "kind": pl.String,
            "distributor_id": pl.String, "region": pl.String, "province": pl.String,
            "city": pl.String, "rep": pl.String, "min_styles": pl.Int32, "status": pl.String,
        },
    )  # fmt: skip


# ---------------------------------------------------------------------------------------------
# Files as distributors send them


@dataclass(frozen=True)
class _Format:
    """How one distributor's files look."""

    ext: str  # 'csv' or 'xlsx'
    encoding: str = "utf-8"  # for csv; 'utf-8-sig' writes a BOM
    headers: tuple[tuple[str, str], ...] = ()  # canonical name -> header in the file
    sloppy: bool = False  # stray whitespace around codes, quantities like '12.0'
    split_stock: bool = False  # style, colour, size instead of sku in stock files
    split_sales: bool = False  # ... in sales files


#: The creation date written into every workbook, so that regenerating gives the same bytes.
XLSX_CREATED = datetime(2026, 11, 1)

_ZH = (("month", "月份"), ("location_id", "门店编码"), ("amount", "金额"))
#: Distributor i writes in format i mod 6 (with ``messy``); headers only from the aliases
#: the loader knows.
_FORMATS = (
    _Format("csv"),
    _Format(
        "csv",
        "gb18030",
        (*_ZH, ("sku", "条码"), ("on_hand", "期末库存"), ("units_sold", "销量")),
    ),
    _Format(
        "xlsx",
        headers=(
            ("month", "月份"),
            ("location_id", "网点编码"),
            ("sku", "SKU"),
            ("on_hand", "库存"),
            ("units_sold", "销售数量"),
            ("amount", "金额"),
        ),
    ),  # fmt: skip
    _Format("csv", "utf-8-sig", sloppy=True),
    _Format(
        "csv",
        headers=(
            *_ZH,
            ("style", "款号"),
            ("colour", "颜色"),
            ("size", "尺码"),
            ("on_hand", "盘点数"),
            ("units_sold", "销售数量"),
        ),
        split_stock=True,
        split_sales=True,
    ),  # fmt: skip
    _Format(
        "xlsx",
        headers=(
            *_ZH,
            ("sku", "条码"),
            ("style", "款式编号"),
            ("colour", "色号"),
            ("size", "尺码"),
            ("on_hand", "期末库存"),
            ("units_sold", "销量"),
        ),
        split_sales=True,
    ),  # fmt: skip
)


def write_files(net: Network, out_dir: Path, *, messy: bool = True) -> list[Path]:
    """Write the network as the files a brand receives: products, locations, monthly counts.

    Writes ``products.csv`` and ``locations.csv`` (UTF-8, English headers) and, per
    distributor and month, ``stock/stock_<distributor_id>_<YYYY-MM>.<ext>`` and
    ``sales/sales_<distributor_id>_<YYYY-MM>.<ext>`` covering the distributor's warehouse and
    its stores (stock rows with on_hand > 0). A month a distributor did not upload has no
    files. With ``messy`` the distributors' files differ as real ones do: GB18030 with
    Chinese headers, XLSX, UTF-8 with BOM, stray whitespace around codes, quantities written
    '12.0', SKUs given as style + colour + size. Every file is valid per domain.md section 3.

    Args:
        net: The network to write.
        out_dir: Folder to write into (created if missing). Earlier ``stock_*`` and
            ``sales_*`` files there are removed first, so the folder matches ``net``.
        messy: Vary encodings, formats and headers between distributors.

    Returns:
        The written paths, sorted.
    """
    out_dir = Path(out_dir)
    for kind in ("stock", "sales"):
        (out_dir / kind).mkdir(parents=True, exist_ok=True)
        for old in (out_dir / kind).glob(f"{kind}_*"):
            if old.suffix in (".csv", ".xlsx"):
                old.unlink()
    paths = [out_dir / "products.csv", out_dir / "locations.csv"]
    net.products.write_csv(paths[0])
    net.locations.write_csv(paths[1])

    group = net.locations.select(
        "location_id", pl.coalesce("distributor_id", "location_id").alias("distributor")
    )
    distributors = net.locations.filter(pl.col("kind") == "distributor")["location_id"]
    split = net.products.select("sku", "style", "colour", "size")
    for month in net.months:
        stock = net.stock(month).filter(pl.col("on_hand") > 0)
        for kind, frame in (("stock", stock), ("sales", net.sales(month))):
            by_distributor = frame.join(group, on="location_id").partition_by(
                "distributor", as_dict=True, include_key=False
            )
            for i, dist in enumerate(distributors):
                part = by_distributor.get((dist,))
                if part is None or part.is_empty():
                    continue
                fmt = _FORMATS[i % len(_FORMATS)] if messy else _Format("csv")
                if fmt.split_stock if kind == "stock" else fmt.split_sales:
                    rest = [c for c in part.columns if c not in ("month", "location_id", "sku")]
                    part = part.join(split, on="sku", how="left", maintain_order="left").select(
                        "month", "location_id", "style", "colour", "size", *rest
                    )
                if fmt.sloppy:
                    part = _sloppy(part)
                part = part.rename(dict(fmt.headers), strict=False)
                path = out_dir / kind / f"{kind}_{dist}_{month}.{fmt.ext}"
                if fmt.ext == "xlsx":
                    _write_xlsx(part, path, sheet="库存" if kind == "stock" else "销售")
                else:
                    path.write_bytes(part.write_csv().encode(fmt.encoding))
                paths.append(path)
    return sorted(paths)


def _sloppy(frame: pl.DataFrame) -> pl.DataFrame:
    """Stray spaces around some codes, some whole quantities written as '12.0'."""
    row = pl.int_range(pl.len())
    code = "sku" if "sku" in frame.columns else "style"
    qty = "on_hand" if "on_hand" in frame.columns else "units_sold"
    return frame.with_columns(
        pl.when(row % 5 == 0)
        .then(pl.lit(" ") + pl.col("location_id"))
        .otherwise(pl.col("location_id"))
        .alias("location_id"),
        pl.when(row % 7 == 3).then(pl.col(code) + pl.lit("  ")).otherwise(pl.col(code)).alias(code),
        pl.when(row % 3 == 1)
        .then(pl.col(qty).cast(pl.Float64).cast(pl.String))
        .otherwise(pl.col(qty).cast(pl.String))
        .alias(qty),
    )


def _write_xlsx(frame: pl.DataFrame, path: Path, *, sheet: str) -> None:
    """One sheet, header row then data; text cells stay text (months are not dates)."""
    import xlsxwriter

    buffer = io.BytesIO()
    with xlsxwriter.Workbook(buffer, {"in_memory": True}) as book:
        book.set_properties({"created": XLSX_CREATED})  # same bytes on every run
        ws = book.add_worksheet(sheet)
        ws.write_row(0, 0, frame.columns)
        for c, series in enumerate(frame.get_columns()):
            if series.dtype == pl.String:
                for r, value in enumerate(series.to_list(), start=1):
                    ws.write_string(r, c, value)
            else:
                ws.write_column(1, c, series.to_list())
    path.write_bytes(buffer.getvalue())


def load_network(
    net: Network,
    settings: Settings,
    *,
    folder: Path,
    on_month: Callable[[str, int, int], None] | None = None,
) -> tuple[int, int]:
    """Load a generated network into the store through the project's own loaders.

    Products and locations go in as CSV files written to ``folder`` (validated like any
    upload); each month's stock and sales as frames (``load_frame``: the same validation,
    without writing gigabytes of CSV for a large network). One writer session.

    Args:
        net: The network from :func:`generate`.
        settings: The store to load into (initialised if needed).
        folder: Where the products and locations CSVs are written.
        on_month: Called with (month, stock rows, sales rows) after each month.

    Returns:
        The numbers of stock and sales rows loaded.
    """
    from assortment import store
    from assortment.ingest import load_file, load_frame

    store.init(settings)
    folder.mkdir(parents=True, exist_ok=True)
    n_stock = n_sales = 0
    with store.writer(settings) as con:
        for kind, frame in (("products", net.products), ("locations", net.locations)):
            path = folder / f"{kind}.csv"
            frame.write_csv(path)
            load_file(con, settings, kind, path)
        for month in net.months:
            stock, sales = net.stock(month), net.sales(month)
            load_frame(con, "stock", stock, file_name=f"stock_{month}")
            load_frame(con, "sales", sales, file_name=f"sales_{month}")
            n_stock += stock.height
            n_sales += sales.height
            if on_month is not None:
                on_month(month, stock.height, sales.height)
    return n_stock, n_sales
