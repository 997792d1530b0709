"""Pinned query counts of the reminder pages: the patient's preferences and the staff status
page cost the same with an empty outbox or a busy one, with no sweep ticked or every one
(session and user included)."""

from datetime import date, timedelta

import pytest
import time_machine
from django.urls import reverse

from core.models import SweepTick
from reminders.models import Notification, ReminderPreference
from reminders.selectors import SWEEPS
from tests.clinic.helpers import link
from tests.reminders.conftest import daily, utc

pytestmark = pytest.mark.django_db

NOW = utc(2026, 6, 11, 12, 0)
# Session, the user with their profile, the preferences, and them again for the channel check
# with the patient's undelivered messages. The first visit too: a patient who never saved any
# sees the defaults, and a GET writes nothing.
PREFERENCES = 5
# Session, user, the method that passed the second step, the ticks, the outbox counts and
# oldest waiting row in one aggregate, the sweeps ticked, and each channel's latest success
# and latest error (email, SMS, push).
STATUS = 12
STATUSES = ["pending", "sending", "sent", "failed", "cancelled"]


def busy(patient, make_clinician, size: int) -> None:
    """A daily prescription with a message for each of `size` doses, in every status, and the
    patient linked to `size` clinicians."""
    rx = daily(patient, start=date(2026, 6, 11) - timedelta(days=size), today=NOW.date())
    for n, dose in enumerate(rx.doses.order_by("due")[:size]):
        at = NOW - timedelta(minutes=10 * (size - n))
        status = STATUSES[n % len(STATUSES)]
        Notification.objects.create(
            recipient=patient,
            dose=dose,
            kind="due",
            channel="email",
            status=status,
            scheduled_for=at,
            next_attempt_at=at,
            sent_at=at if status == "sent" else None,
        )
        link(make_clinician(f"doctor{n}@example.com", f"Dr Number {n}"), patient)
    assert Notification.objects.filter(kind="due", channel="email").count() >= size


def measure(client, django_assert_num_queries, url: str, *expected: int):
    """One visit for each count expected, in turn."""
    with time_machine.travel(NOW, tick=False):
        for count in expected:
            with django_assert_num_queries(count):
                response = client.get(url)
            assert response.status_code == 200
    return response


@pytest.mark.parametrize("size", [0, 30], ids=["quiet", "busy"])
def test_preferences_page(client_for, alice, make_clinician, django_assert_num_queries, size):
    busy(alice, make_clinician, size)
    client = client_for(alice)
    url = reverse("reminders:preferences")

    measure(client, django_assert_num_queries, url, PREFERENCES, PREFERENCES)

    assert not ReminderPreference.objects.filter(patient=alice).exists()


@pytest.mark.parametrize("size", [0, 30], ids=["never ticked, empty outbox", "busy"])
def test_status_page(client_for, alice, staff, make_clinician, django_assert_num_queries, size):
    if size:
        busy(alice, make_clinician, size)
        for name in ("heartbeat", *SWEEPS):
            SweepTick.record(name, at=NOW - timedelta(seconds=30), worker="worker-1")
            SweepTick.record(name, at=NOW - timedelta(seconds=20), worker="worker-2")

    response = measure(
        client_for(staff), django_assert_num_queries, reverse("reminders:status"), STATUS
    )

    html = response.content.decode()
    assert ("never ticked" in html) == (size == 0)
    channels = 3  # email, SMS, push
    assert html.count('<th scope="row">') == (1 + len(SWEEPS) if size else 0) + channels
