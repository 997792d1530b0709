"""Helpers any app's tests share."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from io import StringIO
from typing import TYPE_CHECKING, Any

import time_machine
from django.core.management import call_command

from accounts.models import CareLink, ClinicianProfile, PatientProfile, User
from core.clock import local_today
from schedules import services

if TYPE_CHECKING:
    from schedules.engine import PhaseSpec
    from schedules.models import Injection, Prescription


def noon(day: date) -> datetime:
    """Midday UTC: the same calendar date in London and New York."""
    return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)


def standard_prescription(
    patient: User,
    *,
    regimen: str | None,
    start: date,
    today: date | None = None,
    **overrides: Any,
) -> Prescription:
    """Hydroxocobalamin 1000 mcg/mL, 1000 mcg IM, entered by the patient through the service
    (on the patient's today unless `today` is given)."""
    values: dict[str, Any] = {
        "patient": patient,
        "actor": patient,
        "product": "hydroxocobalamin",
        "strength_mcg_per_ml": 1000,
        "dose_mcg": 1000,
        "route": "IM",
        "start_date": start,
        "regimen_slug": regimen,
    }
    if today is not None:
        values["today"] = today
    return services.prescription_create(**(values | overrides))


def loading_with_a_first_injection(patient: User) -> Injection:
    """Open-ended loading (bnf-neuro) from three days ago, its first dose logged on that day:
    a prescription a clinician can act on (end the loading) and an injection to correct."""
    today = local_today(patient)
    start = today - timedelta(days=3)
    rx = standard_prescription(patient, regimen="bnf-neuro", start=start, today=today)
    return services.injection_log(
        prescription=rx, actor=patient, given_on=start, site="deltoid_left", today=today
    )


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
        return standard_prescription(
            patient,
            regimen=None if phases else regimen,
            start=start,
            today=today or start,
            phases=phases,
            given_by=given_by,
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
