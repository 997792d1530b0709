"""In Chromium: patients who arrive mid-course. One on monthly maintenance, last injected five
weeks ago, and one three injections into bnf-no-neuro's loading (with nerve symptoms, so the
clinician's word is asked for) set up their prescription from the last injection, then enter
their earlier injections on the past injections page. Nothing in the past shows as missed,
raises a flag or queues a message, and the next dose is the right date."""

from datetime import date, timedelta

import pytest
from dateutil.relativedelta import relativedelta
from playwright.sync_api import Page, expect

from monitoring.models import Flag
from reminders.models import Notification
from schedules.models import Dose, Injection, Prescription
from tests.e2e.test_patient_flow import log_in_as, london_today

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

MON_WED_FRI = (0, 2, 4)


def shown(day: date) -> str:
    """A date as the preview writes it (Mon 2 Dec 2024)."""
    return f"{day:%a} {day.day} {day:%b %Y}"


def loading_days_before(today: date, count: int) -> list[date]:
    """The last `count` Mondays, Wednesdays and Fridays before today, oldest first."""
    days: list[date] = []
    day = today - timedelta(days=1)
    while len(days) < count:
        if day.weekday() in MON_WED_FRI:
            days.insert(0, day)
        day -= timedelta(days=1)
    return days


def next_loading_day(after: date) -> date:
    day = after + timedelta(days=1)
    while day.weekday() not in MON_WED_FRI:
        day += timedelta(days=1)
    return day


def start_wizard(page: Page, live_server, regimen: str) -> None:
    page.goto(f"{live_server.url}/me/prescription/new/")
    page.get_by_label(regimen).check()
    page.get_by_role("button", name="Next: your medicine").click()


def backfill(page: Page, live_server, days: list[date], axe_check) -> None:
    page.goto(f"{live_server.url}/me/history/")
    page.get_by_role("link", name="Add past injections").click()
    for number, day in enumerate(days, start=1):
        page.get_by_label(f"Date, row {number}", exact=True).fill(day.isoformat())
    axe_check(page)
    page.get_by_role("button", name="Save these injections").click()
    saved = page.get_by_text(f"{len(days)} past injections are in your history now.")
    expect(saved).to_be_visible()


def assert_nothing_for_the_past(rx: Prescription) -> None:
    assert not rx.doses.filter(status="missed").exists()
    assert not Flag.objects.filter(kind__in=["missed_loading", "missed_maintenance"]).exists()
    assert not Notification.objects.filter(kind="missed").exists()


def next_dose(rx: Prescription) -> Dose:
    return rx.doses.exclude(status__in=["taken", "cancelled"]).order_by("due").first()


def test_a_maintenance_patient_joins_five_weeks_after_the_last_injection(
    page: Page, live_server, client, alice, axe_check
):
    today = london_today()
    last = today - timedelta(weeks=5)
    expected = last + relativedelta(months=1)
    log_in_as(page, live_server, client, alice)

    start_wizard(page, live_server, "Quick top-up, then monthly")
    page.get_by_label("I have finished loading and am on maintenance").check()
    page.get_by_label("Date of your last injection").fill(last.isoformat())
    page.get_by_label("Strength, in micrograms (mcg) per mL").fill("1000")
    preview = page.locator("#preview")
    expect(preview.locator(".preview-list strong").first).to_have_text(shown(expected))
    expect(preview.locator(".past-dates")).to_have_count(0)
    axe_check(page)
    page.get_by_role("button", name="Save prescription").click()
    expect(page.get_by_role("heading", name="Your prescription")).to_be_visible()

    earlier = [last - relativedelta(months=2), last - relativedelta(months=1)]
    backfill(page, live_server, earlier, axe_check)

    rx = Prescription.objects.get(patient=alice)
    assert sorted(Injection.objects.values_list("given_on", flat=True)) == [*earlier, last]
    assert not Injection.objects.not_doses().exists()
    assert (next_dose(rx).due, next_dose(rx).status) == (expected, "due")
    assert_nothing_for_the_past(rx)


def test_a_loading_patient_three_injections_in_joins_and_back_fills(
    page: Page, live_server, client, alice, axe_check
):
    today = london_today()
    first, second, last = loading_days_before(today, 3)
    expected = next_loading_day(last)
    log_in_as(page, live_server, client, alice)

    start_wizard(page, live_server, "BNF, no nerve symptoms")
    page.get_by_label("I am part-way through the loading injections").check()
    page.get_by_label("How many loading injections have you had?").fill("3")
    page.get_by_label("Date of your last injection").fill(last.isoformat())
    page.get_by_label("Strength, in micrograms (mcg) per mL").fill("1000")
    preview = page.locator("#preview")
    expect(preview.locator(".preview-list strong").first).to_have_text(shown(expected))
    page.locator("#div_id_neuro").get_by_label("Yes").check()
    page.get_by_role("button", name="Save prescription").click()

    expect(page.locator("#div_id_neuro")).to_contain_text("without nerve symptoms")
    assert not Prescription.objects.exists()
    axe_check(page)
    page.get_by_label("I have checked this schedule with my clinician").check()
    page.get_by_role("button", name="Save prescription").click()
    expect(page.get_by_role("heading", name="Your prescription")).to_be_visible()

    backfill(page, live_server, [first, second], axe_check)

    rx = Prescription.objects.get(patient=alice)
    assert rx.neuro and rx.injections_before_joining == 2
    assert sorted(Injection.objects.values_list("given_on", flat=True)) == [first, second, last]
    loading = rx.doses.filter(phase__order=0).exclude(status="cancelled")
    assert loading.count() == 4  # the last one had and the three still to come: six in all
    assert next_dose(rx).due == expected
    assert_nothing_for_the_past(rx)
