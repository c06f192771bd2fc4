"""The users page in a real browser: an admin adds a rep user, sees it, removes it."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as ec

from tests.e2e.test_dashboard_e2e import css, grid_rows, sign_in, text_in, wait

pytestmark = pytest.mark.e2e
ROWS = "#users-grid .ag-center-cols-container .ag-row"


def choose(driver, dropdown_id: str, label: str) -> None:
    """Choose the option of a single-choice Dash 4 dropdown whose text is ``label``."""
    css(driver, f"#{dropdown_id}").click()
    option = wait(driver).until(
        ec.element_to_be_clickable((By.XPATH, f"//*[@role='option'][normalize-space(.)='{label}']"))
    )
    option.click()
    wait(driver).until(ec.text_to_be_present_in_element((By.ID, dropdown_id), label))
    driver.find_element(By.TAG_NAME, "body").send_keys(Keys.ESCAPE)


def test_admin_adds_a_rep_user_and_removes_it(browser, base_url, passwords, e2e_net):
    sign_in(browser, base_url, "admin", passwords["admin"])
    css(browser, "#user-name")
    browser.find_element(By.LINK_TEXT, "Users").click()
    wait(browser).until(ec.url_contains("/users"))
    assert len(grid_rows(browser, "users-grid", at_least=4)) == 4

    rep_name = e2e_net.reps[e2e_net.distributors[1]]
    css(browser, "#users-username").send_keys("e2e-rep")
    choose(browser, "users-scope", rep_name)
    css(browser, "#users-display-name").send_keys("E2E Rep")
    css(browser, "#users-password").send_keys("e2e-rep-pass-1")
    css(browser, "#users-add-btn").click()
    text_in(browser, "#users-add-msg", "User e2e-rep added")
    row = css(browser, f"{ROWS}[row-id='e2e-rep']")
    text_in(browser, f"{ROWS}[row-id='e2e-rep']", rep_name)
    assert "Rep" in row.text

    choose(browser, "users-pick", "e2e-rep")
    css(browser, "#users-remove-btn").click()
    wait(browser).until(ec.alert_is_present()).accept()
    text_in(browser, "#users-remove-msg", "User e2e-rep removed")
    wait(browser).until(lambda d: not d.find_elements(By.CSS_SELECTOR, f"{ROWS}[row-id='e2e-rep']"))
    assert len(grid_rows(browser, "users-grid", at_least=4)) == 4


def test_non_admins_have_no_users_link_or_page(browser, base_url, passwords):
    sign_in(browser, base_url, "dist1", passwords["dist1"])
    assert not browser.find_elements(By.LINK_TEXT, "Users")
    browser.get(base_url + "/users")
    text_in(browser, ".empty", "not available for your role")
