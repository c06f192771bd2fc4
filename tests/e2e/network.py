"""A synthetic network for the dashboard's tests and benchmark, built through the public API.

Products, locations, stock and sales go in as CSV files through ``load_file``; the
classification results (style_health, compliance, actions, ...) are *synthesised* here with
a simplified version of domain.md's rules and inserted with SQL, so the dashboard can be
tested without the classification job. The numbers are plausible, not the job's.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import polars as pl

from assortment import months, store, stuck
from assortment.config import Settings
from assortment.ingest import load_file

TODAY = date(2026, 11, 22)
REGIONS = (
    ("North", "河北", "石家庄"),
    ("South", "广东", "广州"),
    ("East", "浙江", "杭州"),
    ("West", "四川", "成都"),
)
REPS = ("张伟", "李娜", "王芳", "刘洋", "陈静", "杨磊")
BRA_SIZES = ("70A", "70B", "75A", "75B", "75C", "80B", "80C", "85C")
BRA_CORE = {"75B", "80B", "75C", "80C"}
BRIEF_SIZES = ("S", "M", "L")
BRIEF_CORE = {"M", "L"}
RULES_FP = "synthetic000"


@dataclass
class Network:
    """What was built: ids a test can refer to."""

    settings: Settings
    months: list[str]
    distributors: list[str]
    stores: dict[str, list[str]]  # distributor -> its stores
    reps: dict[str, str]  # distributor -> rep
    styles: list[str]
    skus: pl.DataFrame = field(repr=False)
    locations: pl.DataFrame = field(repr=False)

    @property
    def latest(self) -> str:
        """The last month built."""
        return self.months[-1]


def _month_list(end: str, n: int) -> list[str]:
    return [months.fmt(m) for m in months.window(months.parse(end), n)]


def _csv(frame: pl.DataFrame) -> bytes:
    buf = io.BytesIO()
    frame.write_csv(buf)
    return buf.getvalue()


def build(
    settings: Settings,
    *,
    distributors: int = 2,
    stores_per: int = 3,
    styles: int = 12,
    months: int = 3,
    end_month: str = "2026-10",
    seed: int = 1,
) -> Network:
    """Build the network into ``settings`` (init, load files, insert synthetic results).

    The last store of the first distributor is thin (few styles: it fails), and the last
    store of the second distributor has no count in the last month (no_count).
    """
    rng = np.random.default_rng(seed)
    store.init(settings)
    month_list = _month_list(end_month, months)

    # ------------------------------------------------------------ catalogue
    n_bras = max(1, styles * 2 // 3)
    prod_rows = []
    style_ids = []
    for i in range(styles):
        is_bra = i < n_bras
        style = f"B{1001 + i}" if is_bra else f"P{2001 + i - n_bras}"
        style_ids.append(style)
        # two styles launched in the last months are "new"; the rest are older
        launch = month_list[0] if i in (1, n_bras) else _month_list(end_month, 14 + i)[0]
        name = f"无痕文胸{i + 1}号" if is_bra else f"莫代尔内裤{i + 1}号"
        colours = ("BLK", "NUD") if is_bra else ("BLK",)
        sizes = BRA_SIZES if is_bra else BRIEF_SIZES
        core = BRA_CORE if is_bra else BRIEF_CORE
        for c in colours:
            for s in sizes:
                prod_rows.append(
                    {
                        "sku": f"{style}-{c}-{s}",
                        "style": style,
                        "colour": c,
                        "size": s,
                        "category": "bra" if is_bra else "brief",
                        "launch_month": launch,
                        "price": 199 if is_bra else 59,
                        "style_name": name,
                        "season": "2026SS",
                        "is_core_size": "true" if s in core else "false",
                    }
                )
    products = pl.DataFrame(prod_rows)

    # ------------------------------------------------------------ network
    loc_rows = []
    dist_ids: list[str] = []
    stores: dict[str, list[str]] = {}
    reps: dict[str, str] = {}
    for d in range(distributors):
        region, province, city = REGIONS[d % len(REGIONS)]
        did = f"D{d + 1:02d}"
        rep = (
            REPS[d % len(REPS)]
            if distributors <= len(REPS)
            else f"{REPS[d % len(REPS)]}{d // len(REPS) + 1}"
        )
        dist_ids.append(did)
        reps[did] = rep
        min_d = max(3, int(styles * 0.6))
        loc_rows.append(
            {
                "location_id": did,
                "name": f"{province}代理",
                "kind": "distributor",
                "distributor_id": "",
                "region": region,
                "province": province,
                "city": city,
                "rep": rep,
                "min_styles": str(min_d),
                "status": "active",
            }
        )
        stores[did] = []
        for s in range(stores_per):
            sid = f"{did}-S{s + 1:03d}"
            stores[did].append(sid)
            loc_rows.append(
                {
                    "location_id": sid,
                    "name": f"{city}{s + 1}号店",
                    "kind": "store",
                    "distributor_id": did,
                    "region": region,
                    "province": province,
                    "city": city,
                    "rep": rep,
                    "min_styles": str(max(2, int(styles * 0.4))),
                    "status": "active",
                }
            )
    locations = pl.DataFrame(loc_rows)

    with store.writer(settings) as con:
        load_file(con, settings, "products", _csv(products), file_name="products.csv", today=TODAY)
        load_file(
            con, settings, "locations", _csv(locations), file_name="locations.csv", today=TODAY
        )

    # ------------------------------------------------------------ stock and sales
    loc_ids = locations["location_id"].to_list()
    thin = stores[dist_ids[0]][-1] if stores_per else None
    missing_last = stores[dist_ids[1]][-1] if distributors > 1 and stores_per else None
    # which styles each location carries (distributors carry most, stores a subset)
    carry: dict[str, set[str]] = {}
    for row in loc_rows:
        lid = row["location_id"]
        share = 0.9 if row["kind"] == "distributor" else 0.65
        if lid == thin:
            share = 0.15
        chosen = {s for s in style_ids if rng.random() < share}
        if lid != thin:  # the likely bestsellers and the new styles are carried widely
            chosen |= set(style_ids[1:5]) | {style_ids[n_bras]}
        if stores_per and lid == stores[dist_ids[0]][0]:
            chosen.discard(style_ids[n_bras])  # the first store lacks a new style
        carry[lid] = chosen or {style_ids[0]}
    sku_style = products.select("sku", "style", "size")
    stock_parts = []
    sales_parts = []
    for mi, month in enumerate(month_list):
        for lid in loc_ids:
            if lid == missing_last and mi == len(month_list) - 1:
                continue
            mine = sku_style.filter(pl.col("style").is_in(list(carry[lid])))
            n = mine.height
            # slowly shrinking assortments at the thin store
            on_hand = rng.integers(1, 6, n)
            on_hand[rng.random(n) < 0.04] = 0
            popular = mine["style"].is_in(style_ids[2:5]).to_numpy()
            sold = rng.poisson(np.where(popular, 2.5, 0.6), n)
            stock_parts.append(
                pl.DataFrame(
                    {
                        "month": [month] * n,
                        "location_id": [lid] * n,
                        "sku": mine["sku"],
                        "on_hand": on_hand,
                    }
                )
            )
            sales_parts.append(
                pl.DataFrame(
                    {
                        "month": [month] * n,
                        "location_id": [lid] * n,
                        "sku": mine["sku"],
                        "units_sold": sold,
                    }
                ).filter(pl.col("units_sold") > 0)
            )
    stock = pl.concat(stock_parts)
    sales = pl.concat(sales_parts).with_columns((pl.col("units_sold") * 150).alias("amount"))
    with store.writer(settings) as con:
        for month in month_list:
            load_file(
                con,
                settings,
                "stock",
                _csv(stock.filter(pl.col("month") == month)),
                file_name=f"stock_{month}.csv",
                loaded_by="seed",
                today=TODAY,
            )
            load_file(
                con,
                settings,
                "sales",
                _csv(sales.filter(pl.col("month") == month)),
                file_name=f"sales_{month}.csv",
                loaded_by="seed",
                today=TODAY,
            )
        for month in month_list:
            _insert_results(con, month, month_list, products, locations, stock, sales)

    return Network(
        settings=settings,
        months=month_list,
        distributors=dist_ids,
        stores=stores,
        reps=reps,
        styles=style_ids,
        skus=products,
        locations=locations,
    )


def _insert_chances(
    con,
    m_date: date,
    window: list[str],
    required: pl.DataFrame,
    products: pl.DataFrame,
    locations: pl.DataFrame,
    stock: pl.DataFrame,
    sales: pl.DataFrame,
) -> None:
    """style_chances and stuck (domain.md 9) by the real rule over the built stock and sales
    (core colours: every colour)."""
    stock_w = stock.filter(pl.col("month").is_in(window)).with_columns(
        pl.col("month").map_elements(months.parse, return_dtype=pl.Date)
    )
    core = products.filter(pl.col("is_core_size") == "true")
    chances, stuck_list = stuck.chances_and_stuck(
        locations.lazy().with_columns(
            pl.when(pl.col("distributor_id") == "").then(None).otherwise(pl.col("distributor_id"))
        ),
        stock_w.filter(pl.col("month") == m_date).drop("month").lazy(),
        stuck.styles_had(stock_w.lazy(), products.lazy()),
        stuck.style_figures(
            stock_w.filter(pl.col("month") == m_date).drop("month").lazy(),
            sales.filter(pl.col("month").is_in(window))
            .group_by("location_id", "sku")
            .agg(pl.col("units_sold").sum())
            .lazy(),
            products.lazy(),
        ),
        products.select("sku", "style", pl.col("price").cast(pl.Float64)).lazy(),
        required.lazy(),
        core.select("sku", "style", "colour").lazy(),
        core.select("style", "colour").unique().lazy(),
        lookback_months=3,
        slow_sell_through=0.15,
        stuck_min_units=6,
        min_store_reach=0.5,
        proven_sell_through=0.3,
    )
    chances_df, stuck_df = pl.collect_all([chances, stuck_list])
    for table, frame in (("style_chances", chances_df), ("stuck", stuck_df)):
        frame = frame.with_columns(pl.lit(m_date).alias("month"))
        if table == "stuck":
            frame = frame.with_columns(pl.lit(RULES_FP).alias("rules_fingerprint"))
        con.register("incoming", frame)
        con.execute(f"delete from {table} where month = ?", [m_date])  # fixed names
        con.execute(f"insert into {table} by name select * from incoming")
        con.unregister("incoming")


def _many(con, sql: str, rows: list) -> None:
    if rows:
        con.executemany(sql, rows)


def _insert_results(
    con,
    month: str,
    month_list: list[str],
    products: pl.DataFrame,
    locations: pl.DataFrame,
    stock: pl.DataFrame,
    sales: pl.DataFrame,
) -> None:
    """Synthesise one month's results with simplified rules and insert them."""
    idx = month_list.index(month)
    window = month_list[max(0, idx - 2) : idx + 1]
    m_date = months.parse(month)
    styles = products.group_by("style").agg(
        pl.col("launch_month").first(),
        pl.col("price").first().cast(pl.Float64),
        pl.col("category").first(),
    )
    # network units over the window -> bestsellers (top third of units, at most 3 styles)
    net = (
        sales.filter(pl.col("month").is_in(window))
        .join(products.select("sku", "style"), on="sku")
        .group_by("style")
        .agg(pl.col("units_sold").sum().alias("net_units"))
        .sort(["net_units", "style"], descending=[True, False])
    )
    total = net["net_units"].sum() or 1
    net = net.with_columns(
        (pl.col("net_units").cum_sum() / total).alias("cumulative_share"),
        pl.int_range(1, pl.len() + 1).alias("rank"),
    )
    best = net.filter(pl.col("rank") <= 3)
    new = styles.filter(
        pl.col("launch_month").map_elements(
            lambda s: s > _month_list(month, 6)[0] and s <= month, return_dtype=pl.Boolean
        )
    )
    best_set = set(best["style"].to_list())
    new_set = set(new["style"].to_list())

    counted = set(stock.filter(pl.col("month") == month)["location_id"].unique().to_list())
    st = stock.filter(pl.col("month") == month).join(
        products.select("sku", "style", "colour", "size", "is_core_size"), on="sku"
    )
    sold = (
        sales.filter(pl.col("month").is_in(window))
        .join(products.select("sku", "style"), on="sku")
        .group_by("location_id", "style")
        .agg(pl.col("units_sold").sum())
    )
    oh = st.group_by("location_id", "style").agg(pl.col("on_hand").sum())
    # broken size: a colour in stock with a core size at zero
    col_stock = st.group_by("location_id", "style", "colour").agg(
        pl.col("on_hand").sum().alias("colour_on_hand"),
        pl.col("sku")
        .filter((pl.col("is_core_size") == "true") & (pl.col("on_hand") == 0))
        .alias("missing"),
    )
    broken = (
        col_stock.filter((pl.col("colour_on_hand") > 0) & (pl.col("missing").list.len() > 0))
        .group_by("location_id", "style")
        .agg(
            pl.col("missing")
            .list.explode(keep_nulls=False, empty_as_null=False)
            .sort()
            .alias("missing_core_skus")
        )
    )
    blk = col_stock.filter(pl.col("colour") == "BLK").select(
        "location_id", "style", (pl.col("colour_on_hand") == 0).alias("blk_out")
    )
    required = pl.DataFrame({"style": sorted(best_set | new_set)}, schema={"style": pl.String})
    base = (
        pl.concat(
            [
                oh.select("location_id", "style"),
                sold.select("location_id", "style"),
                pl.DataFrame({"location_id": sorted(counted)}).join(required, how="cross"),
            ],
            how="vertical",
        )
        .unique()
        .filter(pl.col("location_id").is_in(list(counted)))
    )
    pairs = (
        base.join(oh, on=["location_id", "style"], how="left")
        .join(sold, on=["location_id", "style"], how="left")
        .join(broken, on=["location_id", "style"], how="left")
        .join(blk, on=["location_id", "style"], how="left")
        .join(styles, on="style", how="left")
        .with_columns(
            pl.col("on_hand").fill_null(0).cast(pl.Int64),
            pl.col("units_sold").fill_null(0).cast(pl.Int64),
            pl.col("missing_core_skus").fill_null(pl.lit([], dtype=pl.List(pl.String))),
            pl.col("style").is_in(list(best_set)).alias("is_bestseller"),
            pl.col("style").is_in(list(new_set)).alias("is_new"),
        )
        .with_columns(
            pl.when(pl.col("on_hand") + pl.col("units_sold") > 0)
            .then(pl.col("units_sold") / (pl.col("units_sold") + pl.col("on_hand")))
            .otherwise(None)
            .alias("sell_through"),
        )
        .with_columns(
            pl.when(pl.col("is_bestseller"))
            .then(pl.lit("bestseller"))
            .when(pl.col("is_new"))
            .then(pl.lit("new"))
            .when((pl.col("on_hand") > 0) & (pl.col("sell_through") < 0.15))
            .then(pl.lit("slow_moving"))
            .otherwise(pl.lit("steady"))
            .alias("segment"),
            (pl.col("missing_core_skus").list.len() > 0).alias("broken_size"),
            (
                (pl.col("on_hand") > 0)
                & pl.col("blk_out").fill_null(True)
                & (pl.col("category") == "bra")
            ).alias("broken_colour"),
        )
    )
    health = pairs.select(
        pl.lit(m_date).alias("month"),
        "location_id",
        "style",
        "segment",
        "is_bestseller",
        "is_new",
        "on_hand",
        "units_sold",
        "sell_through",
        "broken_size",
        "broken_colour",
        "missing_core_skus",
        pl.lit(RULES_FP).alias("rules_fingerprint"),
    )
    con.register("incoming_health", health)
    con.execute("delete from style_health where month = ?", [m_date])
    con.execute("insert into style_health select * from incoming_health")
    con.unregister("incoming_health")

    # compliance
    n_best = max(len(best_set), 1)
    n_new = max(len(new_set), 1)
    per_loc = pairs.group_by("location_id").agg(
        (pl.col("on_hand") > 0).sum().alias("active_styles"),
        ((pl.col("on_hand") > 0) & pl.col("is_bestseller")).sum().alias("n_best"),
        ((pl.col("on_hand") > 0) & pl.col("is_new")).sum().alias("n_new"),
        ((pl.col("on_hand") > 0) & pl.col("broken_size")).sum().alias("n_broken"),
        pl.col("on_hand").filter(pl.col("segment") == "slow_moving").sum().alias("slow_units"),
        pl.col("on_hand").sum().alias("units"),
    )
    comp_rows = []
    per = {r["location_id"]: r for r in per_loc.iter_rows(named=True)}
    for loc in locations.iter_rows(named=True):
        lid = loc["location_id"]
        kind = loc["kind"]
        need = 1.0 if kind == "distributor" else 0.8
        min_styles = int(loc["min_styles"])
        dist = loc["distributor_id"] or None
        if lid not in counted:
            comp_rows.append(
                (
                    m_date,
                    lid,
                    kind,
                    dist,
                    loc["region"],
                    loc["rep"],
                    "no_count",
                    None,
                    min_styles,
                    None,
                    None,
                    None,
                    None,
                    False,
                    [],
                    RULES_FP,
                )
            )
            continue
        r = per.get(
            lid,
            {
                "active_styles": 0,
                "n_best": 0,
                "n_new": 0,
                "n_broken": 0,
                "slow_units": 0,
                "units": 0,
            },
        )
        active = int(r["active_styles"])
        bcov = r["n_best"] / n_best if best_set else 1.0
        ncov = r["n_new"] / n_new if new_set else 1.0
        bshare = r["n_broken"] / active if active else 0.0
        sshare = (r["slow_units"] or 0) / r["units"] if r["units"] else 0.0
        reasons = []
        if active < min_styles:
            reasons.append("below_min_styles")
        if bcov < need - 1e-9:
            reasons.append("bestsellers_missing")
        if ncov < need - 1e-9:
            reasons.append("new_styles_missing")
        fail = bool(reasons)
        if bshare > 0.25:
            reasons.append("many_broken_sizes")
        if sshare > 0.4:
            reasons.append("slow_stock_heavy")
        status = "fail" if fail else ("warn" if reasons else "pass")
        comp_rows.append(
            (
                m_date,
                lid,
                kind,
                dist,
                loc["region"],
                loc["rep"],
                status,
                active,
                min_styles,
                bcov,
                ncov,
                bshare,
                sshare,
                False,
                reasons,
                RULES_FP,
            )
        )
    con.execute("delete from compliance where month = ?", [m_date])
    _many(
        con,
        "insert into compliance values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        comp_rows,
    )

    # actions: replenish missing required styles' core SKUs and broken sizes; transfers
    # from a sibling holding >= 2; clearance of slow movers
    core = products.filter(pl.col("is_core_size") == "true").select(
        "sku", "style", "colour", "size"
    )
    absent = pairs.filter((pl.col("is_bestseller") | pl.col("is_new")) & (pl.col("on_hand") == 0))
    launched = styles.select("style", pl.col("launch_month").str.to_date("%Y-%m").alias("launched"))
    rep_rows = (
        absent.join(core, on="style")
        .join(best.select("style", pl.col("rank").cast(pl.Int64)), on="style", how="left")
        .join(launched, on="style", how="left")
        .select(
            "location_id",
            "style",
            "colour",
            "size",
            "sku",
            pl.when(pl.col("is_bestseller"))
            .then(pl.lit("bestseller_not_in_stock"))
            .otherwise(pl.lit("new_style_not_in_stock"))
            .alias("reason_code"),
            pl.when(pl.col("is_bestseller")).then(pl.col("rank")).alias("bestseller_rank"),
            pl.when(~pl.col("is_bestseller")).then(pl.col("launched")).alias("launch_month"),
        )
    )
    size_rows = (
        pairs.filter(pl.col("broken_size"))
        .select("location_id", "missing_core_skus")
        .explode("missing_core_skus")
        .rename({"missing_core_skus": "sku"})
        .join(core, on="sku")
        .select(
            "location_id",
            "style",
            "colour",
            "size",
            "sku",
            pl.lit("broken_size_run").alias("reason_code"),
            pl.lit(None, dtype=pl.Int64).alias("bestseller_rank"),
            pl.lit(None, dtype=pl.Date).alias("launch_month"),
        )
    )
    needs = pl.concat([rep_rows, size_rows])
    group = locations.select(
        "location_id",
        "kind",
        pl.when(pl.col("distributor_id") == "")
        .then(pl.col("location_id"))
        .otherwise(pl.col("distributor_id"))
        .alias("group_id"),
    )
    holders = (
        st.filter(pl.col("on_hand") >= 2)
        .select(
            pl.col("location_id").alias("source_location_id"),
            "sku",
            pl.col("on_hand").alias("held"),
        )
        .join(
            group.select(pl.col("location_id").alias("source_location_id"), "group_id"),
            on="source_location_id",
        )
    )
    wanted = needs.join(group, on="location_id").filter(pl.col("kind") == "store")
    moves = (
        wanted.join(holders, on=["group_id", "sku"])
        .filter(pl.col("source_location_id") != pl.col("location_id"))
        .sort("held", descending=True)
        .unique(["location_id", "sku"], keep="first")
    )
    transfers = moves.select(
        "location_id",
        pl.lit("transfer").alias("action"),
        "style",
        "colour",
        "size",
        "sku",
        pl.lit(1, dtype=pl.Int64).alias("units"),
        "source_location_id",
        pl.lit(None, dtype=pl.Float64).alias("value_cny"),
        "reason_code",
        "bestseller_rank",
        "launch_month",
        pl.col("held").cast(pl.Int64).alias("source_on_hand"),
    )
    replenish = needs.join(
        moves.select("location_id", "sku"), on=["location_id", "sku"], how="anti"
    ).select(
        "location_id",
        pl.lit("replenish").alias("action"),
        "style",
        "colour",
        "size",
        "sku",
        pl.lit(1, dtype=pl.Int64).alias("units"),
        pl.lit(None, dtype=pl.String).alias("source_location_id"),
        pl.lit(None, dtype=pl.Float64).alias("value_cny"),
        "reason_code",
        "bestseller_rank",
        "launch_month",
    )
    clearance = pairs.filter((pl.col("segment") == "slow_moving") & ~pl.col("is_new")).select(
        "location_id",
        pl.lit("clearance").alias("action"),
        "style",
        pl.lit(None, dtype=pl.String).alias("colour"),
        pl.lit(None, dtype=pl.String).alias("size"),
        pl.lit(None, dtype=pl.String).alias("sku"),
        pl.col("on_hand").alias("units"),
        pl.lit(None, dtype=pl.String).alias("source_location_id"),
        (pl.col("on_hand") * pl.col("price")).alias("value_cny"),
        pl.lit("slow_moving").alias("reason_code"),
        pl.col("units_sold").cast(pl.Int64),
        pl.col("sell_through").cast(pl.Float64),
    )
    acts = pl.concat([replenish, transfers, clearance], how="diagonal_relaxed").select(
        pl.lit(m_date).alias("month"),
        "location_id",
        "action",
        "style",
        "colour",
        "size",
        "sku",
        "units",
        "source_location_id",
        "value_cny",
        "reason_code",
        "bestseller_rank",
        "launch_month",
        "source_on_hand",
        "units_sold",
        "sell_through",
        pl.lit(RULES_FP).alias("rules_fingerprint"),
    )
    con.register("incoming_actions", acts)
    con.execute("delete from actions where month = ?", [m_date])
    con.execute("insert into actions by name select * from incoming_actions")
    con.unregister("incoming_actions")
    _insert_chances(con, m_date, window, required, products, locations, stock, sales)

    # network lists, core SKUs, order plan, run record
    con.execute("delete from bestsellers where month = ?", [m_date])
    _many(
        con,
        "insert into bestsellers values (?, ?, ?, ?, ?)",
        [
            (m_date, r["rank"], r["style"], r["net_units"], r["cumulative_share"])
            for r in best.iter_rows(named=True)
        ],
    )
    con.execute("delete from new_styles where month = ?", [m_date])
    _many(
        con,
        "insert into new_styles values (?, ?, ?)",
        [(m_date, r["style"], months.parse(r["launch_month"])) for r in new.iter_rows(named=True)],
    )
    con.execute("delete from core_skus where month = ?", [m_date])
    _many(
        con,
        "insert into core_skus values (?, ?, ?, ?, ?, 'products')",
        [
            (m_date, r["sku"], r["style"], r["colour"], r["size"])
            for r in core.iter_rows(named=True)
        ],
    )
    region_of = locations.select("location_id", "region")
    demand = (
        sales.filter(pl.col("month").is_in(window))
        .join(products.select("sku", "style", "size"), on="sku")
        .join(region_of, on="location_id")
        .filter(pl.col("style").is_in(sorted(best_set | new_set)))
        .group_by("region", "style", "size")
        .agg((pl.col("units_sold").sum() / len(window) * 3).alias("demand_units"))
    )
    held = (
        st.join(region_of, on="location_id")
        .group_by("region", "style", "size")
        .agg(pl.col("on_hand").sum().alias("on_hand_units"))
    )
    plan = (
        demand.join(held, on=["region", "style", "size"], how="left")
        .with_columns(
            pl.col("on_hand_units").fill_null(0),
        )
        .with_columns(
            (pl.col("demand_units") - pl.col("on_hand_units"))
            .clip(lower_bound=0)
            .round(0)
            .cast(pl.Int64)
            .alias("units")
        )
        .select(
            pl.lit(m_date).alias("month"),
            "region",
            "style",
            "size",
            "units",
            "demand_units",
            "on_hand_units",
        )
    )
    con.register("incoming_plan", plan)
    con.execute("delete from order_plan where month = ?", [m_date])
    con.execute("insert into order_plan select * from incoming_plan")
    con.unregister("incoming_plan")
    con.execute("delete from classify_runs where month = ?", [m_date])
    con.execute(
        "insert into classify_runs (month, rules_fingerprint, rules_json, run_at, n_locations, n_pairs, seconds)"
        " values (?, ?, '{}', current_timestamp, ?, ?, 0.0)",
        [m_date, RULES_FP, len(comp_rows), health.height],
    )
