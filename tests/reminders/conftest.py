"""Shared set-up for the reminder tests: an empty SMS outbox, a daily prescription (made by
tests.helpers.prescribe, through the schedule services), and outbox helpers."""

from datetime import UTC, date, datetime

import pytest

from reminders import transports
from reminders.models import Notification
from schedules import engine
from schedules.models import Prescription
from tests.helpers import prescribe

DAILY = [
    engine.PhaseSpec(
        kind="maintenance", cadence=engine.Cadence("day", 1), dose_mcg=1000, bound="ongoing"
    )
]


@pytest.fixture(autouse=True)
def sms_outbox():
    transports.sms_outbox.clear()
    yield transports.sms_outbox
    transports.sms_outbox.clear()


def daily(patient, *, start: date, today: date | None = None) -> Prescription:
    return prescribe(patient, start=start, today=today, phases=DAILY)


def rows(**filters) -> list[Notification]:
    return list(Notification.objects.filter(**filters).order_by("scheduled_for", "pk"))


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)
