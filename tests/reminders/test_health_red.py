"""Each red condition, on the status page and in /ops/health alike, and green again once it
clears: a reminder waiting past OUTBOX_LATE_MINUTES from its intended instant, a stale
heartbeat, a failure in the last 24 hours, and a channel whose waiting messages have failed
with no delivery since for TRANSPORT_DOWN_MINUTES (named, with since when)."""

from datetime import timedelta

import pytest
import time_machine
from django.test import override_settings
from django.urls import reverse

from core.models import SweepTick
from reminders.models import Notification
from tests.htmltools import parse
from tests.reminders.conftest import utc

pytestmark = pytest.mark.django_db
NOW = utc(2026, 6, 11, 12, 0)
PAGE = reverse("reminders:status")
HEALTH = reverse("reminders:health")


@pytest.fixture(autouse=True)
def beating():
    SweepTick.record("heartbeat", at=NOW - timedelta(seconds=20), worker="w1")


def row(recipient, *, status: str, scheduled: timedelta, channel: str = "email", **values):
    """A dose-less message intended `scheduled` before NOW."""
    n = Notification.objects.count()
    return Notification.objects.create(
        recipient=recipient,
        kind="flag_digest",
        dedupe_key=f"red-{n}",
        channel=channel,
        status=status,
        scheduled_for=NOW - scheduled,
        next_attempt_at=values.pop("next_attempt_at", NOW - scheduled),
        **values,
    )


def sent(recipient, *, ago: timedelta, channel: str = "email") -> Notification:
    return row(recipient, status="sent", scheduled=ago, channel=channel, sent_at=NOW - ago)


def held(recipient, *, scheduled: timedelta, error_ago: timedelta, channel: str = "email"):
    """A message waiting through an outage: pending, no attempt used, retried later."""
    return row(
        recipient,
        status="pending",
        scheduled=scheduled,
        channel=channel,
        next_attempt_at=NOW + timedelta(seconds=40),
        last_error="SMTP unavailable: ConnectionRefusedError(111, 'Connection refused')",
        last_error_at=NOW - error_ago,
    )


def check(client, *, at=NOW):
    """The page's red parts and the JSON, read at the same instant."""
    with time_machine.travel(at, tick=False):
        html = parse(client.get(PAGE).content)
        response = client.get(HEALTH)
    return html, response


def is_green(html, response) -> bool:
    ok_page = html.by_id("health-ok") is not None and html.by_id("health-degraded") is None
    ok_json = response.status_code == 200 and response.json()["status"] == "ok"
    assert ok_page == ok_json, (ok_page, response.json())
    return ok_page


# --- a channel that keeps failing -------------------------------------------------------------


@override_settings(OUTBOX_LATE_MINUTES=60)  # so that only the channel check decides
def test_email_failing_for_six_minutes_is_red_naming_the_channel_and_since_when(
    client_for, staff, alice
):
    sent(alice, ago=timedelta(minutes=20))
    sent(alice, ago=timedelta(minutes=20), channel="sms")
    for minutes in (6, 4, 2):
        held(alice, scheduled=timedelta(minutes=minutes), error_ago=timedelta(seconds=30))

    html, response = check(client_for(staff))

    assert not is_green(html, response) and response.status_code == 503
    alert = html.by_id("transport-down-email")
    assert alert is not None and {"alert", "alert-danger"} <= alert.classes
    assert "Email is not getting through" in alert.text
    assert "since 11 Jun 2026, 11:54:00 UTC" in alert.text and "6 minutes now" in alert.text
    assert "Connection refused" in alert.text
    assert html.by_id("transport-down-sms") is None
    assert html.by_id("outbox-late") is None
    assert html.by_id("channel-email-failing").text == "11 Jun 2026, 11:54:00"
    email = response.json()["checks"]["channels"]["email"]
    assert email["ok"] is False
    assert email["failing_since"] == "2026-06-11T11:54:00+00:00"
    assert email["failing_seconds"] == 360 and email["down_after_seconds"] == 180
    assert response.json()["checks"]["channels"]["sms"]["ok"] is True


@override_settings(OUTBOX_LATE_MINUTES=60)
def test_sms_is_named_when_it_is_the_one_failing(client_for, staff, alice):
    held(alice, scheduled=timedelta(minutes=8), error_ago=timedelta(minutes=1), channel="sms")

    html, response = check(client_for(staff))

    alert = html.by_id("transport-down-sms")
    assert alert is not None and "Text message is not getting through" in alert.text
    assert "8 minutes now" in alert.text
    assert html.by_id("transport-down-email") is None
    channels = response.json()["checks"]["channels"]
    assert channels["sms"]["ok"] is False and channels["email"]["ok"] is True
    assert channels["sms"]["last_success"] is None


@pytest.mark.parametrize(("limit", "red"), [(5, False), (3, True)])
def test_four_minutes_of_failing_is_red_only_past_the_configured_limit(
    client_for, staff, alice, limit, red
):
    held(alice, scheduled=timedelta(minutes=4), error_ago=timedelta(seconds=10))

    with override_settings(TRANSPORT_DOWN_MINUTES=limit):
        html, response = check(client_for(staff))

    assert (html.by_id("transport-down-email") is not None) is red
    assert is_green(html, response) is not red
    email = response.json()["checks"]["channels"]["email"]
    assert email["ok"] is not red and email["down_after_seconds"] == limit * 60
    assert email["failing_since"] == "2026-06-11T11:56:00+00:00"


@override_settings(OUTBOX_LATE_MINUTES=60)
def test_since_when_counts_from_the_last_delivery_when_that_is_later(client_for, staff, alice):
    # The message was held back for an hour (e.g. no worker), then one got through, and
    # failures began after it: the channel has been failing since that delivery, no earlier.
    held(alice, scheduled=timedelta(minutes=50), error_ago=timedelta(seconds=5))
    sent(alice, ago=timedelta(minutes=7))

    html, response = check(client_for(staff))

    assert "since 11 Jun 2026, 11:53:00 UTC" in html.by_id("transport-down-email").text
    email = response.json()["checks"]["channels"]["email"]
    assert email["failing_since"] == "2026-06-11T11:53:00+00:00"


@override_settings(OUTBOX_LATE_MINUTES=60)
def test_a_delivery_after_the_errors_turns_the_channel_green_again(client_for, staff, alice):
    waiting = held(alice, scheduled=timedelta(minutes=9), error_ago=timedelta(minutes=2))
    client = client_for(staff)
    html, response = check(client)
    assert html.by_id("transport-down-email") is not None and not is_green(html, response)

    # The server answers again: the held message goes out.
    Notification.objects.filter(pk=waiting.pk).update(status="sent", sent_at=NOW)
    html, response = check(client, at=NOW + timedelta(seconds=5))

    assert html.by_id("transport-down-email") is None and is_green(html, response)
    assert html.by_id("channel-email-failing").text == "not failing"
    email = response.json()["checks"]["channels"]["email"]
    assert email["ok"] is True and email["failing_since"] is None


@override_settings(OUTBOX_LATE_MINUTES=60)
def test_an_error_older_than_the_last_delivery_is_not_failing(client_for, staff, alice):
    # A single retry (this address's server said "try later") while others went out.
    held(alice, scheduled=timedelta(minutes=30), error_ago=timedelta(minutes=20))
    sent(alice, ago=timedelta(minutes=10))

    html, response = check(client_for(staff))

    assert is_green(html, response)
    assert response.json()["checks"]["channels"]["email"]["failing_since"] is None


def test_an_old_final_failure_on_a_quiet_channel_is_not_a_channel_down(client_for, staff, alice):
    # Nothing waits on the channel: one message failed for good two days ago, none since.
    row(
        alice,
        status="failed",
        scheduled=timedelta(days=2),
        attempts=5,
        last_error="SMTP 550",
        last_error_at=NOW - timedelta(days=2),
    )

    html, response = check(client_for(staff))

    assert is_green(html, response)
    assert response.json()["checks"]["channels"]["email"]["failing_since"] is None


# --- the other red conditions, and green again -------------------------------------------------


def test_a_late_reminder_is_red_whatever_its_next_attempt_and_green_once_sent(
    client_for, staff, alice
):
    late = row(
        alice,
        status="pending",
        scheduled=timedelta(minutes=6),
        next_attempt_at=NOW + timedelta(hours=1),  # backed off far ahead: still late now
        attempts=3,
    )
    client = client_for(staff)
    html, response = check(client)
    assert html.by_id("outbox-late") is not None and not is_green(html, response)
    assert response.json()["checks"]["oldest_waiting"]["ok"] is False

    Notification.objects.filter(pk=late.pk).update(status="sent", sent_at=NOW)
    html, response = check(client, at=NOW + timedelta(seconds=5))

    assert html.by_id("outbox-late") is None and is_green(html, response)
    assert response.json()["checks"]["oldest_waiting"]["ok"] is True


def test_a_stale_heartbeat_is_red_on_both_and_green_once_beat_ticks_again(client_for, staff):
    SweepTick.objects.filter(name="heartbeat").update(last_tick_at=NOW - timedelta(minutes=4))
    client = client_for(staff)
    html, response = check(client)
    assert html.by_id("heartbeat-stale") is not None and not is_green(html, response)
    assert response.json()["checks"]["heartbeat"]["ok"] is False

    SweepTick.record("heartbeat", at=NOW, worker="w2")
    html, response = check(client, at=NOW + timedelta(seconds=5))

    assert html.by_id("heartbeat-stale") is None and is_green(html, response)
    assert response.json()["checks"]["heartbeat"]["ok"] is True


def test_a_final_failure_is_red_on_both_for_a_day_then_green(client_for, staff, alice):
    row(
        alice,
        status="failed",
        scheduled=timedelta(hours=1),
        attempts=5,
        last_error="SMTP 554",
        last_error_at=NOW - timedelta(minutes=30),
    )
    client = client_for(staff)
    SweepTick.record("heartbeat", at=NOW + timedelta(hours=24), worker="w1")
    html, response = check(client)
    assert html.by_id("outbox-failed-recent") is not None and not is_green(html, response)
    assert response.json()["checks"]["failed_24h"] == {"ok": False, "count": 1}

    html, response = check(client, at=NOW + timedelta(hours=24))

    assert html.by_id("outbox-failed-recent") is None and is_green(html, response)
    assert response.json()["checks"]["failed_24h"] == {"ok": True, "count": 0}
