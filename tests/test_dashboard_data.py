"""The dashboard's reads: one scoped query each, cached per snapshot version."""

from __future__ import annotations

import time

import polars as pl
import pytest

from assortment import store
from assortment.months import parse as month_date
from assortment.users import User
from dashboard.data import Data
from tests.e2e.helpers import build_with_users, clone


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    return build_with_users(tmp_path_factory.mktemp("data"))


@pytest.fixture
def data(base):
    return Data(base.settings)


ADMIN = User("admin", "admin")


def rep_of(net):
    return User("rep", "rep", net.reps[net.distributors[0]])


def test_months_newest_first(data, base):
    assert data.months() == list(reversed(base.months))


def test_results_are_cached_until_a_new_snapshot(base, tmp_path):
    net = clone(base, tmp_path)
    data = Data(net.settings)
    first = data.overview(ADMIN, net.latest, regions=[], groups=[], reps=[], statuses=[])
    assert data.overview(ADMIN, net.latest, regions=[], groups=[], reps=[], statuses=[]) is first
    with store.writer(net.settings) as con:
        con.execute(
            "update compliance set status = 'pass' where month = ?", [month_date(net.latest)]
        )
    time.sleep(0.6)
    again = data.overview(ADMIN, net.latest, regions=[], groups=[], reps=[], statuses=[])
    assert again is not first and set(again["status"]) == {"pass"}


def test_derived_results_are_built_once_per_snapshot_and_key(base, tmp_path):
    net = clone(base, tmp_path)
    data = Data(net.settings)
    built = []

    def build(tag):
        def run():
            built.append(tag)
            return {"tag": tag, "n": len(built)}

        return run

    first = data.derived("rows", build("a"), role="admin", month="2026-10", regions=["N", "E"])
    # the same key (lists in any order) answers from the cache: nothing built again
    assert (
        data.derived("rows", build("b"), role="admin", month="2026-10", regions=["E", "N"]) is first
    )
    # another scope, another month or another name is another result
    data.derived("rows", build("c"), role="rep", month="2026-10", regions=["N", "E"])
    data.derived("rows", build("d"), role="admin", month="2026-09", regions=["N", "E"])
    data.derived("chart", build("e"), role="admin", month="2026-10", regions=["N", "E"])
    assert built == ["a", "c", "d", "e"]
    # a new snapshot builds it anew
    with store.writer(net.settings) as con:
        con.execute("update compliance set status = 'pass'")
    time.sleep(0.6)
    again = data.derived("rows", build("f"), role="admin", month="2026-10", regions=["N", "E"])
    assert again == {"tag": "f", "n": 5}


def test_trend_counts_statuses_per_month(data, base):
    trend = data.trend(ADMIN, regions=[], groups=[], reps=[], statuses=[])
    assert trend["month"].to_list() == base.months
    last = trend.row(-1, named=True)
    overview = data.overview(ADMIN, base.latest, regions=[], groups=[], reps=[], statuses=[])
    assert last["n_fail"] == (overview["status"] == "fail").sum()
    assert last["n_no_count"] == len(base.with_status("no_count")) > 0
    assert sum(last[k] for k in ("n_pass", "n_warn", "n_fail", "n_no_count")) == overview.height


def test_style_coverage_counts_only_counted_locations_in_scope(data, base):
    styles = data.styles(rep_of(base), base.latest)
    assert set(styles["list"]) == {"bestseller", "new"}
    no_count = set(base.with_status("no_count"))
    mine = base.of_rep(base.reps[base.distributors[0]])
    assert set(styles["n_locations"]) == {len(mine - no_count)}
    admin = data.styles(ADMIN, base.latest)
    assert set(admin["n_locations"]) == {len(base.locations) - len(no_count)}


def test_lacking_and_regional_sales_of_a_style(data, base):
    styles = data.styles(ADMIN, base.latest)
    new = styles.filter(styles["list"] == "new")["style"].to_list()
    (skipper,) = base.planted["new_styles_missing"]  # a store that did not take the new season
    style = next(s for s in new if base.in_stock(skipper).filter(pl.col("style") == s).is_empty())
    lacking = set(data.style_lacking(ADMIN, base.latest, style)["location_id"])
    counted = set(base.status) - set(base.with_status("no_count"))
    holding = {
        loc for loc in counted if not base.in_stock(loc).filter(pl.col("style") == style).is_empty()
    }
    assert skipper in lacking and lacking == counted - holding
    by_region = data.style_regions(ADMIN, base.latest, style)
    regions = base.locations.filter(pl.col("location_id").is_in(list(counted)))["region"]
    assert set(by_region["area"]) == set(regions)
    assert by_region["n_in_stock"].sum() == len(holding)
    rep = rep_of(base)
    by_city = data.style_regions(rep, base.latest, style, by="city")
    mine = base.locations.filter(
        pl.col("location_id").is_in(list(base.of_rep(rep.scope) & counted))
    )
    assert set(by_city["area"]) == set(mine["city"])
    assert by_city["n_locations"].sum() == mine.height


def test_size_run_lists_every_sku_of_the_style(data, base):
    loc = base.stores[base.distributors[0]][1]
    flagged = base.skus.filter(pl.col("is_core_size").is_not_null())  # core from the products file
    style = base.in_stock(loc).filter(pl.col("style").is_in(flagged["style"]))["style"][0]
    skus = base.skus.filter(pl.col("style") == style)
    sizes = data.size_run(ADMIN, loc, base.latest, style)
    assert sizes.height == skus.height
    assert sizes["is_core"].sum() == skus["is_core_size"].sum() > 0


@pytest.fixture
def ran(monkeypatch):
    """The names of the queries the dashboard ran from here on, in order."""
    names: list[str] = []
    real = store.query_served

    def counting(con, name, **params):
        names.append(name)
        return real(con, name, **params)

    monkeypatch.setattr(store, "query_served", counting)
    return names


def test_one_query_per_month_serves_every_location_page_of_every_user(base, ran):
    """The location page reads every location once per month and slices a location out:
    walking through stores costs no further query, nor does a second user (another scope),
    and each slice is that location's rows only (out of scope or unknown: empty)."""
    data = Data(base.settings)
    rep = rep_of(base)
    mine = sorted(base.of_rep(rep.scope))
    others = sorted(set(base.locations["location_id"]) - set(mine))
    for loc in mine:
        styles = data.location_styles(rep, loc, base.latest)
        assert data.location(rep, loc)["location_id"].unique().to_list() == [loc]
        expected = base.in_stock(loc)["style"].unique()
        assert set(expected) <= set(styles["style"])
        actions = data.location_actions(rep, loc, base.latest)
        assert set(actions["location_id"]) <= {loc}
        data.location_follow(rep, loc, base.latest)
    other_rep = next(
        User(f"r-{r}", "rep", r) for r in base.locations["rep"].unique().sort() if r != rep.scope
    )
    theirs = sorted(base.of_rep(other_rep.scope))[0]
    assert data.location_styles(other_rep, theirs, base.latest).height > 0
    assert data.location(ADMIN, theirs)["location_id"].unique().to_list() == [theirs]
    for name in ("dash_location", "dash_location_styles", "dash_location_actions"):
        assert ran.count(name) == 1, (name, ran.count(name))
    assert data.location_styles(rep, theirs, base.latest).is_empty()  # the other rep's
    assert data.location_actions(rep, theirs, base.latest).is_empty()
    assert data.location_follow(rep, theirs, base.latest).is_empty()
    assert data.size_run(rep, theirs, base.latest, styles["style"][0]).is_empty()
    assert data.location_styles(rep, others[0], base.latest).is_empty()
    assert data.location(rep, others[0]).is_empty()
    assert data.location_actions(rep, "no-such-store", base.latest).is_empty()
    assert data.location_styles(rep, "", base.latest).is_empty()


def test_one_query_per_scope_and_month_serves_every_style_chart(base, ran):
    data = Data(base.settings)
    styles = base.skus["style"].unique().sort().to_list()
    for style in styles:
        regions = data.style_regions(ADMIN, base.latest, style)
        assert "style" not in regions.columns and regions.height > 0
        data.style_chances(ADMIN, base.latest, style)
    assert ran.count("dash_style_regions") == 1 and ran.count("dash_style_chances") == 1
    sold = base.generated.sales(base.latest).join(base.skus.select("sku", "style"), on="sku")
    best = sold.group_by("style").agg(pl.col("units_sold").sum()).sort("units_sold").row(-1)
    # the window's sales include earlier months: at least the month's own units are there
    assert data.style_regions(ADMIN, base.latest, best[0])["units_sold"].sum() >= best[1]
    assert data.style_regions(ADMIN, base.latest, "no-such-style").is_empty()


def test_frame_cache_keeps_within_its_byte_budget(base, monkeypatch):
    import dashboard.data as dd

    data = Data(base.settings)
    one = data.location_styles(ADMIN, base.locations["location_id"][0], base.latest)
    assert one.height > 0
    scoped_bytes = data._cache_bytes  # noqa: SLF001 - the budget under test
    monkeypatch.setattr(dd, "_CACHE_BYTES", scoped_bytes + 1)
    for month in base.months:
        data.location_styles(ADMIN, base.locations["location_id"][0], month)
    assert data._cache_bytes <= scoped_bytes * 2  # noqa: SLF001
    assert len(data._cache) < len(base.months)  # noqa: SLF001 - older months were dropped


def test_order_plan_is_empty_for_everyone_but_admins(data, base):
    assert data.order_plan(ADMIN, base.latest, regions=[]).height > 0
    assert data.order_plan(rep_of(base), base.latest, regions=[]).height == 0
    north = data.order_plan(ADMIN, base.latest, regions=["North"])
    assert set(north["region"]) == {"North"}


def test_bad_month_is_a_usage_error(data):
    from assortment.errors import UsageError

    with pytest.raises(UsageError, match="YYYY-MM"):
        data.styles(ADMIN, "October")


def test_threads_missing_the_same_frame_at_once_run_its_query_once(base, monkeypatch):
    """After a new snapshot every user misses at once: the first thread runs the query, the
    others wait for its frame (or its error) instead of running it again."""
    import threading

    calls: list[str] = []
    real = store.query_served
    fail = {"on": True}

    def slow(con, name, **params):
        calls.append(name)
        time.sleep(0.3)  # long enough for every thread to ask while it runs
        if fail["on"]:
            raise RuntimeError("the disk went away")
        return real(con, name, **params)

    monkeypatch.setattr(store, "query_served", slow)
    data = Data(base.settings)
    rep = rep_of(base)
    results: list[object] = []

    def ask() -> None:
        try:
            results.append(
                data.frame("dash_location_styles", **rep.params(), month=month_date(base.latest))
            )
        except RuntimeError as exc:
            results.append(exc)

    for expect_error in (True, False):
        fail["on"] = expect_error
        calls.clear()
        results.clear()
        threads = [threading.Thread(target=ask) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert calls == ["dash_location_styles"], calls  # once, whatever the outcome
        assert len(results) == 6
        if expect_error:  # every waiter hears of the failure; nothing is kept
            assert all(isinstance(r, RuntimeError) for r in results)
        else:
            assert all(r is results[0] for r in results) and results[0].height > 0
