"""The DST table end to end: the plan and dispatch sweeps run every 20 minutes across each
2026 transition, and every day-of reminder goes out once, at its instant, none lost or doubled.
"""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.core import mail

from accounts.models import PatientProfile
from reminders.dispatcher import dispatch_due
from reminders.models import Notification, ReminderPreference
from reminders.planner import plan_notifications
from tests.reminders.conftest import daily
from tests.reminders.test_timing import DST_TABLE, TIMES, z

pytestmark = pytest.mark.django_db
STEP = timedelta(minutes=20)


def patient_at(make_patient, zone: str, at, n: int):
    patient = make_patient(f"p{n}-{at:%H%M}@example.com", f"Patient {n}", zone)
    PatientProfile.objects.filter(user=patient).update(reminder_time=at)
    ReminderPreference.objects.create(
        patient=patient,
        upcoming_enabled=False,
        nudge_enabled=False,
        missed_enabled=False,
        booking_enabled=False,
    )
    return patient


@pytest.mark.parametrize(("zone", "day"), sorted(DST_TABLE))
def test_day_of_reminders_fire_once_at_the_right_instant(make_patient, zone, day):
    expected = [z(text) for text in DST_TABLE[(zone, day)]]
    patients = [patient_at(make_patient, zone, at, n) for n, at in enumerate(TIMES)]
    for patient in patients:
        daily(patient, start=day - timedelta(days=1))
    start, end = min(expected) - timedelta(hours=1), max(expected) + timedelta(hours=1)

    with time_machine.travel(start, tick=False) as clock:
        moment: datetime = start
        while moment <= end:
            clock.move_to(moment)
            plan_notifications(now=moment)
            dispatch_due()
            moment += STEP

    for patient, instant in zip(patients, expected, strict=True):
        (row,) = Notification.objects.filter(recipient=patient, dose__due=day)
        assert row.kind == "due" and row.status == "sent"
        assert row.scheduled_for == instant
        assert instant <= row.sent_at < instant + STEP
    # Nothing sent twice: one message per sent row, each carrying its row's id.
    sent = Notification.objects.filter(status="sent")
    ids = sorted(message.extra_headers["Message-ID"] for message in mail.outbox)
    assert ids == sorted(f"<notification-{row.pk}@b12tracker.invalid>" for row in sent)
    assert not Notification.objects.exclude(status__in=["sent", "pending"]).exists()
