"""The status page's outbox section: counts by status, the oldest pending message, each
sweep's last tick, each channel's last success and last error, and a red warning when a
reminder is more than five minutes past its intended instant (its scheduled_for, whatever
retry time backoff gave it)."""

from datetime import date, timedelta

import pytest
import time_machine
from django.urls import reverse

from core.models import SweepTick
from reminders.models import Notification
from reminders.selectors import SWEEPS
from schedules.models import Dose
from tests.htmltools import parse
from tests.reminders.conftest import daily, utc

pytestmark = pytest.mark.django_db
URL = reverse("reminders:status")
NOW = utc(2026, 6, 11, 12, 0)


@pytest.fixture
def doses(alice):
    rx = daily(alice, start=date(2026, 6, 1))
    return list(Dose.objects.filter(prescription=rx).order_by("due"))


def outbox(doses, *statuses_and_offsets):
    for n, (status, minutes) in enumerate(statuses_and_offsets):
        at = NOW - timedelta(minutes=minutes)
        Notification.objects.create(
            recipient=doses[0].prescription.patient,
            dose=doses[n],
            kind="due",
            channel="email",
            status=status,
            scheduled_for=at,
            next_attempt_at=at,
            sent_at=at if status == "sent" else None,
        )


def page(client):
    with time_machine.travel(NOW, tick=False):
        response = client.get(URL)
    assert response.status_code == 200
    return parse(response.content)


def test_counts_and_oldest_pending_are_shown(client_for, staff, doses):
    outbox(
        doses,
        ("pending", 3),
        ("pending", -30),  # not due yet
        ("sending", 1),
        ("failed", 60),
        ("sent", 10),
        ("sent", 60 * 13),  # yesterday
        ("cancelled", 5),
    )

    html = page(client_for(staff))

    assert html.by_id("outbox-pending").text == "2"
    assert html.by_id("outbox-sending").text == "1"
    assert html.by_id("outbox-failed").text == "1"
    assert html.by_id("outbox-sent-today").text == "1"
    assert "due 3 minutes ago" in html.by_id("outbox-oldest").text
    assert html.by_id("outbox-late") is None


def test_a_reminder_more_than_five_minutes_late_shows_a_red_warning(client_for, staff, doses):
    outbox(doses, ("pending", 6))

    html = page(client_for(staff))

    late = html.by_id("outbox-late")
    assert late is not None and {"alert", "alert-danger"} <= late.classes
    assert late.attrs["role"] == "alert" and "6 minutes" in late.text


def test_exactly_five_minutes_is_not_yet_late(client_for, staff, doses):
    outbox(doses, ("pending", 5))

    assert page(client_for(staff)).by_id("outbox-late") is None


def test_an_empty_outbox_says_nothing_is_waiting(client_for, staff):
    html = page(client_for(staff))

    assert html.by_id("outbox-oldest").text == "nothing is waiting"
    assert html.by_id("outbox-pending").text == "0"


def test_each_sweep_shows_its_last_tick_and_the_ones_never_run_are_named(client_for, staff):
    SweepTick.record("plan_notifications", at=NOW - timedelta(seconds=40), worker="w1")
    SweepTick.record("dispatch_notifications", at=NOW - timedelta(seconds=20), worker="w1")

    html = page(client_for(staff))

    rows = {row.find("th").text: row.text for row in html.find("tbody").find_all("tr")}
    assert "11 Jun 2026, 11:59:40" in rows["dispatch_notifications"]
    assert "11 Jun 2026, 11:59:20" in rows["plan_notifications"]
    never = html.by_id("sweeps-never-ticked").text
    assert all(name in never for name in SWEEPS[2:]) and "plan_notifications" not in never


def test_a_pending_row_late_by_its_instant_is_red_whatever_its_next_attempt(
    client_for, staff, doses
):
    outbox(doses, ("pending", 6))
    Notification.objects.update(next_attempt_at=NOW + timedelta(minutes=10), attempts=3)

    html = page(client_for(staff))

    assert "6 minutes" in html.by_id("outbox-late").text
    assert html.by_id("health-degraded") is not None
    assert "due 6 minutes ago" in html.by_id("outbox-oldest").text


def test_each_channel_shows_its_last_success_and_last_error(client_for, staff, doses):
    outbox(doses, ("sent", 30), ("sent", 10), ("pending", -30), ("cancelled", 1))
    Notification.objects.filter(status="sent").filter(sent_at=NOW - timedelta(minutes=10)).update(
        channel="sms"
    )
    Notification.objects.filter(status="pending").update(
        last_error="421 Service not available", last_error_at=NOW - timedelta(minutes=2)
    )
    Notification.objects.filter(status="cancelled").update(last_error="Email is turned off.")

    html = page(client_for(staff))

    email = [td.text for td in html.by_id("channel-email").find_all("td")]
    sms = [td.text for td in html.by_id("channel-sms").find_all("td")]
    assert email == [
        "11 Jun 2026, 11:30:00",
        "11 Jun 2026, 11:58:00",
        "11 Jun 2026, 11:58:00",  # failing since its last error: two minutes, not red yet
        "421 Service not available",
    ]
    assert sms == ["11 Jun 2026, 11:50:00", "none", "not failing", ""]
    assert html.by_id("outbox-late") is None and html.by_id("outbox-failed-recent") is None


def test_an_empty_outbox_has_no_channel_history(client_for, staff):
    html = page(client_for(staff))

    assert [td.text for td in html.by_id("channel-sms").find_all("td")] == [
        "never",
        "none",
        "not failing",
        "",
    ]
