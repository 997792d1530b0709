"""The patient's home page says when a reminder could not be delivered and by which channel:
while it waits through a provider that does not answer, and once it was recorded as not
delivered or failed for good (for three days), in two queries however many there are."""

from datetime import date, timedelta

import pytest
import time_machine
from django.urls import reverse

from reminders.models import Notification
from reminders.selectors import channel_problems
from schedules.models import Dose
from tests.htmltools import parse
from tests.reminders.conftest import daily, utc

pytestmark = pytest.mark.django_db
NOW = utc(2026, 11, 30, 12, 0)
WAITING_EMAIL = (
    "Your reminder by email has not gone out yet: our email service is not answering. "
    "We keep trying."
)


@pytest.fixture
def doses(alice):
    rx = daily(alice, start=date(2026, 11, 20), today=date(2026, 11, 30))
    return {dose.due: dose for dose in Dose.objects.filter(prescription=rx)}


def outbox(dose, *, status: str, channel: str = "email", ago=timedelta(hours=1), **values):
    at = NOW - ago
    return Notification.objects.create(
        recipient=dose.prescription.patient,
        dose=dose,
        kind=values.pop("kind", "due"),
        channel=channel,
        status=status,
        scheduled_for=at,
        next_attempt_at=values.pop("next_attempt_at", at),
        **values,
    )


def home_problems(client) -> list[str]:
    with time_machine.travel(NOW, tick=False):
        response = client.get(reverse("home"))
    assert response.status_code == 200
    box = parse(response.content).by_id("reminder-problems")
    return [] if box is None else [li.text for li in box.find_all("li")]


def test_a_reminder_waiting_through_an_email_outage_is_told_on_the_home_page(
    client_for, alice, doses
):
    for day in (29, 30):
        outbox(
            doses[date(2026, 11, day)],
            status="pending",
            held=True,
            next_attempt_at=NOW + timedelta(seconds=40),
            last_error="SMTP unavailable: ConnectionRefusedError(111, 'Connection refused')",
            last_error_at=NOW - timedelta(minutes=2),
        )

    assert home_problems(client_for(alice)) == [WAITING_EMAIL]  # once, not once per reminder


def test_a_reminder_only_retrying_after_a_mailbox_error_does_not_blame_the_provider(
    client_for, alice, doses
):
    outbox(
        doses[date(2026, 11, 30)],
        status="pending",
        attempts=1,
        next_attempt_at=NOW + timedelta(seconds=30),
        last_error="SMTP 450",
        last_error_at=NOW - timedelta(minutes=1),
    )

    assert home_problems(client_for(alice)) == []


def test_reminders_not_delivered_or_failed_name_the_dose_and_the_channel(client_for, alice, doses):
    outbox(
        doses[date(2026, 11, 30)],
        status="failed",
        channel="sms",
        attempts=5,
        last_error="Twilio 503",
        last_error_at=NOW - timedelta(minutes=5),
    )
    outbox(
        doses[date(2026, 11, 28)],
        status="cancelled",
        ago=timedelta(days=2),
        last_error="Not delivered: the dose's window closed before it could be sent.",
    )

    assert home_problems(client_for(alice)) == [
        "We could not send your reminder for the injection due 30 Nov 2026 by text message.",
        "We could not send your reminder for the injection due 28 Nov 2026 by email.",
    ]


def test_a_message_without_a_dose_is_named_by_its_kind(alice):
    Notification.objects.create(
        recipient=alice,
        kind="checkin",
        dedupe_key="checkin-1",
        channel="email",
        status="failed",
        scheduled_for=NOW - timedelta(hours=2),
        next_attempt_at=NOW - timedelta(hours=2),
        last_error="SMTP 554",
        last_error_at=NOW - timedelta(hours=1),
    )

    problems = channel_problems(patient=alice, now=NOW)

    assert problems == ["We could not send your symptom check-in prompt by email."]


def test_nothing_is_said_of_sent_cancelled_old_or_not_yet_tried_messages_or_of_others(
    client_for, alice, dave, doses
):
    outbox(doses[date(2026, 11, 21)], status="sent", sent_at=NOW)
    outbox(doses[date(2026, 11, 22)], status="cancelled", last_error="The dose is taken.")
    outbox(  # recorded not delivered, but four days ago
        doses[date(2026, 11, 23)],
        status="cancelled",
        ago=timedelta(days=4),
        last_error="Not delivered: the dose's window closed before it could be sent.",
    )
    outbox(  # failed for good four days ago
        doses[date(2026, 11, 24)],
        status="failed",
        ago=timedelta(days=5),
        last_error="SMTP 554",
        last_error_at=NOW - timedelta(days=4),
    )
    outbox(doses[date(2026, 11, 25)], status="pending")  # due, not tried yet: no error
    dave_rx = daily(dave, start=date(2026, 11, 20), today=date(2026, 11, 30))
    outbox(
        Dose.objects.filter(prescription=dave_rx).first(),
        status="failed",
        last_error="SMTP 554",
        last_error_at=NOW - timedelta(minutes=1),
    )

    assert home_problems(client_for(alice)) == []
    assert channel_problems(patient=dave, now=NOW) == [
        "We could not send your reminder for the injection due 20 Nov 2026 by email."
    ]


@pytest.mark.parametrize("count", [1, 9])
def test_two_queries_however_many_messages_failed(alice, doses, count, django_assert_num_queries):
    for n, dose in enumerate(sorted(doses.values(), key=lambda d: d.due)[:count]):
        outbox(
            dose,
            status="failed",
            ago=timedelta(hours=n + 1),
            last_error="SMTP 554",
            last_error_at=NOW - timedelta(hours=n),
        )

    with django_assert_num_queries(2):
        problems = channel_problems(patient=alice, now=NOW)

    assert len(problems) == count
