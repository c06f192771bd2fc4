"""Every page and role in a real browser: sign in, navigate, filter, open a location, download,
switch language, upload a bad and a good file. Runs against waitress over a tmp database."""

from __future__ import annotations

import re
import subprocess
import time
from pathlib import Path

import polars as pl
import pytest
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

pytestmark = pytest.mark.e2e
WAIT = 20


# ---------------------------------------------------------------- helpers


def wait(driver, timeout: float = WAIT) -> WebDriverWait:
    return WebDriverWait(driver, timeout, ignored_exceptions=(StaleElementReferenceException,))


def css(driver, selector: str):
    return wait(driver).until(ec.presence_of_element_located((By.CSS_SELECTOR, selector)))


def text_in(driver, selector: str, text: str) -> None:
    wait(driver).until(ec.text_to_be_present_in_element((By.CSS_SELECTOR, selector), text))


def sign_in(driver, base_url: str, user: str, password: str, *, lang: str = "en") -> None:
    driver.get(f"{base_url}/lang/{lang}?next=/login")
    css(driver, "#username").send_keys(user)
    driver.find_element(By.ID, "password").send_keys(password)
    driver.find_element(By.ID, "login-submit").click()
    css(driver, "#user-name")


def grid_rows(driver, grid_id: str, *, at_least: int = 1) -> list:
    selector = f"#{grid_id} .ag-center-cols-container .ag-row"
    wait(driver).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, selector)) >= at_least)
    return driver.find_elements(By.CSS_SELECTOR, selector)


def pick(driver, dropdown_id: str, value: str) -> None:
    """Choose an option of a Dash 4 dropdown."""
    css(driver, f"#{dropdown_id}").click()
    option = css(driver, f".dash-dropdown-content [role=option] input[value='{value}']")
    label = option.find_element(By.XPATH, "./ancestor::label")
    # a long list scrolls under the dropdown's own search box: bring the option to the middle
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", label)
    label.click()
    driver.find_element(By.TAG_NAME, "body").send_keys(Keys.ESCAPE)


def wait_download(folder: Path, suffix: str, timeout: float = WAIT) -> Path:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = [p for p in folder.iterdir() if p.suffix == suffix]
        if done:
            time.sleep(0.2)
            return done[0]
        time.sleep(0.2)
    raise AssertionError(f"no {suffix} download in {folder}: {list(folder.iterdir())}")


def nav_labels(driver) -> list[str]:
    return [a.text for a in driver.find_elements(By.CSS_SELECTOR, ".nav .nav-link")]


# ---------------------------------------------------------------- sign-in


def test_wrong_password_is_refused_in_words(browser, base_url):
    browser.get(base_url + "/login")
    css(browser, "#username").send_keys("admin")
    browser.find_element(By.ID, "password").send_keys("not-it")
    browser.find_element(By.ID, "login-submit").click()
    text_in(browser, ".alert-error", "Wrong username or password")
    browser.get_log("browser")  # the 401 of the refused form is expected, not an app error


def test_pages_need_signing_in(browser, base_url):
    browser.get(base_url + "/styles")
    css(browser, "#username")
    assert "/login?next=/styles" in browser.current_url


# ---------------------------------------------------------------- admin


def test_admin_overview_filter_and_open_a_location(browser, base_url, passwords, e2e_net):
    sign_in(browser, base_url, "admin", passwords["admin"])
    assert nav_labels(browser) == ["Overview", "Styles", "Upload", "Order plan", "Reps"]
    failing = e2e_net.with_status("fail")
    text_in(browser, "#kpi-fail .kpi-value", str(len(failing)))
    rows = grid_rows(browser, "overview-grid", at_least=len(e2e_net.status))
    assert len(rows) == len(e2e_net.status)
    css(browser, "#overview-status-chart .main-svg")
    css(browser, "#overview-trend .main-svg")
    pick(browser, "overview-status", "fail")
    wait(browser).until(
        lambda d: (
            len(
                d.find_elements(By.CSS_SELECTOR, "#overview-grid .ag-center-cols-container .ag-row")
            )
            == len(failing)
        )
    )
    text_in(browser, "#kpi-pass .kpi-value", "0")
    thin = e2e_net.with_reason("below_min_styles")[0]
    row = css(browser, f"#overview-grid .ag-center-cols-container .ag-row[row-id='{thin}']")
    row.find_element(By.CSS_SELECTOR, "[col-id='location_id']").click()
    wait(browser).until(ec.url_contains(f"/location/{thin}"))
    text_in(browser, "#location-status", "Fail")
    text_in(browser, "#location-status", "Only")
    css(browser, "#location-history .main-svg")


def test_location_page_size_run_styles_and_action_download(
    browser, base_url, passwords, e2e_net, downloads
):
    sign_in(browser, base_url, "admin", passwords["admin"])
    loc = e2e_net.with_reason("bestsellers_missing")[0]  # it gets replenishment lines
    browser.get(f"{base_url}/location/{loc}")
    text_in(browser, "#location-status", "Fail")
    assert len(grid_rows(browser, "location-styles-grid")) > 3
    assert len(browser.find_elements(By.CSS_SELECTOR, "#location-visit tbody tr")) > 0
    css(browser, "#location-size-run .heatmaplayer")
    css(browser, "#location-sell-through .scatterlayer")
    css(browser, "#location-actions-download-btn").click()
    path = wait_download(downloads, ".xlsx")
    actions = pl.read_excel(path)
    assert actions.height > 0 and "Action" in actions.columns and "Reason" in actions.columns


def test_location_page_visit_sheet_pdf_in_both_languages(
    browser, base_url, passwords, e2e_net, downloads
):
    """The visit list shows every column at tablet width and prints as a one-page A4 PDF."""
    sign_in(browser, base_url, "admin", passwords["admin"])
    loc = e2e_net.stores[e2e_net.distributors[0]][0]
    browser.set_window_size(820, 1180)
    try:
        browser.get(f"{base_url}/location/{loc}")
        first = css(browser, "#location-visit tbody tr")
        table = css(browser, "#location-visit table")
        box = css(browser, "#location-visit")
        assert table.size["width"] <= box.size["width"] + 1, "the visit list is cut at 820 px"
        assert "×" in first.text
        css(browser, "#location-visit-pdf-btn").click()
        path = wait_download(downloads, ".pdf", timeout=90)
        assert path.read_bytes()[:5] == b"%PDF-"
        text = subprocess.run(
            ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert "Visit sheet" in text and loc in text and "×" in text
        pages = subprocess.run(
            ["pdfinfo", str(path)], capture_output=True, text=True, check=True
        ).stdout
        assert "(A4)" in pages and re.search(r"Pages:\s+1\n", pages), pages  # one page
        path.unlink()
    finally:
        browser.set_window_size(1400, 1000)


def test_styles_page_pick_a_bestseller_and_see_who_lacks_it(browser, base_url, passwords):
    sign_in(browser, base_url, "admin", passwords["admin"])
    browser.get(base_url + "/styles")
    best = grid_rows(browser, "styles-bestsellers-grid", at_least=3)
    grid_rows(browser, "styles-new-grid", at_least=1)
    style = best[1].find_element(By.CSS_SELECTOR, "[col-id='style']").text
    best[1].find_element(By.CSS_SELECTOR, "[col-id='style']").click()
    text_in(browser, "#styles-lacking-title", style)
    text_in(browser, "#styles-regions-title", style)
    css(browser, "#styles-regions .barlayer")


def test_order_plan_for_admins_with_a_download(browser, base_url, passwords, downloads, e2e_net):
    sign_in(browser, base_url, "admin", passwords["admin"])
    browser.get(base_url + "/order-plan")
    css(browser, "#plan-total .kpi-value")
    assert len(grid_rows(browser, "plan-grid")) > 5
    # D03's group did not count the last month: the plan carries its count and says so
    group = ["D03", *e2e_net.stores["D03"]]
    text_in(browser, "#plan-not-counted .kpi-value", f"{len(group)} / 0")
    listed = grid_rows(browser, "plan-locations-grid", at_least=len(group))
    assert sorted(
        r.find_element(By.CSS_SELECTOR, "[col-id=location]").text.split()[0] for r in listed
    ) == sorted(group)
    assert {r.find_element(By.CSS_SELECTOR, "[col-id=coverage]").text for r in listed} == {
        "Carried forward"
    }
    css(browser, "#plan-download-btn").click()
    plan = pl.read_excel(wait_download(downloads, ".xlsx"))
    assert {"Region", "Style", "Size", "Units to order"} <= set(plan.columns)


# ---------------------------------------------------------------- rep, distributor


def test_rep_sees_own_locations_and_no_upload_or_order_plan(browser, base_url, passwords, e2e_net):
    sign_in(browser, base_url, "rep", passwords["rep"])
    assert nav_labels(browser) == ["Overview", "Styles", "Reps"]
    mine = e2e_net.of_rep(e2e_net.reps[e2e_net.distributors[0]])
    rows = grid_rows(browser, "overview-grid", at_least=len(mine))
    assert {r.get_attribute("row-id") for r in rows} == mine
    browser.get(base_url + "/order-plan")
    text_in(browser, ".empty", "not available for your role")
    browser.get(base_url + "/upload")
    text_in(browser, ".empty", "not available for your role")
    other = e2e_net.stores[e2e_net.distributors[1]][0]
    browser.get(f"{base_url}/location/{other}")
    text_in(browser, ".empty", "not in your area")


def test_distributor_overview_and_styles(browser, base_url, passwords, e2e_net):
    sign_in(browser, base_url, "dist2", passwords["dist2"])
    assert nav_labels(browser) == ["Overview", "Styles", "Upload"]
    group = {e2e_net.distributors[1], *e2e_net.stores[e2e_net.distributors[1]]}
    rows = grid_rows(browser, "overview-grid", at_least=len(group))
    assert {r.get_attribute("row-id") for r in rows} == group
    no_count = group & set(e2e_net.with_status("no_count"))
    text_in(browser, "#kpi-no-count .kpi-value", str(len(no_count)))
    browser.get(base_url + "/styles")
    grid_rows(browser, "styles-bestsellers-grid", at_least=1)


# ---------------------------------------------------------------- language, responsiveness


def test_switch_to_chinese_and_back(browser, base_url, passwords):
    sign_in(browser, base_url, "admin", passwords["admin"])
    css(browser, "#lang-zh").click()
    text_in(browser, ".nav", "总览")
    text_in(browser, "#kpi-fail .kpi-label", "不达标")
    grid_rows(browser, "overview-grid")
    text_in(browser, "#overview-grid", "不达标")
    # a Chinese font is installed for the browser (fonts-noto-cjk): no tofu boxes
    fonts = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True).stdout
    assert "Noto Sans CJK SC" in fonts, "fonts-noto-cjk is needed for Chinese text (make e2e-deps)"
    css(browser, "#lang-en").click()
    text_in(browser, ".nav", "Overview")


def test_browser_language_decides_the_sign_in_page(browser, base_url):
    browser.execute_cdp_cmd("Network.enable", {})
    browser.execute_cdp_cmd(
        "Network.setExtraHTTPHeaders", {"headers": {"Accept-Language": "zh-CN,zh;q=0.9"}}
    )
    try:
        browser.get(base_url + "/login")
        text_in(browser, "#login-submit", "登录")
    finally:
        browser.execute_cdp_cmd("Network.setExtraHTTPHeaders", {"headers": {}})


def test_tablet_width_has_no_sideways_scrolling(browser, base_url, passwords):
    sign_in(browser, base_url, "admin", passwords["admin"])
    browser.set_window_size(820, 1100)
    for path in ("/", "/styles", "/upload"):
        browser.get(base_url + path)
        css(browser, ".page h1")
        time.sleep(0.5)
        overflow = browser.execute_script(
            "return document.documentElement.scrollWidth - window.innerWidth"
        )
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px"


CUT_COLUMNS = """
const grid = document.getElementById(arguments[0]).querySelector('.ag-root-wrapper');
const box = grid.getBoundingClientRect();
return [...grid.querySelectorAll('.ag-header-row-column .ag-header-cell[col-id]')]
  .filter(cell => {
    const r = cell.getBoundingClientRect();
    const label = cell.querySelector('.ag-header-cell-text');
    return r.right > box.right + 1 || r.left < box.left - 1
      || (label && label.scrollWidth > label.clientWidth + 1);
  })
  .map(cell => cell.getAttribute('col-id'));
"""


CUT_VISIT_CELLS = """
const box = document.querySelector('#location-visit').getBoundingClientRect();
return [...document.querySelectorAll('#location-visit th, #location-visit td')]
  .filter(cell => {
    const r = cell.getBoundingClientRect();
    return r.right > box.right + 1 || r.left < box.left - 1 || cell.scrollWidth > cell.clientWidth + 1;
  })
  .map(cell => cell.textContent);
"""


def test_tables_show_every_column_whole(browser, base_url, passwords, e2e_net):
    """The overview table at 1400 px and the visit's action list at 820 px (a tablet): every
    column in view, no header cut to an ellipsis."""
    sign_in(browser, base_url, "admin", passwords["admin"])
    for lang in ("en", "zh"):
        browser.get(f"{base_url}/lang/{lang}?next=/")
        browser.set_window_size(1400, 1000)
        grid_rows(browser, "overview-grid")
        time.sleep(0.5)
        assert browser.execute_script(CUT_COLUMNS, "overview-grid") == [], lang
        browser.set_window_size(820, 1100)
        loc = e2e_net.with_reason("bestsellers_missing")[0]
        browser.get(f"{base_url}/location/{loc}")
        css(browser, "#location-visit tbody tr")
        time.sleep(0.5)
        assert browser.execute_script(CUT_VISIT_CELLS) == [], lang


SIDEWAYS_GRID = """
const viewport = document.getElementById(arguments[0]).querySelector('.ag-center-cols-viewport');
return viewport.scrollWidth - viewport.clientWidth;
"""

NAV_OUT_OF_SIGHT = """
return [...document.querySelectorAll('.nav .nav-link')].filter(a => {
  const r = a.getBoundingClientRect();
  return r.width === 0 || r.left < 0 || r.right > window.innerWidth
    || document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2) !== a;
}).map(a => a.textContent);
"""


def test_tablet_overview_table_fits_its_card_and_the_navigation_shows_every_link(
    browser, base_url, passwords
):
    """At 820 px (a tablet upright) the overview table gathers code, type, region, group and
    rep in one column instead of scrolling sideways inside its card; from 820 to 1180 px (on
    its side) no navigation link is pushed out of sight."""
    sign_in(browser, base_url, "admin", passwords["admin"])
    try:
        for lang in ("en", "zh"):
            browser.get(f"{base_url}/lang/{lang}?next=/")
            for width in (820, 1000, 1180):
                browser.set_window_size(width, 1100)
                browser.get(base_url + "/")
                grid_rows(browser, "overview-grid")
                time.sleep(1)
                assert browser.execute_script(NAV_OUT_OF_SIGHT) == [], (lang, width)
                # (1 px: the grid's sub-pixel rounding, as CUT_COLUMNS allows)
                assert browser.execute_script(SIDEWAYS_GRID, "overview-grid") <= 1, (lang, width)
                assert browser.execute_script(CUT_COLUMNS, "overview-grid") == [], (lang, width)
                where = browser.find_elements(
                    By.CSS_SELECTOR, "#overview-grid .ag-header-cell[col-id=where]"
                )
                assert bool(where) == (width < 1100), (lang, width)
    finally:
        browser.set_window_size(1400, 1000)


def test_tablet_location_style_table_fits_its_card(browser, base_url, passwords, e2e_net):
    """At 820 px the location page's style table shows code and name in one column and the
    gaps in words in another, instead of eleven columns scrolling sideways; at 1400 px every
    column of its own."""
    sign_in(browser, base_url, "admin", passwords["admin"])
    loc = e2e_net.with_reason("bestsellers_missing")[0]
    header = "#location-styles-grid .ag-header-cell[col-id={}]"
    try:
        for lang in ("en", "zh"):
            browser.get(f"{base_url}/lang/{lang}?next=/")
            for width, narrow in ((820, True), (1400, False)):
                browser.set_window_size(width, 1100)
                browser.get(f"{base_url}/location/{loc}")
                grid_rows(browser, "location-styles-grid")
                time.sleep(1)
                where = (lang, width)
                assert browser.execute_script(SIDEWAYS_GRID, "location-styles-grid") <= 1, where
                assert browser.execute_script(CUT_COLUMNS, "location-styles-grid") == [], where
                for col, shown in (
                    ("style_label", narrow),
                    ("gaps", narrow),
                    ("style", not narrow),
                ):
                    found = browser.find_elements(By.CSS_SELECTOR, header.format(col))
                    assert bool(found) == shown, (*where, col)
    finally:
        browser.set_window_size(1400, 1000)


CUT_CELLS = """
return [...document.querySelectorAll('#' + arguments[0] + ' .ag-cell[col-id=' + arguments[1] + ']')]
  .filter(cell => {
    const value = cell.querySelector('.ag-cell-value') || cell;
    return value.scrollWidth > value.clientWidth + 1;
  })
  .map(cell => cell.textContent);
"""


def test_style_lists_show_whole_names_side_by_side(browser, base_url, passwords):
    """At 1400 px the Styles page shows the bestsellers and the new styles side by side: a long
    name takes a second line instead of being cut to an ellipsis."""
    sign_in(browser, base_url, "admin", passwords["admin"])
    try:
        for lang in ("zh", "en"):
            browser.get(f"{base_url}/lang/{lang}?next=/styles")
            browser.set_window_size(1400, 1000)
            browser.get(base_url + "/styles")
            for grid in ("styles-bestsellers-grid", "styles-new-grid"):
                grid_rows(browser, grid)
                time.sleep(0.5)
                assert browser.execute_script(CUT_CELLS, grid, "style_name") == [], (lang, grid)
                assert browser.execute_script(CUT_COLUMNS, grid) == [], (lang, grid)
    finally:
        browser.set_window_size(1400, 1000)


def test_tablet_order_plan_shows_whole_styles(browser, base_url, passwords):
    """At 820 px the order plan shows code and name in one wrapped column instead of cutting
    both to "BF25A…"; no column is cut or scrolls sideways at 820 or 1400 px, in either
    language."""
    sign_in(browser, base_url, "admin", passwords["admin"])
    header = "#plan-grid .ag-header-cell[col-id={}]"
    try:
        for lang in ("zh", "en"):
            browser.get(f"{base_url}/lang/{lang}?next=/")
            for width, narrow in ((820, True), (1400, False)):
                browser.set_window_size(width, 1100)
                browser.get(base_url + "/order-plan")
                grid_rows(browser, "plan-grid")
                time.sleep(1)
                where = (lang, width)
                assert browser.execute_script(SIDEWAYS_GRID, "plan-grid") <= 1, where
                assert browser.execute_script(CUT_COLUMNS, "plan-grid") == [], where
                for col in ("style", "style_name", "style_label"):
                    cut = browser.execute_script(CUT_CELLS, "plan-grid", col)
                    assert cut == [], (*where, col, cut[:3])
                for col, shown in (("style_label", narrow), ("style", not narrow)):
                    found = browser.find_elements(By.CSS_SELECTOR, header.format(col))
                    assert bool(found) == shown, (*where, col)
    finally:
        browser.set_window_size(1400, 1000)


def test_unknown_page_says_so(browser, base_url, passwords):
    sign_in(browser, base_url, "admin", passwords["admin"])
    browser.get(base_url + "/no-such-page")
    text_in(browser, ".page h1", "Page not found")


# ------------------------------------------------- uploads (last: they change the data)


def upload_file(driver, path: Path) -> None:
    field = css(driver, "#upload-file input[type=file]")
    field.send_keys(str(path))


def test_distributor_uploads_a_bad_then_a_good_file(
    browser, base_url, passwords, tmp_path, e2e_net, downloads
):
    sign_in(browser, base_url, "dist1", passwords["dist1"])
    browser.get(base_url + "/upload")
    css(browser, "#upload-file")
    store = e2e_net.stores[e2e_net.distributors[0]][-1]
    theirs = e2e_net.stores[e2e_net.distributors[1]][0]
    month = e2e_net.months[-2]
    # a corrected count: one SKU of every style held, so the completeness guard lets it in
    held = e2e_net.in_stock(store, month).unique("style", keep="first", maintain_order=True)
    sku = held["sku"][0]
    bad = tmp_path / "stock_bad.csv"
    bad.write_text(
        "month,location_id,sku,on_hand\n"
        f"{month},{store},{sku},-2\n"
        f"{month},{store},NO-SUCH-SKU,1\n"
        f"{month},{theirs},{sku},1\n",
        encoding="utf-8",
    )
    upload_file(browser, bad)
    text_in(browser, "#upload-rejected", "rejected")
    rows = grid_rows(browser, "upload-errors-grid", at_least=2)
    assert {r.find_element(By.CSS_SELECTOR, "[col-id='row']").text for r in rows} >= {"2", "3"}
    assert not css(browser, "#upload-confirm").is_enabled()
    css(browser, "#upload-errors-btn").click()
    problems = pl.read_csv(wait_download(downloads, ".csv"))
    assert problems.columns == ["row", "column", "value", "reason"]
    # rows for another distributor's store are refused even when valid
    other = tmp_path / "stock_other.csv"
    other.write_text(f"month,location_id,sku,on_hand\n{month},{theirs},{sku},1\n", encoding="utf-8")
    upload_file(browser, other)
    text_in(browser, "#upload-out-of-scope", theirs)
    assert not css(browser, "#upload-confirm").is_enabled()
    good = tmp_path / "stock_good.csv"
    good.write_text(
        "月份,门店编码,条码,期末库存\n" + "".join(f"{month},{store},{k},2\n" for k in held["sku"]),
        encoding="utf-8",
    )
    upload_file(browser, good)
    text_in(browser, "#upload-valid", "valid")
    confirm = css(browser, "#upload-confirm")
    wait(browser).until(lambda d: confirm.is_enabled())
    assert str(held.height) in confirm.text
    confirm.click()
    WebDriverWait(browser, 60).until(
        ec.presence_of_element_located((By.CSS_SELECTOR, "#upload-loaded"))
    )
    text_in(browser, "#upload-done", month)
    text_in(browser, "#upload-history-grid", "stock_good.csv")
    # a count with far fewer styles than the store had waits for the tick box
    first = e2e_net.stores[e2e_net.distributors[0]][0]
    short = tmp_path / "stock_short.csv"
    one = e2e_net.in_stock(first, month)["sku"][0]
    short.write_text(f"month,location_id,sku,on_hand\n{month},{first},{one},1\n", encoding="utf-8")
    upload_file(browser, short)
    text_in(browser, "#upload-drop", "fewer than 50%")
    text_in(browser, "#upload-result", first)
    confirm = css(browser, "#upload-confirm")
    assert not confirm.is_enabled()
    css(browser, "#upload-accept-drop input").click()
    wait(browser).until(lambda d: confirm.is_enabled())
    confirm.click()
    WebDriverWait(browser, 60).until(
        ec.presence_of_element_located((By.CSS_SELECTOR, "#upload-loaded"))
    )
    text_in(browser, "#upload-history-grid", "stock_short.csv")


def test_reps_page_for_admin_and_rep_and_not_for_distributors(
    browser, base_url, passwords, e2e_net
):
    """Admins see every rep's scorecard, a rep their own, distributors get no Reps page."""
    from assortment import months
    from assortment.job import classify

    prev = months.fmt(months.add(months.parse(e2e_net.latest), -1))
    classify(e2e_net.settings, month=prev)  # its actions are judged by the latest count
    reps = sorted(set(e2e_net.reps.values()))
    mine = e2e_net.reps[e2e_net.distributors[0]]
    sign_in(browser, base_url, "admin", passwords["admin"])
    browser.get(f"{base_url}/reps")
    text_in(browser, "#reps-table", reps[0])
    table = css(browser, "#reps-table").text
    assert all(r in table for r in reps)
    css(browser, "#reps-trend .heatmaplayer")
    browser.get(f"{base_url}/lang/zh?next=/reps")
    text_in(browser, "#reps-table", "已完成")
    browser.get(f"{base_url}/lang/en?next=/login")
    browser.get("about:blank")
    browser.execute_cdp_cmd("Network.clearBrowserCookies", {})
    sign_in(browser, base_url, "rep", passwords["rep"])
    assert "Reps" in nav_labels(browser)
    browser.get(f"{base_url}/reps")
    text_in(browser, "#reps-table", mine)
    assert not [r for r in reps if r != mine and r in css(browser, "#reps-table").text]
    browser.get("about:blank")  # leave the page first: its callbacks must not race the sign-out
    browser.execute_cdp_cmd("Network.clearBrowserCookies", {})
    sign_in(browser, base_url, "dist1", passwords["dist1"])
    assert "Reps" not in nav_labels(browser)
    browser.get(f"{base_url}/reps")
    css(browser, ".empty")
    assert not browser.find_elements(By.CSS_SELECTOR, "#reps-table")
