"""In Chromium at 320 px: the menu opens with its button when scripts run, and stands open
when they do not, so every page stays reachable from any page."""

import pytest
from playwright.sync_api import Browser, expect

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def log_in(page, live_server, user) -> None:
    from tests.conftest import PASSWORD

    page.goto(live_server.url + "/accounts/login/")
    page.locator("#id_username").fill(user.email)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


@pytest.mark.parametrize("scripts", [True, False], ids=["with-js", "without-js"])
def test_the_menu_reaches_the_care_team_page_at_320_px(
    browser: Browser, live_server, alice, scripts
):
    context = browser.new_context(
        viewport={"width": 320, "height": 640}, java_script_enabled=scripts
    )
    page = context.new_page()
    log_in(page, live_server, alice)
    care_team = page.get_by_role("navigation", name="Main").get_by_role("link", name="Care team")
    if scripts:
        expect(care_team).to_be_hidden()
        page.get_by_role("button", name="Show or hide the menu").click()
    else:
        expect(page.get_by_role("button", name="Show or hide the menu")).to_be_hidden()
    care_team.click()
    expect(page.get_by_role("heading", name="Your care team")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    context.close()
