"""Health for people and monitors: the status page turns red, and /ops/health answers 503
"degraded", when a reminder waits too long past its intended instant (however far a retry's
backoff moved its next attempt), when anything failed in the last 24 hours, or when the
heartbeat is stale. /healthz and /readyz are the process manager's cheap probes."""

from datetime import timedelta

import pytest
import time_machine
from django.db import OperationalError
from django.test import override_settings
from django.urls import reverse

from core import health as core_health
from core.models import SweepTick
from reminders.models import Notification
from tests.htmltools import parse
from tests.reminders.conftest import utc

pytestmark = pytest.mark.django_db
NOW = utc(2026, 6, 11, 12, 0)
PAGE = reverse("reminders:status")
HEALTH = reverse("reminders:health")
TOKEN = "monitor-token-4f9c2e7a1b"
# Staff: session, user, the method that passed the session's second step, then the checks:
# ticks, the outbox aggregate, sweeps ticked, and a latest success and latest error for each
# of the three channels (email, SMS, push). A monitor's token needs neither session nor user.
STAFF_QUERIES = 12
TOKEN_QUERIES = 9


@pytest.fixture(autouse=True)
def beating():
    """A fresh heartbeat, so only the outbox decides (unless a test says otherwise)."""
    SweepTick.record("heartbeat", at=NOW - timedelta(seconds=20), worker="w1")


def rows(recipient, count: int, *, status: str, scheduled: timedelta, **values) -> None:
    """`count` dose-less messages (email unless `channel` says), intended `scheduled` before
    NOW and due again at once unless `next_attempt_at` says otherwise."""
    start = Notification.objects.count()
    values = {"channel": "email", "next_attempt_at": NOW - scheduled, **values}
    for n in range(start, start + count):
        Notification.objects.create(
            recipient=recipient,
            kind="flag_digest",
            dedupe_key=f"health-{n}",
            status=status,
            scheduled_for=NOW - scheduled,
            **values,
        )


def get(client, url: str, **headers):
    with time_machine.travel(NOW, tick=False):
        return client.get(url, headers=headers)


def page(client):
    response = get(client, PAGE)
    assert response.status_code == 200
    return parse(response.content)


def test_forty_rows_backing_off_past_their_instant_turn_the_page_red_and_health_degraded(
    client_for, staff, alice
):
    rows(
        alice,
        40,
        status="pending",
        scheduled=timedelta(minutes=6),
        next_attempt_at=NOW + timedelta(minutes=2),  # backoff: not due again yet
        attempts=2,
        last_error="SMTP: connection refused",
        last_error_at=NOW - timedelta(minutes=1),
    )
    client = client_for(staff)

    html = page(client)
    response = get(client, HEALTH)

    assert html.by_id("health-degraded") is not None and html.by_id("health-ok") is None
    late = html.by_id("outbox-late")
    assert late is not None and {"alert", "alert-danger"} <= late.classes
    assert "6 minutes" in late.text
    assert "due 6 minutes ago" in html.by_id("outbox-oldest").text
    assert html.by_id("outbox-pending").text == "40"
    email = html.by_id("channel-email").text
    assert "11 Jun 2026, 11:59:00" in email and "SMTP: connection refused" in email
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "degraded"
    waiting = body["checks"]["oldest_waiting"]
    assert waiting == {
        "ok": False,
        "age_seconds": 360,
        "scheduled_for": "2026-06-11T11:54:00+00:00",
        "late_after_seconds": 300,
        "pending": 40,
    }
    assert body["checks"]["heartbeat"]["ok"] is True
    assert body["checks"]["channels"]["email"]["last_error"] == "SMTP: connection refused"


def test_the_threshold_comes_from_settings(client_for, staff, alice):
    rows(alice, 1, status="pending", scheduled=timedelta(minutes=6))

    with override_settings(OUTBOX_LATE_MINUTES=10):
        html = page(client_for(staff))
        response = get(client_for(staff), HEALTH)

    assert html.by_id("outbox-late") is None and html.by_id("health-ok") is not None
    assert response.status_code == 200
    assert response.json()["checks"]["oldest_waiting"]["late_after_seconds"] == 600


def test_recently_sent_rows_are_green_and_show_each_channels_last_success(client_for, staff, alice):
    for channel, minutes in (("email", 1), ("sms", 3)):
        rows(
            alice,
            1,
            status="sent",
            channel=channel,
            scheduled=timedelta(minutes=minutes),
            sent_at=NOW - timedelta(minutes=minutes),
        )
    rows(alice, 1, status="pending", scheduled=timedelta(minutes=-30))  # not due yet
    client = client_for(staff)

    html = page(client)
    response = get(client, HEALTH)

    assert html.by_id("health-ok") is not None and html.by_id("health-degraded") is None
    assert html.by_id("outbox-late") is None and html.by_id("outbox-failed-recent") is None
    assert "11 Jun 2026, 11:59:00" in html.by_id("channel-email").text
    assert "11 Jun 2026, 11:57:00" in html.by_id("channel-sms").text
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["channels"] == {
        "email": {
            "ok": True,
            "last_success": "2026-06-11T11:59:00+00:00",
            "last_error_at": None,
            "last_error": "",
            "failing_since": None,
            "failing_seconds": None,
            "down_after_seconds": 180,
        },
        "sms": {
            "ok": True,
            "last_success": "2026-06-11T11:57:00+00:00",
            "last_error_at": None,
            "last_error": "",
            "failing_since": None,
            "failing_seconds": None,
            "down_after_seconds": 180,
        },
        "push": {
            "ok": True,
            "last_success": None,
            "last_error_at": None,
            "last_error": "",
            "failing_since": None,
            "failing_seconds": None,
            "down_after_seconds": 180,
        },
    }
    assert body["checks"]["oldest_waiting"]["age_seconds"] is None


@pytest.mark.parametrize(("hours", "red"), [(23, True), (25, False)])
def test_a_failure_in_the_last_day_is_red(client_for, staff, alice, hours, red):
    rows(
        alice,
        1,
        status="failed",
        scheduled=timedelta(hours=hours, minutes=40),
        attempts=5,
        last_error="SMTP: connection refused",
        last_error_at=NOW - timedelta(hours=hours),
    )
    client = client_for(staff)

    html = page(client)
    response = get(client, HEALTH)

    assert (html.by_id("outbox-failed-recent") is not None) is red
    assert (html.by_id("health-degraded") is not None) is red
    assert html.by_id("outbox-failed").text == "1"
    assert response.status_code == (503 if red else 200)
    assert response.json()["checks"]["failed_24h"] == {"ok": not red, "count": int(red)}


def test_a_stale_heartbeat_is_degraded(client_for, staff):
    SweepTick.objects.filter(name="heartbeat").update(last_tick_at=NOW - timedelta(minutes=4))

    response = get(client_for(staff), HEALTH)

    assert response.status_code == 503
    assert response.json()["checks"]["heartbeat"] == {
        "ok": False,
        "age_seconds": 240,
        "stale_after_seconds": 180,
    }


@override_settings(OPS_HEALTH_TOKEN=TOKEN)
def test_a_monitor_with_the_token_reads_health(client, django_assert_num_queries):
    with django_assert_num_queries(TOKEN_QUERIES):
        response = get(client, HEALTH, Authorization=f"Bearer {TOKEN}")

    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert "no-cache" in response.headers["Cache-Control"]


@pytest.mark.parametrize(
    ("configured", "header"),
    [
        (TOKEN, f"Bearer {TOKEN}x"),
        (TOKEN, f"Bearer {TOKEN[:-1]}"),
        (TOKEN, f"Basic {TOKEN}"),
        (TOKEN, "Bearer "),
        (TOKEN, ""),
        ("", f"Bearer {TOKEN}"),
    ],
    ids=["wrong", "prefix", "not-bearer", "empty", "none", "unset"],
)
def test_a_wrong_or_unset_token_is_404(client, configured, header):
    with override_settings(OPS_HEALTH_TOKEN=configured):
        response = get(client, HEALTH, **({"Authorization": header} if header else {}))

    assert response.status_code == 404


def test_staff_read_health_in_a_fixed_number_of_queries(
    client_for, staff, alice, django_assert_num_queries
):
    client = client_for(staff)
    with django_assert_num_queries(STAFF_QUERIES):
        assert get(client, HEALTH).status_code == 200
    rows(alice, 5, status="pending", scheduled=timedelta(minutes=9))
    rows(alice, 5, status="sent", scheduled=timedelta(minutes=9), sent_at=NOW)
    rows(alice, 5, status="failed", scheduled=timedelta(hours=1), last_error="x", last_error_at=NOW)
    with django_assert_num_queries(STAFF_QUERIES):
        assert get(client, HEALTH).status_code == 503


@pytest.mark.parametrize("who", ["alice", "bob", "charlie", "dave", "anonymous"])
def test_health_is_404_for_everyone_but_staff(client, client_for, request, who):
    asker = client if who == "anonymous" else client_for(request.getfixturevalue(who))

    assert get(asker, HEALTH).status_code == 404


def test_healthz_answers_without_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert response.content == b"ok"


def test_readyz_answers_when_the_database_does(client, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get(reverse("readyz"))

    assert response.status_code == 200
    assert response.content == b"ok"


def test_readyz_is_503_when_the_database_does_not_answer(client, monkeypatch):
    def broken() -> None:
        raise OperationalError("could not connect to server: Connection refused")

    monkeypatch.setattr(core_health, "database_answers", broken)

    response = client.get(reverse("readyz"))

    assert response.status_code == 503
    assert b"Connection refused" not in response.content
