"""Every patient page in Chromium: axe finds no serious or critical problem, the page fits a
320 px screen without sideways scrolling, and the browser asks no other host for anything."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from schedules.models import Injection
from tests.schedules.history import give_history

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PAGES = [
    "/",
    "/me/log/",
    "/me/schedule/",
    "/me/history/",
    "/me/prescription/",
    "/me/prescription/edit/",
    "/me/appointment/",
    "/me/about/",
    "/me/stock/",
    "/me/calendar/",
    "/accounts/care-team/",
]


@pytest.fixture
def alice_page(page: Page, live_server, client, alice):
    """Alice logged in, with a year of history (late and missed doses included)."""
    today = datetime.now(ZoneInfo("Europe/London")).date()
    give_history(alice, days=365, today=today)
    client.force_login(alice, backend="accounts.backends.ProfileBackend")
    cookie = {"name": "sessionid", "value": client.cookies["sessionid"].value}
    page.context.add_cookies([{**cookie, "url": live_server.url}])
    foreign: list[str] = []
    page.on(
        "request",
        lambda request: (
            None
            if request.url.startswith((live_server.url, "data:"))
            else foreign.append(request.url)
        ),
    )
    yield page
    assert foreign == []


def fits_320(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= 320


@pytest.mark.parametrize("width", [320, 1280])
def test_every_patient_page_passes_axe_and_fits(alice_page: Page, live_server, axe_check, width):
    alice_page.set_viewport_size({"width": width, "height": 800})
    for path in PAGES:
        response = alice_page.goto(live_server.url + path)
        assert response.status == 200, path
        axe_check(alice_page)
        if width == 320:
            assert fits_320(alice_page), path


def test_entry_pages_and_errors_pass_axe(alice_page: Page, live_server, axe_check):
    injection = Injection.objects.filter(status="recorded").first()
    for action in ("correct", "void"):
        alice_page.goto(f"{live_server.url}/me/history/{injection.pk}/{action}/")
        axe_check(alice_page)
        button = "Save the correction" if action == "correct" else "Void this entry"
        alice_page.get_by_role("button", name=button).click()
        expect(alice_page.locator("#error-summary")).to_be_visible()
        axe_check(alice_page)

    alice_page.goto(f"{live_server.url}/me/log/")
    alice_page.get_by_label("Dose, in micrograms (mcg)").fill("1")
    alice_page.get_by_role("button", name="Save injection").click()
    expect(alice_page.locator("#div_id_dose_mcg .invalid-feedback")).to_contain_text("enter 1000")
    axe_check(alice_page)

    alice_page.goto(f"{live_server.url}/me/prescription/")
    alice_page.get_by_role("link", name="Stop this prescription and set up a new one").click()
    axe_check(alice_page)
    alice_page.get_by_role("button", name="Stop it and set up a new one").click()
    expect(alice_page.locator("#error-summary")).to_be_visible()
    axe_check(alice_page)


def test_new_prescription_wizard_passes_axe_at_320(
    page: Page, live_server, client, dave, axe_check
):
    client.force_login(dave, backend="accounts.backends.ProfileBackend")
    cookie = {"name": "sessionid", "value": client.cookies["sessionid"].value}
    page.context.add_cookies([{**cookie, "url": live_server.url}])
    page.set_viewport_size({"width": 320, "height": 800})

    page.goto(f"{live_server.url}/me/prescription/new/")
    axe_check(page)
    assert fits_320(page)
    page.get_by_role("button", name="Next: your medicine").click()
    expect(page.locator("#regimen-error")).to_be_visible()
    axe_check(page)
    page.get_by_label("Something else").check()
    page.get_by_role("button", name="Next: your medicine").click()
    page.get_by_label("Loading: one injection every").fill("2")
    page.get_by_label("Loading: number of injections").fill("5")
    page.get_by_label("Maintenance: one injection every").fill("1")
    expect(page.locator("#preview .preview-list")).to_be_visible()
    axe_check(page)
    assert fits_320(page)
    page.get_by_label("Start date").fill((datetime.now().date() + timedelta(days=800)).isoformat())
    page.get_by_role("button", name="Save prescription").click()
    expect(page.locator("#div_id_start_date .invalid-feedback")).to_contain_text("a year ahead")
    axe_check(page)
    assert fits_320(page)
