"""In Chromium: a patient signs up, confirms the address from the emailed link, sees the home
page, logs out and in again; the pages pass axe without serious violations and fit a 320 px
screen without sideways scrolling."""

import re

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from tests.conftest import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

EMAIL = "erin@example.com"


def log_out(page: Page) -> None:
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()


def log_in(page: Page, password: str = PASSWORD) -> None:
    page.locator("#id_username").fill(EMAIL)
    page.locator("#id_password").fill(password)
    page.get_by_role("button", name="Log in").click()


def sign_up(page: Page) -> None:
    page.locator("#id_email").fill(EMAIL)
    page.locator("#id_display_name").fill("Erin Walsh")
    page.locator("#id_time_zone").select_option("America/New_York")
    page.locator("#id_mobile").fill("+1 212 555 0100")
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()


def confirm_signup(page: Page, live_server) -> None:
    """After the form: the check-your-email page, then the emailed link and its button."""
    expect(page.get_by_role("heading", name="Check your email to continue")).to_be_visible()
    match = re.search(r"https?://[^/\s]+(/accounts/signup/confirm/\S+/)", mail.outbox[-1].body)
    assert match, mail.outbox[-1].body
    page.goto(live_server.url + match.group(1))
    page.get_by_role("button", name="Create my account").click()


def test_patient_signs_up_logs_out_and_logs_in_again(page: Page, live_server, axe_check):
    page.goto(live_server.url)
    page.get_by_role("link", name="Create a patient account").click()
    expect(page.get_by_role("heading", name="Create your patient account")).to_be_visible()
    axe_check(page)

    sign_up(page)
    expect(page.get_by_role("heading", name="Check your email to continue")).to_be_visible()
    axe_check(page)
    confirm_signup(page, live_server)

    expect(page.get_by_role("heading", name="Hello, Erin Walsh")).to_be_visible()
    expect(page.get_by_text("America/New_York")).to_be_visible()
    axe_check(page)

    log_out(page)
    axe_check(page)
    log_in(page)

    expect(page.get_by_role("heading", name="Hello, Erin Walsh")).to_be_visible()
    log_out(page)
    page.goto(live_server.url)
    expect(page.get_by_role("link", name="Create a patient account")).to_be_visible()


def test_wrong_password_shows_the_error_and_passes_axe(page: Page, live_server, alice, axe_check):
    page.goto(f"{live_server.url}/accounts/login/")

    log_in(page, password="not-the-password-99")

    expect(page.get_by_text("do not match an account")).to_be_visible()
    axe_check(page)


def test_signup_errors_are_shown_next_to_fields_and_pass_axe(page: Page, live_server, axe_check):
    page.goto(f"{live_server.url}/accounts/signup/")
    page.locator("#id_email").fill("not-an-email")
    page.locator("#id_display_name").fill("Erin Walsh")
    page.locator("#id_password1").fill("short")
    page.locator("#id_password2").fill("shirt")
    page.get_by_role("button", name="Create account").click()

    expect(page.locator("#div_id_email .invalid-feedback")).to_contain_text("valid email")
    expect(page.locator("#div_id_password1 .invalid-feedback")).to_contain_text("too short")
    expect(page.locator("#div_id_password2 .invalid-feedback")).to_contain_text("not the same")
    axe_check(page)


def assert_fits_320(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 320


@pytest.mark.parametrize("path", ["/", "/accounts/signup/", "/accounts/login/"])
def test_public_pages_fit_a_320_pixel_screen(page: Page, live_server, path):
    page.set_viewport_size({"width": 320, "height": 640})

    page.goto(live_server.url + path)

    assert_fits_320(page)


def test_patient_home_and_menu_fit_a_320_pixel_screen(page: Page, live_server, client, alice):
    client.force_login(alice, backend="accounts.backends.ProfileBackend")
    session = client.cookies["sessionid"].value
    page.context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])
    page.set_viewport_size({"width": 320, "height": 640})

    page.goto(live_server.url)

    expect(page.get_by_role("heading", name="Hello, Alice Patel")).to_be_visible()
    assert_fits_320(page)
    page.get_by_role("button", name="Show or hide the menu").click()
    menu = page.get_by_role("navigation", name="Main")
    expect(menu.get_by_role("link", name="Care team", exact=True)).to_be_visible()
    expect(menu.get_by_role("button", name="Log out")).to_be_visible()
    assert_fits_320(page)


@pytest.fixture
def browser_context_args(browser_context_args):
    """The browser says it is in Tokyo, as a visitor's own machine would."""
    return {**browser_context_args, "timezone_id": "Asia/Tokyo"}


def test_signup_preselects_the_browsers_time_zone(page: Page, live_server, axe_check):
    page.goto(f"{live_server.url}/accounts/signup/")

    expect(page.locator("#id_time_zone")).to_have_value("Asia/Tokyo")
    axe_check(page)


def test_a_zone_the_patient_picked_is_not_replaced(page: Page, live_server):
    page.goto(f"{live_server.url}/accounts/signup/")
    page.locator("#id_time_zone").select_option("Europe/Paris")
    page.locator("#id_email").fill("not-an-email")
    page.get_by_role("button", name="Create account").click()

    expect(page.locator("#div_id_email .invalid-feedback")).to_be_visible()
    expect(page.locator("#id_time_zone")).to_have_value("Europe/Paris")


def test_typing_a_city_finds_its_zone(page: Page, live_server):
    page.goto(f"{live_server.url}/accounts/signup/")
    page.locator("#id_time_zone").focus()

    page.keyboard.type("Vancouver")

    expect(page.locator("#id_time_zone")).to_have_value("America/Vancouver")


def test_without_javascript_the_picker_keeps_london(browser, live_server):
    context = browser.new_context(java_script_enabled=False, timezone_id="Asia/Tokyo")
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/signup/")

    expect(page.locator("#id_time_zone")).to_have_value("Europe/London")
    context.close()
