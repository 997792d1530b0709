"""Reads for the prescription page: the active prescription, its phases with their dose
counts, and the checklist of what a patient should have on record."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, TypedDict

from django.db.models import Count, F, Max, Min, Q

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
    next_open: date | None  # the phase's first dose still to be given, window not closed


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
    waiting = states.open_("doses__") & Q(doses__latest__gte=today)
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
            next_open=Min("doses__due", filter=waiting),
            before_joining=F("prescription__injections_before_joining"),
        )
        .order_by("order")
    )


# --- the regimen in words, from the phases as they are now ---------------------------------------


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def phase_bound_words(phase: Phase) -> str:
    """How a phase ends, in words: '6 injections', 'ongoing', 'ended on 20 Jan 2025'. A counted
    phase that grew because doses were missed says so (its `total` and `missed` counts, when
    the phase was loaded with them)."""
    if phase.closed_on:
        return f"ended on {phase.closed_on.day} {phase.closed_on:%b %Y}"
    # A patient who joined part-way had some of the first phase's injections before its start.
    before = (getattr(phase, "before_joining", None) or 0) if phase.order == 0 else 0
    if phase.bound == "count":
        words = _plural(phase.count or 0, "injection")
        if before:
            words = (
                f"{_plural((phase.count or 0) + before, 'injection')} in all, "
                f"{before} of them before your start date here"
            )
        added = (getattr(phase, "total", None) or 0) - (phase.count or 0)
        missed = getattr(phase, "missed", None) or 0
        if added > 0 and missed:
            verb = "was" if missed == 1 else "were"
            words += f"; {added} added at the end because {missed} {verb} missed"
        return words
    if phase.bound == "duration":
        return f"for {phase.duration_days} days"
    if phase.bound == "open":
        if before:
            return f"until your clinician ends it ({before} had before your start date here)"
        return "until your clinician ends it"
    return "ongoing"


@dataclass(frozen=True)
class PhaseText:
    phase: Phase
    cadence: str  # 'every 3 months'
    bound: str  # '6 injections; 2 added at the end because 2 were missed'
    current: bool

    @property
    def name(self) -> str:
        return self.phase.get_kind_display()


@dataclass(frozen=True)
class RegimenText:
    phases: list[PhaseText]
    current: PhaseText | None

    @property
    def summary(self) -> str:
        """'Repletion (loading): Mon, Wed, Fri, 6 injections. Then Maintenance: monthly, ongoing'"""
        return ". Then ".join(f"{p.name}: {p.cadence}, {p.bound}" for p in self.phases)

    @property
    def now(self) -> str:
        if self.current is None:
            return "No dose is waiting in any phase."
        return f"Now: {self.current.name}, {self.current.cadence}"


def _current(phases: list[CountedPhase]) -> Phase | None:
    """The phase of the next dose still to be given (as the home page's next dose); when none
    is waiting, the last phase that had begun."""
    waiting = [phase for phase in phases if phase.next_open]
    if waiting:
        return min(waiting, key=lambda phase: phase.next_open or date.max)
    begun = [phase for phase in phases if phase.first_due]
    return begun[-1] if begun else None


def describe_regimen(*, phases: list[CountedPhase]) -> RegimenText:
    """The one description of a regimen the pages show, derived from the Phase rows and their
    doses' states (phases_with_counts), never from the catalogue it was set up from."""
    current = _current(phases)
    texts = [
        PhaseText(
            phase=phase,
            cadence=phase.cadence().describe(),
            bound=phase_bound_words(phase),
            current=current is not None and phase.pk == current.pk,
        )
        for phase in phases
    ]
    return RegimenText(texts, next((text for text in texts if text.current), None))


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
