"""The synthetic network generator: determinism, shapes, planted troubles, the files it writes.

The planted troubles are checked with a small reference evaluation of domain.md sections 4-5
written here from the text, independent of the package's own classification code.
"""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from assortment.errors import UsageError
from assortment.sample import Network, generate, write_files

SMALL = {"seed": 11, "distributors": 6, "stores": 30, "styles": 120, "months": 8}
DEMO_DIR = Path(__file__).resolve().parents[1] / "sample_data"
REASONS = {
    "below_min_styles",
    "bestsellers_missing",
    "new_styles_missing",
    "many_broken_sizes",
    "slow_stock_heavy",
    "assortment_shrinking",
}
ALIASES = {
    "SKU": "sku", "条码": "sku", "款号": "style", "款式编号": "style", "颜色": "colour",
    "色号": "colour", "尺码": "size", "月份": "month", "门店编码": "location_id",
    "网点编码": "location_id", "库存": "on_hand", "期末库存": "on_hand", "盘点数": "on_hand",
    "销量": "units_sold", "销售数量": "units_sold", "金额": "amount",
}  # fmt: skip


@pytest.fixture(scope="module")
def net() -> Network:
    return generate(**SMALL)


@pytest.fixture(scope="module")
def written(net: Network, tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return write_files(net, tmp_path_factory.mktemp("files"))


# --- a small reference evaluation (default rules) ---------------------------------------------


def _abs(month: str) -> int:
    year, mon = month.split("-")
    return int(year) * 12 + int(mon) - 1


def _with_style(frame: pl.DataFrame, net: Network) -> pl.DataFrame:
    return frame.join(net.products.select("sku", "style", "colour", "size", "category"), on="sku")


def _styles_in_stock(net: Network, month: str) -> dict[str, int]:
    """Active styles per counted location (styles with on hand >= 1)."""
    stock = _with_style(net.stock(month), net)
    per_style = stock.group_by("location_id", "style").agg(pl.col("on_hand").sum())
    counts = per_style.filter(pl.col("on_hand") > 0).group_by("location_id").len()
    return dict(counts.iter_rows())


def _prefix(frame: pl.DataFrame, share: float) -> pl.DataFrame:
    """Shortest prefix of rows (already ordered) whose column 'u' reaches share of the total."""
    return frame.filter((pl.col("u").cum_sum() - pl.col("u")) < share * frame["u"].sum() - 1e-9)


def _evaluate(net: Network) -> dict[str, tuple[str, set[str]]]:
    """location_id -> (status, reasons) in the last month, per domain.md 4.2-4.5 and 5."""
    months = net.months
    month = months[-1]
    window = pl.concat([net.sales(m) for m in months[-3:]])
    sales = _with_style(window, net)
    by_style = sales.group_by("style").agg(pl.col("units_sold").sum().alias("u"))
    by_style = by_style.filter(pl.col("u") > 0).sort(["u", "style"], descending=[True, False])
    best = set(_prefix(by_style, 0.5).head(20)["style"])
    styles = net.products.select("style", "launch_month").unique()
    new = {s for s, lm in styles.iter_rows() if _abs(month) - 6 < _abs(lm) <= _abs(month)}

    stock = _with_style(net.stock(month), net)
    pairs = (
        stock.group_by("location_id", "style")
        .agg(pl.col("on_hand").sum().alias("oh"))
        .filter(pl.col("oh") > 0)
        .join(
            sales.group_by("location_id", "style").agg(pl.col("units_sold").sum().alias("u")),
            on=["location_id", "style"],
            how="left",
        )
        .with_columns(pl.col("u").fill_null(0))
        .with_columns(
            slow=~pl.col("style").is_in(list(best | new))
            & (pl.col("u") / (pl.col("u") + pl.col("oh")) < 0.15)
        )
    )
    # Core sizes: the flag where given, else the category curve over 12 months (0.8 share).
    year = _with_style(pl.concat([net.sales(m) for m in months[-12:]]), net)
    curve = year.group_by("category", "size").agg(pl.col("units_sold").sum().alias("u"))
    curve = curve.sort(["u", "size"], descending=[True, False])
    curve_core = pl.concat(
        [_prefix(g, 0.8) for _, g in curve.group_by("category", maintain_order=True)]
    )
    flagged = net.products.group_by("style").agg(pl.col("is_core_size").is_not_null().any())
    products = net.products.join(flagged.rename({"is_core_size": "flagged"}), on="style")
    core = pl.concat(
        [
            products.filter(pl.col("flagged") & pl.col("is_core_size")).select("sku"),
            products.filter(~pl.col("flagged"))
            .join(curve_core, on=["category", "size"])
            .select("sku"),
        ]
    )
    colours_in = (
        stock.group_by("location_id", "style", "colour")
        .agg(pl.col("on_hand").sum())
        .filter(pl.col("on_hand") > 0)
        .drop("on_hand")
    )
    core_skus = products.join(core, on="sku").select("sku", "style", "colour")
    broken = (
        colours_in.join(core_skus, on=["style", "colour"])
        .join(stock.select("location_id", "sku", "on_hand"), on=["location_id", "sku"], how="left")
        .group_by("location_id", "style", "colour")
        .agg((pl.col("on_hand").fill_null(0) > 0).all().alias("whole"))
        .group_by("location_id", "style")
        .agg((~pl.col("whole")).any().alias("broken"))
    )
    per_loc = {
        r["location_id"]: r
        for r in pairs.join(broken, on=["location_id", "style"], how="left")
        .group_by("location_id")
        .agg(
            pl.len().alias("active"),
            pl.col("style").is_in(list(best)).sum().alias("n_best"),
            pl.col("style").is_in(list(new)).sum().alias("n_new"),
            pl.col("broken").fill_null(False).sum().alias("n_broken"),
            (pl.col("oh") * pl.col("slow")).sum().alias("slow_oh"),
            pl.col("oh").sum().alias("oh"),
        )
        .iter_rows(named=True)
    }
    history = [_styles_in_stock(net, m) for m in months[-4:]]

    result: dict[str, tuple[str, set[str]]] = {}
    for loc in net.locations.iter_rows(named=True):
        lid, is_dist = loc["location_id"], loc["kind"] == "distributor"
        if loc["status"] == "closed":
            result[lid] = ("closed", set())
            continue
        if lid not in per_loc:
            result[lid] = ("no_count", set())
            continue
        r = per_loc[lid]
        minimum = loc["min_styles"] or (40 if is_dist else 20)
        need = 1.0 if is_dist else 0.8
        counts = [h.get(lid) for h in history]
        fails = {
            "below_min_styles": r["active"] < minimum,
            "bestsellers_missing": (r["n_best"] / len(best) if best else 1) < need - 1e-9,
            "new_styles_missing": (r["n_new"] / len(new) if new else 1) < need - 1e-9,
        }
        warns = {
            "many_broken_sizes": r["n_broken"] / r["active"] > 0.25 + 1e-9,
            "slow_stock_heavy": r["slow_oh"] / r["oh"] > 0.4 + 1e-9,
            "assortment_shrinking": None not in counts
            and all(a > b for a, b in zip(counts, counts[1:], strict=False)),
        }
        reasons = {k for k, v in (fails | warns).items() if v}
        status = "fail" if any(fails.values()) else "warn" if reasons else "pass"
        result[lid] = (status, reasons)
    return result


@pytest.fixture(scope="module")
def verdict(net: Network) -> dict[str, tuple[str, set[str]]]:
    return _evaluate(net)


# --- determinism and shapes -------------------------------------------------------------------


def test_same_seed_same_frames_other_seed_differs(net: Network) -> None:
    again = generate(**SMALL)
    assert_frame_equal(net.products, again.products)
    assert_frame_equal(net.locations, again.locations)
    assert net.planted == again.planted
    for month in (net.months[0], net.months[-1]):
        assert_frame_equal(net.stock(month), again.stock(month))
        assert_frame_equal(net.sales(month), again.sales(month))
    other = generate(**(SMALL | {"seed": 12}))
    assert not net.stock(net.months[-1]).equals(other.stock(other.months[-1]))
    assert not net.products.equals(other.products)


def test_months_are_consecutive_and_end_at_end_month() -> None:
    net = generate(seed=1, distributors=2, stores=4, styles=20, months=14, end_month="2026-02")
    assert net.months[0] == "2025-01"
    assert net.months[-1] == "2026-02"
    assert len(net.months) == 14
    with pytest.raises(UsageError, match="2026-03"):
        net.stock("2026-03")
    with pytest.raises(UsageError, match="YYYY-MM"):
        generate(end_month="2026-13")


def test_schemas(net: Network) -> None:
    assert net.products.schema == pl.Schema(
        {
            "sku": pl.String, "style": pl.String, "colour": pl.String, "size": pl.String,
            "category": pl.String, "launch_month": pl.String, "price": pl.Float64,
            "style_name": pl.String, "season": pl.String, "is_core_size": pl.Boolean,
        }
    )  # fmt: skip
    assert net.locations.schema == pl.Schema(
        {
            "location_id": pl.String, "name": pl.String, "kind": pl.String,
            "distributor_id": pl.String, "region": pl.String, "province": pl.String,
            "city": pl.String, "rep": pl.String, "min_styles": pl.Int32, "status": pl.String,
        }
    )  # fmt: skip
    month = net.months[-2]
    stock, sales = net.stock(month), net.sales(month)
    assert stock.schema == pl.Schema(
        {"month": pl.String, "location_id": pl.String, "sku": pl.String, "on_hand": pl.Int64}
    )
    assert sales.schema == pl.Schema(
        {
            "month": pl.String, "location_id": pl.String, "sku": pl.String,
            "units_sold": pl.Int64, "amount": pl.Float64,
        }
    )  # fmt: skip
    assert (stock["month"] == month).all() and (sales["month"] == month).all()
    assert stock["on_hand"].min() > 0 and sales["units_sold"].min() > 0
    assert (sales["amount"] > 0).all()
    for frame in (stock, sales):
        assert not frame.select("location_id", "sku").is_duplicated().any()
        assert frame["location_id"].is_in(net.locations["location_id"].implode()).all()
        assert frame["sku"].is_in(net.products["sku"].implode()).all()


def test_catalogue_is_consistent(net: Network) -> None:
    products = net.products
    assert products["sku"].is_unique().all()
    per_style = products.group_by("style").agg(
        pl.col("category", "launch_month", "price").n_unique(), pl.col("colour").n_unique()
    )
    assert (per_style.select("category", "launch_month", "price") == 1).to_numpy().all()
    assert per_style["colour"].is_between(1, 3).all()
    assert set(products["category"]) == {"bra", "brief", "set"}
    assert {"75B", "80B", "70A", "S", "XL"} <= set(products["size"])
    assert (
        products["sku"] == products["style"] + "-" + products["colour"] + "-" + products["size"]
    ).all()
    flags = products.group_by("style").agg(
        pl.col("is_core_size").null_count().alias("nulls"), pl.len()
    )
    assert (flags["nulls"] == flags["len"]).any(), "some styles must rely on the size curve"
    assert (flags["nulls"] == 0).any()
    assert (flags["nulls"].is_in([0]) | (flags["nulls"] == flags["len"])).all()
    # Two launch seasons a year, and an old catalogue from before the first month.
    launches = set(products["launch_month"])
    assert {m[5:] for m in launches} == {"03", "09"}
    assert min(launches) < net.months[0]


def test_locations_form_distributor_groups(net: Network) -> None:
    loc = net.locations
    dists = loc.filter(pl.col("kind") == "distributor")
    stores = loc.filter(pl.col("kind") == "store")
    assert dists.height == 6 and stores.height == 30
    assert dists["distributor_id"].is_null().all()
    assert stores["distributor_id"].is_in(dists["location_id"].implode()).all()
    assert (stores["location_id"].str.slice(0, 3) == stores["distributor_id"]).all()
    assert set(loc["region"]) <= {"North", "East", "South", "West", "Central"}
    assert loc["province"].str.contains("省|市|自治区").all()
    per_region = loc.group_by("region").agg(pl.col("rep").n_unique())
    assert (per_region["rep"] >= 2).any(), "several reps per region"
    assert set(loc["status"]) == {"active", "closed"}
    assert loc["min_styles"].null_count() > loc.height - 4


def test_size_curve_peaks_at_75b_and_80b(net: Network) -> None:
    sales = _with_style(pl.concat([net.sales(m) for m in net.months]), net)
    bras = (
        sales.filter(pl.col("category") == "bra").group_by("size").agg(pl.col("units_sold").sum())
    )
    top2 = set(bras.sort("units_sold", descending=True)["size"].head(2))
    assert top2 == {"75B", "80B"}


def test_dense_stock_lists_every_location_and_sku(net: Network) -> None:
    dense = generate(**SMALL, dense=True)
    first = net.months[0]
    full = dense.stock(first)
    assert full.height == net.locations.height * net.products.height
    assert (full["on_hand"] == 0).sum() > full.height // 2
    assert_frame_equal(full.filter(pl.col("on_hand") > 0), net.stock(first))
    # The distributor that did not upload the last month stays absent, dense or not.
    last = dense.stock(net.months[-1])
    assert not last["location_id"].is_in(net.planted["no_count"]).any()


# --- planted troubles, each checked by a small independent computation ------------------------


def test_every_status_and_reason_shows_in_the_last_month(
    net: Network, verdict: dict[str, tuple[str, set[str]]]
) -> None:
    statuses = {status for status, _ in verdict.values()}
    assert statuses == {"pass", "warn", "fail", "no_count", "closed"}
    assert set().union(*(reasons for _, reasons in verdict.values())) == REASONS
    for lid in net.planted["pass"]:
        assert verdict[lid] == ("pass", set()), lid
    for lid in net.planted["warn_only"]:
        assert verdict[lid][0] == "warn", (lid, verdict[lid])
    for reason in REASONS:
        for lid in net.planted[reason]:
            assert reason in verdict[lid][1], (lid, reason, verdict[lid])


def test_below_min_locations_show_few_styles(net: Network) -> None:
    active = _styles_in_stock(net, net.months[-1])
    minimum = dict(net.locations.select("location_id", "min_styles").iter_rows())
    kinds = dict(net.locations.select("location_id", "kind").iter_rows())
    for lid in net.planted["below_min_styles"]:
        default = 40 if kinds[lid] == "distributor" else 20
        assert active.get(lid, 0) < (minimum[lid] or default), lid
    small = [lid for lid in net.planted["below_min_styles"] if kinds[lid] == "store"]
    assert any(active[lid] < 20 for lid in small)
    assert any(kinds[lid] == "distributor" and active[lid] < 40 for lid in active)


def test_min_styles_overrides(net: Network) -> None:
    active = _styles_in_stock(net, net.months[-1])
    minimum = dict(net.locations.select("location_id", "min_styles").iter_rows())
    flagship, counter = net.planted["min_styles_override"]
    assert 20 <= active[flagship] < minimum[flagship]
    assert minimum[counter] <= active[counter] < 20


def test_no_count_distributor_did_not_upload_the_last_month(net: Network) -> None:
    group = net.planted["no_count"]
    dist = [lid for lid in group if "-" not in lid]
    assert len(dist) == 1 and all(lid.startswith(dist[0]) for lid in group)
    stores = net.locations.filter(pl.col("distributor_id") == dist[0])["location_id"]
    assert set(group) == {dist[0], *stores}
    last, before = net.months[-1], net.months[-2]
    for frame in (net.stock(last), net.sales(last)):
        assert not frame["location_id"].is_in(group).any()
    assert net.stock(before)["location_id"].is_in(group).sum() > 0


def test_closed_store(net: Network) -> None:
    (closed,) = net.planted["closed"]
    status = net.locations.filter(pl.col("location_id") == closed)["status"].item()
    assert status == "closed"
    assert closed not in set(net.stock(net.months[-1])["location_id"])
    assert closed in set(net.stock(net.months[0])["location_id"])
    assert closed in set(net.sales(net.months[0])["location_id"])


def test_shrinking_stores_lose_styles_every_month(net: Network) -> None:
    history = [_styles_in_stock(net, m) for m in net.months[-4:]]
    assert len(net.planted["assortment_shrinking"]) == 2
    for lid in net.planted["assortment_shrinking"]:
        counts = [h[lid] for h in history]
        assert counts[0] > counts[1] > counts[2] > counts[3], (lid, counts)
    # Healthy locations change their range only at season starts: never three drops in a row.
    for lid in net.planted["pass"]:
        counts = [h[lid] for h in history]
        assert not counts[0] > counts[1] > counts[2] > counts[3], (lid, counts)


def test_slow_piles_are_old_and_unsold(net: Network) -> None:
    piles = set(net.planted["slow_stock_styles"])
    launch = dict(net.products.select("style", "launch_month").unique().iter_rows())
    assert all(launch[s] < net.months[0] for s in piles)
    for lid in net.planted["slow_stock_heavy"]:
        stock = _with_style(net.stock(net.months[-1]), net).filter(pl.col("location_id") == lid)
        in_pile = stock.filter(pl.col("style").is_in(list(piles)))["on_hand"].sum()
        assert in_pile / stock["on_hand"].sum() > 0.4
        sold = pl.concat([net.sales(m) for m in net.months[-3:]])
        sold = _with_style(sold.filter(pl.col("location_id") == lid), net)
        sold_pile = sold.filter(pl.col("style").is_in(list(piles)))["units_sold"].sum()
        assert sold_pile / (sold_pile + in_pile) < 0.15


def test_broken_colour_store_misses_main_colours(net: Network) -> None:
    (lid,) = net.planted["broken_colour"]
    units = _with_style(pl.concat([net.sales(m) for m in net.months[-3:]]), net)
    share = (
        units.group_by("style", "colour")
        .agg(pl.col("units_sold").sum())
        .with_columns(
            (pl.col("units_sold") / pl.col("units_sold").sum().over("style")).alias("share")
        )
    )
    core = share.filter(pl.col("share") >= 0.25).select("style", "colour")
    stock = _with_style(net.stock(net.months[-1]), net).filter(pl.col("location_id") == lid)
    in_stock = stock.select("style").unique()
    colours = stock.group_by("style", "colour").agg(pl.col("on_hand").sum())
    missing = (
        core.join(in_stock, on="style")
        .join(colours, on=["style", "colour"], how="left")
        .filter(pl.col("on_hand").is_null())
    )
    assert missing["style"].n_unique() >= 5


def test_bestseller_missing_and_sold_out(net: Network) -> None:
    (sold_out,) = net.planted["sold_out_style"]
    dist = [lid for lid in net.planted["bestsellers_missing"] if "-" not in lid]
    stock = _with_style(net.stock(net.months[-1]), net)
    at_dist = stock.filter(pl.col("location_id") == dist[0])
    assert sold_out not in set(at_dist["style"])
    sold = _with_style(net.sales(net.months[-2]), net)
    assert sold.filter(pl.col("style") == sold_out)["units_sold"].sum() > 0


def test_regional_style_sells_north_not_south(net: Network) -> None:
    north_style, south_style = net.planted["regional_style"]
    sales = _with_style(pl.concat([net.sales(m) for m in net.months]), net)
    sales = sales.join(net.locations.select("location_id", "region"), on="location_id")
    n_locations = dict(net.locations.group_by("region").len().iter_rows())

    def per_location(style: str, region: str) -> float:
        units = sales.filter((pl.col("style") == style) & (pl.col("region") == region))
        return units["units_sold"].sum() / n_locations[region]

    assert per_location(north_style, "North") > 10 * per_location(north_style, "South")
    assert per_location(south_style, "South") > 10 * per_location(south_style, "North")


# --- files --------------------------------------------------------------------------------------


def _read(path: Path) -> pl.DataFrame:
    """Read one written file the way the contract allows: encodings, aliases, whitespace."""
    if path.suffix == ".xlsx":
        frame = pl.read_excel(path, infer_schema_length=0)
    else:
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = raw.decode("gb18030")
        frame = pl.read_csv(io.StringIO(text), infer_schema_length=0)
    frame = frame.rename({c: ALIASES.get(c, c) for c in frame.columns})
    return frame.with_columns(pl.all().cast(pl.String).str.strip_chars())


def test_write_files_messy_forms(written: list[Path]) -> None:
    names = {p.name for p in written}
    assert {"products.csv", "locations.csv"} <= names
    stock_files = [p for p in written if p.parent.name == "stock"]
    # GB18030 with Chinese headers: not valid UTF-8.
    gb = next(p for p in stock_files if p.name.startswith("stock_D02_"))
    raw = gb.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    header = raw.decode("gb18030").splitlines()[0].split(",")
    assert {"月份", "门店编码", "期末库存"} <= set(header) and (
        "条码" in header or "款号" in header
    )
    # XLSX, UTF-8 with BOM, style + colour + size, stray whitespace and '12.0'.
    assert any(p.suffix == ".xlsx" for p in stock_files)
    bom = next(p for p in stock_files if p.name.startswith("stock_D04_"))
    text = bom.read_bytes()
    assert text.startswith(b"\xef\xbb\xbf")
    assert b" D04" in text and b".0\n" in text
    split = next(p for p in stock_files if p.name.startswith("stock_D05_"))
    assert split.read_text("utf-8").splitlines()[0] == "月份,门店编码,款号,颜色,尺码,盘点数"
    sales_headers = {_read(p).columns[-1] for p in written if p.parent.name == "sales"}
    assert sales_headers == {"amount"}


def test_written_files_hold_exactly_the_network(net: Network, written: list[Path]) -> None:
    products = net.products.select("sku", "style", "colour", "size")
    last = net.months[-1]
    for kind, qty in (("stock", ["on_hand"]), ("sales", ["units_sold", "amount"])):
        files = [p for p in written if p.parent.name == kind and p.stem.endswith(last)]
        assert len(files) == 5  # the no_count distributor sent nothing for the last month
        frames = []
        for path in files:
            frame = _read(path)
            if "sku" not in frame.columns:
                frame = frame.join(products, on=["style", "colour", "size"], how="left")
            assert frame["sku"].null_count() == 0
            frames.append(frame.select("month", "location_id", "sku", *qty))
        got = pl.concat(frames).sort("location_id", "sku")
        whole = got[qty[0]].cast(pl.Float64)
        assert (whole == whole.round()).all()
        got = got.with_columns(whole.cast(pl.Int64).alias(qty[0]))
        if kind == "sales":
            got = got.with_columns(pl.col("amount").cast(pl.Float64))
        expected = net.stock(last) if kind == "stock" else net.sales(last)
        assert_frame_equal(got, expected.sort("location_id", "sku"))


def test_write_files_plain(net: Network, tmp_path: Path) -> None:
    small = generate(seed=3, distributors=2, stores=3, styles=12, months=2)
    paths = write_files(small, tmp_path, messy=False)
    data = [p for p in paths if p.parent.name in ("stock", "sales")]
    assert data and all(p.suffix == ".csv" for p in data)
    assert all(
        p.read_text("utf-8").split("\n")[0].startswith("month,location_id,sku,") for p in data
    )


def test_shipped_sample_data_matches_the_generator() -> None:
    demo = generate()
    assert (DEMO_DIR / "products.csv").read_bytes() == demo.products.write_csv().encode()
    assert (DEMO_DIR / "locations.csv").read_bytes() == demo.locations.write_csv().encode()
    last = demo.months[-1]
    got = _read(DEMO_DIR / "stock" / f"stock_D01_{last}.csv")
    expected = demo.stock(last).filter(pl.col("location_id").str.starts_with("D01"))
    assert_frame_equal(got.with_columns(pl.col("on_hand").cast(pl.Int64)), expected)
    assert not (DEMO_DIR / "stock" / f"stock_D06_{last}.xlsx").exists()
    assert (DEMO_DIR / "README.md").is_file()


def _digests(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != "README.md"
    }


@pytest.mark.slow
def test_regenerated_sample_data_is_byte_identical(tmp_path: Path) -> None:
    """Every file of sample_data/ (workbooks included) is what the generator writes today."""
    write_files(generate(), tmp_path)
    got, shipped = _digests(tmp_path), _digests(DEMO_DIR)
    assert sorted(got) == sorted(shipped)
    assert [name for name in got if got[name] != shipped[name]] == []


def test_demo_network_shows_every_status_and_reason() -> None:
    demo = generate()
    verdict = _evaluate(demo)
    assert {status for status, _ in verdict.values()} == {
        "pass",
        "warn",
        "fail",
        "no_count",
        "closed",
    }
    assert set().union(*(reasons for _, reasons in verdict.values())) == REASONS
    assert all(verdict[lid] == ("pass", set()) for lid in demo.planted["pass"])
    assert all(verdict[lid][0] == "warn" for lid in demo.planted["warn_only"])
