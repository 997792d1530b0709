"""The status page's sentences agree with its numbers: singular and plural counts read
right, pending reminders that are not due yet are not called "nothing", and dates read
"11 Jun 2026" as on every other page."""

from datetime import date, timedelta

import pytest
import time_machine
from django.urls import reverse

from core.models import SweepTick
from reminders.models import Notification
from schedules.models import Dose
from tests.htmltools import parse
from tests.reminders.conftest import daily, utc

pytestmark = pytest.mark.django_db
NOW = utc(2026, 6, 11, 12, 0)


@pytest.fixture
def doses(alice):
    rx = daily(alice, start=date(2026, 6, 1))
    return list(Dose.objects.filter(prescription=rx).order_by("due"))


def pending(doses, *minutes_ago):
    for dose, minutes in zip(doses, minutes_ago, strict=False):
        at = NOW - timedelta(minutes=minutes)
        Notification.objects.create(
            recipient=dose.prescription.patient,
            dose=dose,
            kind="due",
            channel="email",
            status="pending",
            scheduled_for=at,
            next_attempt_at=at,
        )


def status_page(client):
    with time_machine.travel(NOW, tick=False):
        response = client.get(reverse("reminders:status"))
    assert response.status_code == 200
    return parse(response.content)


def test_pending_reminders_not_yet_due_are_not_called_nothing(client_for, staff, doses):
    pending(doses, -30, -60, -90)

    html = status_page(client_for(staff))

    assert html.by_id("outbox-pending").text == "3"
    oldest = html.by_id("outbox-oldest").text
    assert "nothing" not in oldest
    assert oldest == "none is due yet: all 3 pending reminders are scheduled for later"


def test_one_pending_reminder_not_yet_due_reads_in_the_singular(client_for, staff, doses):
    pending(doses, -30)

    oldest = status_page(client_for(staff)).by_id("outbox-oldest").text

    assert oldest == "none is due yet: the pending reminder is scheduled for later"


def test_one_second_and_one_minute_read_in_the_singular(client_for, staff, doses):
    SweepTick.record("heartbeat", at=NOW - timedelta(seconds=1), worker="w1")
    pending(doses, 1)

    html = status_page(client_for(staff))

    assert "last beat 1 second ago" in html.by_id("heartbeat-ok").text
    assert html.by_id("outbox-oldest").text.startswith("due 1 minute ago,")


def test_status_dates_read_day_month_year(client_for, staff, doses):
    SweepTick.record("heartbeat", at=NOW - timedelta(seconds=20), worker="w1")
    pending(doses, 3)

    html = status_page(client_for(staff))

    assert "at 11 Jun 2026, 11:59:40 UTC" in html.by_id("heartbeat-ok").text
    assert html.by_id("outbox-oldest").text == "due 3 minutes ago, at 11 Jun 2026, 11:57:00 UTC"
