"""The Styles page's "where each style was given a chance" in a real browser, per role and in
both languages: the stuck group marked, other distributors never named to a distributor."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By

from assortment import store
from tests.e2e.test_dashboard_e2e import css, pick, sign_in, text_in, wait

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def stuck_pair(e2e_net) -> tuple[str, str]:
    """A (distributor, style) stuck in the latest month of the test network."""
    with store.reader(e2e_net.settings) as con:
        row = con.execute(
            "select distributor_id, style from stuck where month = (select max(month) from stuck)"
            " order by value_at_stake_cny desc limit 1"
        ).fetchone()
    assert row, "the test network has no stuck style"
    return row


@pytest.fixture(scope="module")
def counted_groups(e2e_net) -> int:
    """Distributor groups with at least one counted active store in the latest month: the
    groups the chance figure has a bar for."""
    with store.reader(e2e_net.settings) as con:
        (n,) = con.execute(
            "select count(distinct l.distributor_id) from compliance as c"
            " join locations as l using (location_id)"
            " where c.month = (select max(month) from compliance) and c.kind = 'store'"
            " and c.status <> 'no_count'"
        ).fetchone()
    return n


def bar_labels(driver, graph_id: str) -> list[str]:
    """The y tick labels of a chance figure, once drawn."""
    selector = f"#{graph_id} .ytick text"
    wait(driver).until(lambda d: d.find_elements(By.CSS_SELECTOR, selector))
    return [e.text for e in driver.find_elements(By.CSS_SELECTOR, selector)]


def test_admin_sees_the_stuck_group_marked(
    browser, base_url, passwords, stuck_pair, counted_groups
):
    distributor, style = stuck_pair
    sign_in(browser, base_url, "admin", passwords["admin"])
    browser.get(base_url + "/styles")
    pick(browser, "styles-pick", style)
    text_in(browser, "#styles-chance-title", style)
    groups = bar_labels(browser, "styles-chance-groups")
    assert len(groups) == counted_groups  # an admin sees every counted group, no "elsewhere"
    marked = [g for g in groups if g.startswith("⚠")]
    assert len(marked) == 1 and "reach" in marked[0]
    assert len(bar_labels(browser, "styles-chance-regions")) >= 1
    css(browser, "#styles-new-chances .barlayer")


def test_distributor_sees_own_group_against_elsewhere(
    browser, base_url, passwords, e2e_net, stuck_pair
):
    _, style = stuck_pair
    sign_in(browser, base_url, "dist2", passwords["dist2"])
    browser.get(base_url + "/styles")
    pick(browser, "styles-pick", style)
    text_in(browser, "#styles-chance-title", style)
    groups = bar_labels(browser, "styles-chance-groups")
    own = e2e_net.locations.filter(e2e_net.locations["location_id"] == e2e_net.distributors[1])
    assert sorted(g.split(" · ")[0] for g in groups) == sorted(["Elsewhere", own["name"][0]])
    page = browser.find_element(By.TAG_NAME, "body").text
    svg = " ".join(e.text for e in browser.find_elements(By.CSS_SELECTOR, "svg text"))
    other = e2e_net.locations.filter(e2e_net.locations["location_id"] == e2e_net.distributors[0])[
        "name"
    ][0]
    assert other not in page and other not in svg
    assert e2e_net.distributors[0] not in svg


def test_rep_in_chinese(browser, base_url, passwords, stuck_pair):
    _, style = stuck_pair
    sign_in(browser, base_url, "rep", passwords["rep"], lang="zh")
    browser.get(base_url + "/styles")
    text_in(browser, "#styles-chance-title", "在哪里得到了机会")
    pick(browser, "styles-pick", style)
    text_in(browser, "#styles-chance-title", style)
    labels = bar_labels(browser, "styles-chance-regions")
    assert any("铺货率" in x for x in labels)
    text_in(browser, "#styles-new-chances", "没货")
