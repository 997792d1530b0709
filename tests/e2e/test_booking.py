"""The booking reminder's answer in Chromium on a 390 px phone: the patient opens the link in
the booking email as it was sent, without logging in, picks the date they booked, and then
sees the appointment on the schedule page's calendar; the pages pass axe."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Page, expect

from core.clock import local_today
from reminders.dispatcher import dispatch_due
from reminders.models import Notification
from reminders.planner import plan_notifications
from schedules.models import Appointment
from tests.e2e.helpers import sign_in
from tests.helpers import prescribe

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def booking_link(live_server) -> str:
    """The answer link in the booking email that went out, pointed at the test server."""
    (email,) = [m for m in mail.outbox if "book" in m.subject.lower()]
    found = re.search(rf"{re.escape(settings.SITE_URL)}(/answer/booked/\S+)", email.body)
    assert found, email.body
    return live_server.url + found.group(1)


def test_the_email_link_books_the_appointment_and_the_calendar_shows_it(
    page: Page, live_server, client, alice, axe_check
):
    today = local_today(alice)
    due = today + timedelta(days=10)  # window from today + 3 to today + 17
    prescribe(alice, start=due, today=today, given_by="nurse")
    plan_notifications(now=timezone.now())
    dispatch_due()
    assert Notification.objects.filter(kind="booking", status="sent").count() == 1
    booked_on = due + timedelta(days=2)

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(booking_link(live_server))
    expect(page.get_by_role("heading", name="Tell us the date you booked")).to_be_visible()
    axe_check(page)
    page.get_by_label("Date of the appointment").fill((due + timedelta(days=30)).isoformat())
    page.get_by_role("button", name="Save the appointment").click()
    expect(page.locator("#div_id_on .invalid-feedback")).to_contain_text(
        "after this injection's window closes"
    )
    axe_check(page)
    assert not Appointment.objects.exists()

    page.get_by_label("Date of the appointment").fill(booked_on.isoformat())
    page.get_by_label("Time (optional)").fill("10:30")
    page.get_by_label("Where (optional)").fill("Riverside Surgery")
    page.get_by_role("button", name="Save the appointment").click()
    expect(page.get_by_role("status").filter(has_text="Booked for")).to_contain_text(
        "10:30, Riverside Surgery"
    )
    axe_check(page)

    sign_in(page, live_server, client, alice)
    page.goto(f"{live_server.url}/me/schedule/?month={booked_on:%Y-%m}")
    words = f"Nurse appointment {booked_on.day} {booked_on:%b}, 10:30, Riverside Surgery"
    calendar = page.locator("#calendar")
    expect(calendar.locator(".appointment-mark")).to_have_count(1)
    expect(calendar).to_contain_text(words)  # the mark's words, for screen readers
    expect(page.locator(".appointment-note")).to_contain_text(words)
    expect(page.locator(".dose-row .booked").first).to_contain_text(f"Booked for {booked_on.day}")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways: {width}px"
    axe_check(page)


def test_the_appointment_page_records_changes_and_cancels_the_booking(
    page: Page, live_server, client, alice, axe_check
):
    today = local_today(alice)
    due = today + timedelta(days=10)
    prescribe(alice, start=due, today=today, given_by="nurse")
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server, client, alice)

    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Booked your nurse appointment? Tell us the date").click()
    expect(page.get_by_role("heading", name="Your nurse appointment")).to_be_visible()
    axe_check(page)
    page.get_by_label("Date of the appointment").fill(due.isoformat())
    page.get_by_label("Time (optional)").fill("09:15")
    page.get_by_role("button", name="Save the appointment").click()
    expect(page.locator("#booked")).to_contain_text(
        f"Booked for {due:%A} {due.day} {due:%B}, 09:15"
    )
    axe_check(page)

    later = due + timedelta(days=3)
    page.get_by_label("Date of the appointment").fill(later.isoformat())
    page.get_by_role("button", name="Save the new date").click()
    expect(page.locator("#booked")).to_contain_text(f"Booked for {later:%A} {later.day} {later:%B}")
    page.goto(live_server.url + "/")
    expect(page.locator("#next-dose-booked")).to_contain_text(f"Booked for {later.day} {later:%b}")
    axe_check(page)

    page.goto(live_server.url + "/me/appointment/")
    page.get_by_role("button", name="Cancel this appointment").click()
    expect(page.get_by_role("status").filter(has_text="Cancelled")).to_be_visible()
    expect(page.locator("#booked")).to_have_count(0)
    assert Appointment.objects.filter(cancelled_at__isnull=True).count() == 0
    assert Appointment.objects.count() == 2
