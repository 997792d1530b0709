"""The evidence for the interval in Chromium, end to end: alice logs a week of check-ins and a
serum B12 of 150 pmol/L and sees it as 203 ng/L, banded; before her appointment she sees when
her symptoms come back. Over cycles seeded through the services (symptoms back on day 12 of
each month), bob sees "Symptoms return around day 12 of …" on the flag, follows it to the
interval form, changes the interval, and the flag ends."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from dateutil.relativedelta import relativedelta
from playwright.sync_api import Page, expect

from core.clock import local_today
from monitoring.checkins import checkin_save
from monitoring.models import Flag
from schedules.models import Prescription
from tests.clinic.helpers import log
from tests.helpers import prescribe

from .helpers import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

RETURN_DAY = 12


def cycles_with_early_returns(alice) -> Prescription:
    """Monthly maintenance for four months, each dose given on its day; in each finished cycle
    a good day 2 and symptoms back on day 12, saved through the check-in service."""
    today = local_today(alice)
    start = today - relativedelta(months=4) - timedelta(days=5)
    rx = prescribe(alice, regimen="seed-maintenance", start=start)
    dues = [start + relativedelta(months=n) for n in range(5)]
    for n, due in enumerate(dues):
        log(rx, due)
        if n == len(dues) - 1:
            break
        for day, scores in ((2, {"tiredness": 1}), (RETURN_DAY, {"tiredness": 3, "mood": 2})):
            on = due + timedelta(days=day)
            checkin_save(patient=alice, actor=alice, on=on, values=scores, today=on)
    return rx


def log_a_week_of_check_ins(page: Page, today: date) -> None:
    page.get_by_role("navigation").get_by_role("link", name="Symptoms", exact=True).click()
    for back in range(6, -1, -1):
        day = today - timedelta(days=back)
        page.fill("#id_on", day.isoformat())
        page.locator("fieldset", has_text="Tiredness").get_by_text("Mild", exact=True).click()
        page.get_by_role("button", name="Save check-in").click()
        expect(page.get_by_text(f"Check-in saved for {day:%A} {day.day}")).to_be_visible()


def add_a_b12(page: Page, taken: date) -> None:
    page.get_by_role("navigation").get_by_role("link", name="Labs", exact=True).click()
    page.get_by_role("link", name="Add a result").click()
    page.get_by_label("Test").select_option(label="Serum B12")
    page.get_by_label("Unit").select_option("pmol/L")
    page.get_by_label("Result, as printed on the report").fill("150")
    page.get_by_label("Date the blood sample was taken").fill(taken.isoformat())
    page.get_by_role("button", name="Save result").click()
    expect(page.get_by_role("status")).to_contain_text("Serum B12 150 pmol/L (203 ng/L)")


def test_from_check_ins_and_a_b12_to_a_new_interval(
    page: Page, live_server, client, alice, bob, axe_check
):
    rx = cycles_with_early_returns(alice)
    today = local_today(alice)
    sign_in(page, live_server, client, alice)
    page.goto(live_server.url + "/")

    log_a_week_of_check_ins(page, today)
    add_a_b12(page, today - timedelta(days=3))

    page.get_by_role("navigation").get_by_role("link", name="Appointment").click()
    evidence = page.locator("section.evidence")
    expect(evidence).to_contain_text(f"Symptoms return around day {RETURN_DAY} of ")
    expect(page.locator("#latest-labs")).to_contain_text("150 pmol/L (203 ng/L)")
    expect(page.locator("#latest-labs")).to_contain_text("Indeterminate")
    expect(page.locator("#return-cycles tbody tr")).to_have_count(4)
    axe_check(page)

    page.context.clear_cookies()
    sign_in(page, live_server, client, bob)
    page.goto(f"{live_server.url}/clinic/patients/{alice.pk}/")
    card = page.locator(".flag-card").filter(has_text="Symptoms return before the next dose")
    expect(card).to_contain_text(f"Symptoms return around day {RETURN_DAY} of ")
    expect(card).to_contain_text(f"(cycles: {RETURN_DAY}, {RETURN_DAY}, {RETURN_DAY})")
    axe_check(page)

    card.get_by_text("Act on this flag").click()
    card.get_by_role("link", name="Change the maintenance interval").click()
    expect(page.get_by_role("heading", name="Change the maintenance interval")).to_be_in_viewport()
    page.fill("#interval_every", "4")
    page.select_option("#interval_unit", "week")
    page.fill("#interval_reason", "Symptoms back by day 12")
    page.get_by_role("button", name="Change the interval").click()

    expect(page.get_by_text("Maintenance is now every 4 weeks, from today on.")).to_be_visible()
    expect(page.locator(".flag-card").filter(has_text="Symptoms return")).to_have_count(0)
    flag = Flag.objects.get(prescription=rx, kind="symptoms_return_early")
    assert flag.status == "resolved" and flag.acted_by == bob
