"""The "I've had it" link on a phone, in Chromium: no login, one tap, "Logged", one injection
on the dose; the page fits a 390 px screen and passes axe before and after the tap."""

from urllib.parse import urlparse

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from core.clock import local_today
from reminders.answers import tokens
from reminders.models import Notification
from schedules.models import Dose, Injection
from tests.helpers import prescribe

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def fits(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_one_tap_on_a_phone_logs_the_dose(page: Page, live_server, alice, axe_check):
    today = local_today(alice)
    rx = prescribe(alice, start=today)
    dose = Dose.objects.get(prescription=rx, due=today)
    now = timezone.now()
    row = Notification.objects.create(
        recipient=alice,
        dose=dose,
        kind="due",
        channel="email",
        status="sent",
        scheduled_for=now,
        next_attempt_at=now,
    )
    page.set_viewport_size({"width": 390, "height": 844})

    page.goto(live_server.url + urlparse(tokens.link(row, "taken")).path)
    expect(page.get_by_role("heading", name="Had your injection?")).to_be_visible()
    expect(page.get_by_role("link", name="History")).to_have_count(0)
    assert fits(page)
    axe_check(page)
    page.get_by_role("button", name="Yes, I've had it").click()

    expect(page.get_by_role("heading", name="Logged")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("Logged: injection on")
    assert fits(page)
    axe_check(page)
    assert Dose.objects.get(pk=dose.pk).injection == Injection.objects.get()
    assert not any(cookie["name"] == "sessionid" for cookie in page.context.cookies())
