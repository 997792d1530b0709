"""Reads for the past-prescriptions pages: the patient's stopped prescriptions with their
counts and why they stopped, and one prescription's doses and injections, read only.

The list costs two queries however many were stopped; a prescription's page five.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import BooleanField, Count, ExpressionWrapper, Max, Min, Q

from accounts.models import AuditEvent, User
from schedules import states
from schedules.models import Dose, Injection, InjectionQuerySet, Prescription

from .prescription import RegimenText, describe_regimen, phases_with_counts

STOPPED = "prescription.stopped"


@dataclass(frozen=True)
class Stop:
    on: date | None
    reason: str


@dataclass(frozen=True)
class PastPrescription:
    prescription: Prescription  # annotated: taken, missed, logged, first_due, last_due
    stop: Stop


def _stops(patient: User, ids: list[int]) -> dict[int, Stop]:
    """Why and when each prescription stopped, from its audit event (one query)."""
    events = AuditEvent.objects.filter(
        patient=patient, action=STOPPED, object_id__in=[str(pk) for pk in ids]
    ).order_by("at")
    found: dict[int, Stop] = {}
    for event in events:
        day = event.detail.get("from")
        found[int(event.object_id)] = Stop(
            on=date.fromisoformat(day) if isinstance(day, str) else event.at.date(),
            reason=str(event.detail.get("reason", "")),
        )
    return found


def has_stopped(*, patient: User) -> bool:
    """Whether the patient has a stopped prescription (one query)."""
    stopped = Prescription.objects.filter(patient=patient, status=Prescription.Status.STOPPED)
    return stopped.exists()


def past_prescriptions(*, patient: User, today: date) -> list[PastPrescription]:
    """The patient's stopped prescriptions, the latest first, each with its doses given and
    missed and its injection entries: two queries."""
    rows = list(
        Prescription.objects.filter(patient=patient, status=Prescription.Status.STOPPED)
        .annotate(
            taken=Count(
                "doses", filter=states.live("doses__") & states.taken("doses__"), distinct=True
            ),
            missed=Count("doses", filter=states.missed(today, "doses__"), distinct=True),
            logged=Count("injections", filter=Q(injections__status=states.RECORDED), distinct=True),
            first_due=Min("doses__due", filter=states.live("doses__")),
            last_due=Max("doses__due", filter=states.live("doses__")),
        )
        .order_by("-start_date", "-pk")
    )
    stops = _stops(patient, [rx.pk for rx in rows])
    return [PastPrescription(rx, stops.get(rx.pk, Stop(None, ""))) for rx in rows]


@dataclass(frozen=True)
class PastDetail:
    prescription: Prescription
    stop: Stop | None  # None while it is still the active prescription
    regimen: RegimenText
    doses: list[Dose]  # due up to today or its stop, the latest first
    injections: list[Injection]  # every entry, each with `not_dose`, the latest first


def past_prescription(*, patient: User, prescription_id: int, today: date) -> PastDetail | None:
    """One of the patient's own prescriptions, read only (None: not theirs, the view's 404)."""
    rx = Prescription.objects.filter(pk=prescription_id, patient=patient).first()
    if rx is None:
        return None
    phases = phases_with_counts(prescription=rx, today=today)
    doses = list(
        Dose.objects.live()
        .filter(prescription=rx, due__lte=today)
        .select_related("injection")
        .order_by("-due", "-pk")
    )
    injections = list(
        Injection.objects.filter(prescription=rx)
        .annotate(not_dose=ExpressionWrapper(InjectionQuerySet.q_extra(), BooleanField()))
        .order_by("-given_on", "-pk")
    )
    stopped = rx.status == Prescription.Status.STOPPED
    stop = _stops(patient, [rx.pk]).get(rx.pk, Stop(None, "")) if stopped else None
    return PastDetail(rx, stop, describe_regimen(phases=phases), doses, injections)
