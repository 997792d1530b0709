"""Symptom check-ins in Chromium: a patient logs a week of days through the page with big
answer buttons, sees them listed, gets the urgent message after a red-flag answer, and the page
passes axe and fits a 320 px screen."""

from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from core.clock import local_today
from monitoring.models import CheckIn

from .helpers import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_week_of_check_ins_with_big_buttons_then_a_red_flag(
    page: Page, live_server, client, alice, bob, axe_check
):
    today = local_today(alice)
    sign_in(page, live_server, client, alice)
    page.goto(live_server.url + "/")
    page.get_by_role("navigation").get_by_role("link", name="Symptoms", exact=True).click()
    expect(page.get_by_role("heading", name="Symptoms", level=1)).to_be_visible()
    page.set_viewport_size({"width": 390, "height": 844})  # a phone, held in a numb hand

    labels = page.locator("label.checkin-option")
    assert labels.count() == 7 * 4 + 3 * 2
    for index in range(labels.count()):
        box = labels.nth(index).bounding_box()
        assert box is not None and box["height"] >= 44 and box["width"] >= 44
    # Each word fits its button, and a symptom's four answers share one row on this phone.
    widths = labels.evaluate_all("els => els.map(e => e.scrollWidth - e.clientWidth)")
    assert max(widths) <= 0
    tops = {round(labels.nth(index).bounding_box()["y"]) for index in range(4)}
    assert len(tops) == 1

    for back in range(6, -1, -1):
        day = today - timedelta(days=back)
        page.fill("#id_on", day.isoformat())
        page.locator("fieldset", has_text="Tiredness").get_by_text("Moderate").click()
        page.locator("fieldset", has_text="Pins and needles").get_by_text(
            "Mild" if back % 2 else "None", exact=True
        ).click()
        page.get_by_role("button", name="Save check-in").click()
        expect(page.get_by_text(f"Check-in saved for {day:%A} {day.day}")).to_be_visible()
        assert page.locator("#urgent-help").count() == 0

    rows = page.locator("#checkin-list tr.checkin-row")
    expect(rows).to_have_count(7)
    assert CheckIn.objects.filter(patient=alice).count() == 7
    assert set(CheckIn.objects.values_list("tiredness", flat=True)) == {2}

    page.locator("fieldset", has_text="Difficulty walking").get_by_text("Yes").click()
    page.get_by_role("button", name="Save check-in").click()
    urgent = page.locator("#urgent-help")
    expect(urgent).to_be_visible()
    expect(urgent).to_contain_text("difficulty walking")
    expect(urgent).to_contain_text("Contact your clinician or GP practice today")
    assert CheckIn.objects.get(patient=alice, on=today).walking

    axe_check(page)
    page.set_viewport_size({"width": 320, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
