"""In Chromium, what a patient sees of a clinician's change and of a stopped prescription:
the home-page notice (dismissed with a button), the regimen in words, the schedule's
eight-week list with its link to the rest, and the past prescriptions. Each page passes axe
and fits a 320 px screen."""

from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from core.clock import local_today
from schedules import services
from tests.e2e.helpers import sign_in
from tests.helpers import loading_with_a_first_injection

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def logged_in(page: Page, live_server, client, alice):
    return sign_in(page, live_server, client, alice)


def fits_320(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= 320


def checked(page: Page, axe_check) -> None:
    for width in (320, 1280):
        page.set_viewport_size({"width": width, "height": 800})
        axe_check(page)
        if width == 320:
            assert fits_320(page), page.url


def test_a_loading_phase_ended_by_the_clinician_shows_on_home_until_dismissed(
    logged_in: Page, live_server, alice, bob, axe_check
):
    rx = loading_with_a_first_injection(alice).prescription
    today = local_today(alice)
    services.phase_close(phase=rx.phases.get(order=0), actor=bob, closed_on=today - timedelta(3))

    logged_in.goto(live_server.url + "/")
    banner = logged_in.locator("#banner-changed")
    expect(banner).to_contain_text("Your next dose moved from")
    expect(banner).to_contain_text("changed by Dr Bob Smith")
    expect(banner).to_contain_text("Repletion (loading), every other day, ended on")
    expect(logged_in.locator("#regimen-now")).to_contain_text("Now: Maintenance, every 2 months")
    checked(logged_in, axe_check)

    banner.get_by_role("button", name="Dismiss this notice").click()
    expect(logged_in).to_have_url(live_server.url + "/")
    expect(logged_in.locator("#banner-changed")).to_have_count(0)

    logged_in.goto(live_server.url + "/me/prescription/")
    expect(logged_in.locator("#current-phase")).to_contain_text("Maintenance")
    expect(logged_in.locator("#regimen-summary")).to_contain_text("every 2 months, ongoing")
    checked(logged_in, axe_check)


def test_open_ended_loading_lists_eight_weeks_and_a_link_shows_the_rest(
    logged_in: Page, live_server, alice, axe_check
):
    loading_with_a_first_injection(alice)

    logged_in.goto(live_server.url + "/me/schedule/")
    rows = logged_in.locator("li.dose-row")
    shown = rows.count()
    assert 25 <= shown <= 35
    checked(logged_in, axe_check)

    logged_in.locator("#show-later").click()
    expect(logged_in.locator("#show-fewer")).to_be_visible()
    assert logged_in.locator("li.dose-row").count() > 150
    checked(logged_in, axe_check)


def test_a_stopped_prescription_stays_readable_under_past_prescriptions(
    logged_in: Page, live_server, alice, axe_check
):
    rx = loading_with_a_first_injection(alice).prescription
    services.prescription_stop(prescription=rx, actor=alice, reason="Started again at the clinic")

    logged_in.goto(live_server.url + "/")
    logged_in.get_by_role("link", name="Past prescriptions").first.click()
    expect(logged_in.get_by_role("heading", name="Past prescriptions")).to_be_visible()
    expect(logged_in.locator(f"#past-{rx.pk}")).to_contain_text("Started again at the clinic")
    checked(logged_in, axe_check)

    logged_in.locator(f"#past-{rx.pk}").get_by_role("link").click()
    expect(logged_in.locator("#stopped")).to_contain_text("Started again at the clinic")
    expect(logged_in.locator("#past-doses li").first).to_contain_text("Taken")
    expect(logged_in.locator("#past-injections")).to_contain_text("1000 mcg")
    checked(logged_in, axe_check)
