"""Building blocks for the clinician tests: injections through the real services, each
logged on the day it happened (prescriptions come from tests.helpers.prescribe), and checks
that a refused action wrote nothing. Shared with tests/monitoring and tests/e2e."""

from __future__ import annotations

from datetime import date

from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, CareLink, User
from monitoring.models import Flag
from schedules import services
from schedules.models import Dose, Injection, Phase, Prescription, PrescriptionVersion

TODAY = date(2025, 7, 20)  # the clinician tests' frozen today (the `clock` fixture)


def log(rx: Prescription, day: date, **extra: object) -> Injection:
    """An injection logged on its own day."""
    extra.setdefault("site", "deltoid_left")
    return services.injection_log(
        prescription=rx, actor=rx.patient, given_on=day, today=extra.pop("today", day), **extra
    )


def settle(rx: Prescription, today: date) -> None:
    """Re-plan on `today`: doses whose window closed turn missed (and are flagged)."""
    services.prescription_replan(prescription=rx, today=today)


def link(clinician: User, patient: User) -> CareLink:
    return CareLink.objects.create(
        clinician=clinician,
        patient=patient,
        invited_email=patient.email,
        status=CareLink.Status.ACTIVE,
        responded_at=timezone.now(),
    )


def url(name: str, patient: User, *args: object) -> str:
    """A clinic URL about this patient (and a flag or phase of theirs, if named)."""
    return reverse(f"clinic:{name}", args=[patient.pk, *args])


def snapshot() -> dict[str, object]:
    """Everything an action could write (reading a page is recorded, but is not the action's)."""
    return {
        "audit": list(
            AuditEvent.objects.exclude(action="record.viewed").values_list("pk", flat=True)
        ),
        "flags": list(Flag.objects.order_by("pk").values("status", "note", "acted_at")),
        "phases": list(Phase.objects.order_by("pk").values()),
        "prescriptions": list(Prescription.objects.order_by("pk").values()),
        "versions": PrescriptionVersion.objects.count(),
        "doses": list(Dose.objects.order_by("pk").values("due", "status")),
    }


def refused(response: HttpResponse, message: str) -> None:
    assert response.status_code == 400
    assert message in response.content.decode()
