"""Shared set-up for the reminder tests: an empty SMS outbox, prescriptions built through the
schedule services, and outbox helpers."""

from datetime import UTC, date, datetime, time

import pytest
import time_machine

from reminders import transports
from reminders.models import Notification
from schedules import engine, services
from schedules.models import Prescription

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


def prescribe(
    patient,
    *,
    start: date,
    today: date | None = None,
    regimen: str | None = "seed-maintenance",
    phases: list | None = None,
    given_by: str = "self",
) -> Prescription:
    """A prescription made through the services, as the patient would make it, on `today`
    (the record's creation date decides which missed doses are worth a clinician flag)."""
    entered = datetime.combine(today or start, time(12), tzinfo=UTC)
    with time_machine.travel(entered, tick=False):
        return _create(patient, start, today, regimen, phases, given_by)


def _create(patient, start, today, regimen, phases, given_by) -> Prescription:
    return services.prescription_create(
        patient=patient,
        actor=patient,
        product="hydroxocobalamin",
        strength_mcg_per_ml=1000,
        dose_mcg=1000,
        route="IM",
        start_date=start,
        regimen_slug=None if phases else regimen,
        phases=phases,
        given_by=given_by,
        today=today or start,
    )


def daily(patient, *, start: date, today: date | None = None) -> Prescription:
    return prescribe(patient, start=start, today=today, phases=DAILY)


def rows(**filters) -> list[Notification]:
    return list(Notification.objects.filter(**filters).order_by("scheduled_for", "pk"))


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)
