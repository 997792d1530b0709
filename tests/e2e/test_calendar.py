"""The calendar feed in Chromium on a 390 px phone screen: the patient finds the page from the
home page, makes the address, copies it from the page, and the calendar fetched from it holds
their planned doses date for date; the page passes axe, with 44 px targets, before and after."""

from urllib.parse import urlsplit

import pytest
from icalendar import Calendar
from playwright.sync_api import Page, expect

from core.clock import local_today
from tests.e2e.helpers import sign_in
from tests.e2e.test_reachability import small_targets
from tests.helpers import prescribe

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_patient_makes_the_feed_and_its_address_gives_their_doses(
    page: Page, live_server, client, alice, axe_check
):
    rx = prescribe(alice, regimen="seed-maintenance", start=local_today(alice))
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server, client, alice)
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Calendar: your injections in your phone's calendar").click()
    expect(page.get_by_role("heading", name="Your injections in your calendar")).to_be_visible()
    axe_check(page)
    assert small_targets(page) == []

    page.get_by_label("Only the word “Injection”").check()
    page.get_by_role("button", name="Make my calendar address").click()

    address = page.get_by_label("Address to subscribe to")
    expect(address).to_be_visible()
    expect(page.get_by_role("link", name="Subscribe on this phone or computer")).to_have_attribute(
        "href", f"webcal://{address.input_value().split('://', 1)[1]}"
    )
    page.get_by_role("button", name="Copy address").click()
    expect(page.locator("#copy-status")).to_have_text("Copied. Paste it into your calendar app.")
    axe_check(page)
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= 390, f"the page scrolls sideways ({scroll} px)"
    assert small_targets(page) == []

    path = urlsplit(address.input_value()).path
    response = page.request.get(live_server.url + path)
    assert response.status == 200
    assert response.headers["content-type"].startswith("text/calendar")
    events = Calendar.from_ical(response.body()).walk("VEVENT")
    planned = list(
        rx.doses.exclude(status="cancelled").order_by("due").values_list("due", flat=True)
    )
    assert sorted(event.decoded("DTSTART") for event in events) == planned
    assert {str(event["SUMMARY"]) for event in events} == {"Injection"}

    # The address was in the answer to the POST only: opening the page again shows it no more.
    page.goto(live_server.url + "/me/calendar/")
    expect(page.get_by_label("Address to subscribe to")).to_have_count(0)
    expect(page.locator("#feed-state")).to_contain_text("On since")
