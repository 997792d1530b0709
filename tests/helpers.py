"""Helpers any app's tests share."""

from __future__ import annotations

from datetime import UTC, date, datetime
from io import StringIO
from typing import TYPE_CHECKING

import time_machine
from django.core.management import call_command

from accounts.models import CareLink, ClinicianProfile, PatientProfile, User
from schedules import services

if TYPE_CHECKING:
    from schedules.engine import PhaseSpec
    from schedules.models import Prescription


def noon(day: date) -> datetime:
    """Midday UTC: the same calendar date in London and New York."""
    return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)


def prescribe(
    patient: User,
    *,
    start: date,
    today: date | None = None,
    regimen: str | None = "seed-maintenance",
    phases: list[PhaseSpec] | None = None,
    given_by: str = "self",
) -> Prescription:
    """A prescription made through the services, as the patient would make it, at noon on
    `today` (by default its start date, as if the patient used the app from the first dose).
    The record's creation date decides which missed doses are worth a clinician flag: a
    history typed in later raises none for doses long past."""
    with time_machine.travel(noon(today or start), tick=False):
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


def run_command(*args: str) -> list[list[str]]:
    """A management command's output: each line split into words."""
    out = StringIO()
    call_command(*args, stdout=out)
    return [line.split() for line in out.getvalue().splitlines()]


def can_log_in(email: str, password: str) -> bool:
    return User.objects.get(email=email).check_password(password)


def account_counts() -> dict[str, int]:
    """How many users, patient and clinician profiles and care links there are."""
    return {
        "users": User.objects.count(),
        "patients": PatientProfile.objects.count(),
        "clinicians": ClinicianProfile.objects.count(),
        "links": CareLink.objects.count(),
    }
