"""Reads for the before-your-appointment page: adherence so far, the late and missed doses,
and the questions they prompt."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.db.models import Count, Max

from schedules import states
from schedules.models import Dose, Injection, InjectionQuerySet, Prescription

from .prescription import describe_regimen, phases_with_counts

if TYPE_CHECKING:
    from .prescription import CountedPhase


@dataclass
class Appointment:
    prescription: Prescription
    phases: list[CountedPhase]
    current: CountedPhase | None
    taken: int
    missed: int
    late: list[Dose]
    missed_doses: list[Dose]
    extra: int
    last_given: date | None
    questions: list[str]

    @property
    def settled(self) -> int:
        return self.taken + self.missed

    @property
    def on_time(self) -> int:
        return self.taken - len(self.late)

    @property
    def adherence_percent(self) -> int | None:
        return round(100 * self.taken / self.settled) if self.settled else None


def appointment_summary(*, prescription: Prescription, today: date) -> Appointment:
    """Regimen, adherence so far, the late and missed doses and questions built from them."""
    phases = phases_with_counts(prescription=prescription, today=today)
    problems = list(
        Dose.objects.filter(states.late() | states.missed(today), prescription=prescription)
        .select_related("injection", "phase")
        .order_by("due")
    )
    late = [dose for dose in problems if dose.injection_id]
    extras = (
        Injection.objects.recorded()
        .filter(prescription=prescription)
        .aggregate(extra=Count("id", filter=InjectionQuerySet.q_extra()), last=Max("given_on"))
    )
    described = describe_regimen(phases=phases).current  # the phase the next dose is in
    current = next((p for p in phases if described and p.pk == described.phase.pk), None)
    summary = Appointment(
        prescription=prescription,
        phases=phases,
        current=current or (phases[-1] if phases else None),
        taken=sum(p.taken for p in phases),
        missed=sum(p.missed for p in phases),
        late=late,
        missed_doses=[dose for dose in problems if not dose.injection_id],
        extra=extras["extra"],
        last_given=extras["last"],
        questions=[],
    )
    summary.questions = questions_for(summary, today)
    return summary


def questions_for(summary: Appointment, today: date) -> list[str]:
    """Questions worth asking the clinician, each prompted by something in the record."""
    return _questions_from_doses(summary) + _questions_from_prescription(
        summary.prescription, today
    )


def _questions_from_doses(summary: Appointment) -> list[str]:
    """Prompted by the phases and by how the doses went: open-ended, missed, late, extra."""
    questions = [
        f"My {phase.get_kind_display().lower()} phase has no end date. How will we "
        "decide when it stops, and what happens after it?"
        for phase in summary.phases
        if phase.bound == "open" and phase.closed_on is None
    ]
    if summary.missed:
        questions.append(
            f"I missed {summary.missed} dose{'s' if summary.missed != 1 else ''}. Should "
            "anything change, or do I just carry on?"
        )
    if len(summary.late) >= 2:
        questions.append(
            "Several doses were late. Would a different day, a reminder, or a nurse "
            "appointment make it easier?"
        )
    if summary.extra:
        questions.append(
            f"I recorded {summary.extra} extra injection{'s' if summary.extra != 1 else ''} "
            "that did not count as a planned dose. Is that a problem, and should I do "
            "anything differently?"
        )
    return questions


def _questions_from_prescription(rx: Prescription, today: date) -> list[str]:
    """Prompted by what the prescription leaves unsaid, and by how long it has run."""
    questions = []
    if rx.confirmed_at is None:
        questions.append("Can you check and confirm my prescription as I entered it?")
    if not rx.monitoring_plan.strip():
        questions.append("Which blood tests do I need, and when?")
    if not rx.adjustment_triggers.strip():
        questions.append("Which symptoms should make me get in touch before my next dose?")
    if rx.neuro:
        questions.append(
            "How will we tell whether my nerve symptoms (tingling, numbness, balance) are "
            "improving?"
        )
    if rx.cause in ("diet", "medication", "unknown") and rx.lifelong:
        questions.append("Do I need these injections for life, or could they stop one day?")
    if today - rx.start_date >= timedelta(days=75) and today - rx.start_date <= timedelta(days=120):
        questions.append("Is it time for the three-month review of my blood tests and symptoms?")
    return questions
