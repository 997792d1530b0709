"""Phase changes a clinician makes: ending an open-ended phase, a new maintenance interval.

Each keeps the previous prescription version and re-plans from today; the past stays.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest

from accounts.audit import log_action
from accounts.models import User
from core.clock import local_today
from schedules import engine
from schedules.models import Phase, Prescription
from schedules.signals import regimen_changed

from .replan import next_due, prescription_replan
from .versions import keep_version


def _announce(
    prescription: Prescription,
    *,
    actor: User,
    before: date | None,
    description: str,
    reason: str,
    today: date,
) -> None:
    regimen_changed.send(
        sender=Prescription,
        prescription=prescription,
        actor=actor,
        before=before,
        description=description,
        fields=[],
        reason=reason,
        today=today,
    )


def _ended_words(phase: Phase, closed_on: date) -> str:
    """'Repletion (loading), every other day, ended on 20 Jan 2025; maintenance, every 2
    months, follows'."""
    words = f"{phase.get_kind_display()}, {phase.cadence().describe()}, ended on "
    words += f"{closed_on.day} {closed_on:%b %Y}"
    after = Phase.objects.filter(prescription_id=phase.prescription_id, order__gt=phase.order)
    following = after.order_by("order").first()
    if following is not None:
        kind = following.get_kind_display().lower()
        words += f"; {kind}, {following.cadence().describe()}, follows"
    return words


def phase_close(
    *,
    phase: Phase,
    actor: User,
    closed_on: date,
    request: HttpRequest | None = None,
    today: date | None = None,
) -> Phase:
    """End an open-ended phase: doses after `closed_on` go, the next phase takes over."""
    prescription = phase.prescription
    today = today or local_today(prescription.patient)
    with transaction.atomic():
        if closed_on > today:
            raise ValidationError({"closed_on": "A phase can be ended today or on a past date."})
        if closed_on < prescription.start_date:
            raise ValidationError({"closed_on": "That date is before the prescription started."})
        updated = Phase.objects.filter(pk=phase.pk, bound="open", closed_on__isnull=True).update(
            closed_on=closed_on
        )
        if updated != 1:
            raise ValidationError("This phase is not open-ended, or it was already ended.")
        current = Prescription.objects.get(pk=prescription.pk)
        before = next_due(current, today)
        keep_version(current, actor=actor, reason=f"Phase {phase.order + 1} ended on {closed_on}")
        prescription_replan(prescription=current, today=today)
        _announce(
            current,
            actor=actor,
            before=before,
            description=_ended_words(phase, closed_on),
            reason="",
            today=today,
        )
        log_action(
            actor=actor,
            action="phase.closed",
            patient=current.patient,
            obj=phase,
            request=request,
            detail={"closed_on": closed_on.isoformat()},
        )
    phase.refresh_from_db()
    return phase


def maintenance_interval_change(
    *,
    prescription: Prescription,
    actor: User,
    unit: engine.Unit,
    every: int,
    every_max: int | None = None,
    reason: str = "",
    request: HttpRequest | None = None,
    today: date | None = None,
) -> Phase:
    """A new maintenance interval from today on: settled doses stay, later ones follow it.

    Before maintenance has begun the phase is simply changed; once it has, it is cut short
    today (docs/schedule-semantics.md#decisions-where-the-rules-were-silent) and a new
    maintenance phase takes over by the handover rule
    (docs/schedule-semantics.md#next-phase-anchoring).
    """
    today = today or local_today(prescription.patient)
    cadence = engine.Cadence(unit, every, every_max)
    with transaction.atomic():
        Prescription.objects.select_for_update().get(pk=prescription.pk)
        phases = list(prescription.phases.order_by("order"))
        last = phases[-1]
        if last.kind != "maintenance" or last.bound != "ongoing" or last.closed_on:
            raise ValidationError("This prescription has no ongoing maintenance phase to change.")
        if last.cadence() == cadence:
            raise ValidationError({"every": "That is already the maintenance interval."})
        spec = engine.PhaseSpec("maintenance", cadence, last.dose_mcg, "ongoing", not_before=today)
        if problems := engine.validate_phases([spec]):
            raise ValidationError({"every": [p.removeprefix("Phase 1: ") for p in problems]})
        current = Prescription.objects.get(pk=prescription.pk)
        before = next_due(current, today)
        old = last.cadence().describe()
        keep_version(current, actor=actor, reason=reason or f"Maintenance {cadence.describe()}")
        started = last.doses.live().filter(due__lte=today).exists()
        if started:
            Phase.objects.filter(pk=last.pk).update(closed_on=today)
            phase = Phase.from_spec(spec, order=last.order + 1, prescription=current)
            phase.grace_days = last.grace_days if last.unit == unit else None
            phase.save()
        else:
            Phase.objects.filter(pk=last.pk).update(unit=unit, every=every, every_max=every_max)
            phase = Phase.objects.get(pk=last.pk)
        prescription_replan(prescription=current, today=today)
        _announce(
            current,
            actor=actor,
            before=before,
            description=f"Maintenance is now {cadence.describe()} (it was {old})",
            reason=reason,
            today=today,
        )
        log_action(
            actor=actor,
            action="prescription.interval_changed",
            patient=current.patient,
            obj=phase,
            request=request,
            detail={
                "cadence": cadence.describe(),
                "before": old,
                "reason": reason,
                "from": str(today),
            },
        )
    return phase
