"""Reads for the prescription page: the active prescription, its phases with their dose
counts, and the checklist of what a patient should have on record."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, TypedDict

from django.db.models import Count, Max, Min

from accounts.models import User
from schedules import states
from schedules.models import Phase, Prescription

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class PhaseCounts(TypedDict):
    total: int
    taken: int
    missed: int
    first_due: date | None
    last_due: date | None
    last_taken: date | None
    last_missed: date | None


if TYPE_CHECKING:
    # A phase as phases_with_counts loads it. (Only for the type checker: WithAnnotations
    # takes one argument at run time.)
    CountedPhase = WithAnnotations[Phase, PhaseCounts]


def active_prescription(*, patient: User) -> Prescription | None:
    return Prescription.objects.filter(patient=patient, status=Prescription.Status.ACTIVE).first()


def prescription_for_patient(*, patient: User, prescription_id: int) -> Prescription | None:
    """The patient's own prescription, or None (the view answers 404)."""
    return Prescription.objects.filter(pk=prescription_id, patient=patient).first()


def phases_with_counts(*, prescription: Prescription, today: date) -> list[CountedPhase]:
    """Phases in order, each annotated with its dose counts and first/last dates (one query)."""
    live = states.live("doses__")
    taken = states.taken("doses__")
    missed = states.missed(today, "doses__")
    return list(
        Phase.objects.filter(prescription=prescription)
        .annotate(
            total=Count("doses", filter=live),
            taken=Count("doses", filter=taken),
            missed=Count("doses", filter=missed),
            first_due=Min("doses__due", filter=live),
            last_due=Max("doses__due", filter=live),
            last_taken=Max("doses__due", filter=taken),
            last_missed=Max("doses__due", filter=missed),
        )
        .order_by("order")
    )


@dataclass(frozen=True)
class ChecklistItem:
    label: str
    value: str
    missing: str = ""  # what to do when the item is not on record yet


def prescription_checklist(*, prescription: Prescription) -> list[ChecklistItem]:
    """What a patient should have on record, and what is still missing (no queries)."""
    rx = prescription
    product = rx.get_product_display() + (f" ({rx.brand})" if rx.brand else "")
    return [
        ChecklistItem("Medicine", product),
        ChecklistItem("Strength", f"{rx.strength_mcg_per_ml} mcg per mL"),
        ChecklistItem("Dose", f"{rx.dose_mcg} mcg, which is {rx.volume_ml} mL to draw up"),
        ChecklistItem("How it is injected", rx.get_route_display()),
        ChecklistItem(
            "Cause",
            rx.get_cause_display(),
            "Ask your clinician what caused the deficiency." if rx.cause == "unknown" else "",
        ),
        ChecklistItem("Nerve symptoms", "Yes" if rx.neuro else "No"),
        ChecklistItem("Who gives it", rx.get_given_by_display()),
        ChecklistItem(
            "Monitoring plan",
            rx.monitoring_plan or "Not recorded",
            "" if rx.monitoring_plan.strip() else "Ask which blood tests you need, and when.",
        ),
        ChecklistItem(
            "When to get in touch sooner",
            rx.adjustment_triggers or "Not recorded",
            ""
            if rx.adjustment_triggers.strip()
            else "Ask which symptoms should make you call before your next dose.",
        ),
        ChecklistItem(
            "Checked by a clinician",
            f"Yes, on {rx.confirmed_at:%-d %b %Y}" if rx.confirmed_at else "Not yet",
            "" if rx.confirmed_at else "Ask your clinician to check and confirm it.",
        ),
    ]
