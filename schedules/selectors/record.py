"""Reads for the patient's own record: every prescription (stopped ones too), its doses so far
with their state, and every injection entry, for the printable page and the CSV.

Three queries however long the history: prescriptions, doses, injections.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.db.models import Case, CharField, Value, When

from accounts.models import User
from schedules import states
from schedules.models import Dose, Injection, InjectionQuerySet, Prescription


@dataclass(frozen=True)
class PrescriptionRecord:
    prescription: Prescription
    doses: list[Dose]  # each with `state_label`, newest first
    injections: list[Injection]  # each with `entry_label`, newest first


@dataclass(frozen=True)
class PatientRecord:
    patient: User
    today: date
    prescriptions: list[PrescriptionRecord]


def patient_record(*, patient: User, today: date) -> PatientRecord:
    """The patient's whole record on their `today`: doses due up to today (the plan after it
    is not yet a record; cancelled doses were never part of it), and every injection entry."""
    prescriptions = list(
        Prescription.objects.filter(patient=patient).order_by("-start_date", "-pk")
    )
    doses: dict[int, list[Dose]] = defaultdict(list)
    for dose in _doses(patient, today):
        doses[dose.prescription_id].append(dose)
    injections: dict[int, list[Injection]] = defaultdict(list)
    for injection in _injections(patient):
        injections[injection.prescription_id].append(injection)
    return PatientRecord(
        patient=patient,
        today=today,
        prescriptions=[
            PrescriptionRecord(rx, doses[rx.pk], injections[rx.pk]) for rx in prescriptions
        ],
    )


def _doses(patient: User, today: date) -> list[Dose]:
    """Labelled by the dose states of schedules.states, tested in this order."""
    state = Case(
        When(states.on_time(), then=Value("On time")),
        When(states.late(), then=Value("Late")),
        When(states.missed(today), then=Value("Missed")),
        When(states.due(today), then=Value("Due today")),
        default=Value("Taken, not counted"),
        output_field=CharField(),
    )
    return list(
        Dose.objects.live()
        .filter(prescription__patient=patient, due__lte=today)
        .select_related("injection")
        .annotate(state_label=state)
        .order_by("-due", "-pk")
    )


def _injections(patient: User) -> list[Injection]:
    """Labelled by how each entry stands: corrected or voided, extra (no dose), or counted."""
    label = Case(
        *(
            When(status=status, then=Value(status.label))
            for status in (Injection.Status.CORRECTED, Injection.Status.VOIDED)
        ),
        When(InjectionQuerySet.q_extra(), then=Value("Extra (not a dose)")),
        default=Value("Counted"),
        output_field=CharField(),
    )
    return list(
        Injection.objects.filter(patient=patient)
        .annotate(entry_label=label)
        .order_by("-given_on", "-pk")
    )
