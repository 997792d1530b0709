"""Prescriptions: setting one up, changing its details, confirming and stopping it.

Each change keeps the previous version and re-plans the doses; the phases have their own module.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.http import HttpRequest
from django.utils import timezone

from accounts.audit import log_action
from accounts.models import Role, User
from core.clock import local_today
from schedules import engine, signals, states, units
from schedules.models import Dose, JoinStage, Phase, Prescription

from .backfill import BackfillRow, store_backfilled
from .joining import MAX_FUTURE_START as MAX_FUTURE_START
from .joining import MAX_PAST_START as MAX_PAST_START
from .joining import Joining, check_start, prescription_plan_input
from .replan import prescription_replan
from .versions import DETAIL_FIELDS, keep_version


def _check_units(*, dose_mcg: int, strength: int) -> None:
    errors: dict[str, list[str]] = {}
    if problems := units.dose_problems(dose_mcg):
        errors["dose_mcg"] = problems
    if problems := units.strength_problems(strength):
        errors["strength_mcg_per_ml"] = problems
    if not errors and (problems := units.volume_problems(dose_mcg, strength)):
        errors["dose_mcg"] = problems
    if errors:
        raise ValidationError(errors)


def prescription_create(
    *,
    patient: User,
    actor: User,
    product: str,
    strength_mcg_per_ml: int,
    dose_mcg: int,
    route: str,
    start_date: date,
    regimen_slug: str | None = None,
    phases: list[engine.PhaseSpec] | None = None,
    cause: str = "unknown",
    neuro: bool = False,
    lifelong: bool = True,
    given_by: str = "self",
    brand: str = "",
    monitoring_plan: str = "",
    adjustment_triggers: str = "",
    notes: str = "",
    joining: Joining | None = None,
    past_taken: Collection[date] = (),
    request: HttpRequest | None = None,
    today: date | None = None,
) -> Prescription:
    """A new prescription and its planned doses. A patient joining part-way is planned from
    their last injection; past dates they had (`past_taken`) are back-filled as injections."""
    today = today or local_today(patient)
    _check_units(dose_mcg=dose_mcg, strength=strength_mcg_per_ml)
    plan_input = prescription_plan_input(
        regimen_slug=regimen_slug,
        phases=phases,
        dose_mcg=dose_mcg,
        start_date=start_date,
        today=today,
        joining=joining,
        past_taken=past_taken,
    )
    with transaction.atomic():
        if Prescription.objects.filter(patient=patient, status="active").exists():
            raise ValidationError(
                "There is already an active prescription. Change it, or stop it first."
            )
        prescription = Prescription(
            patient=patient,
            prescriber=actor if actor.role == Role.CLINICIAN else None,
            confirmed_at=timezone.now() if actor.role == Role.CLINICIAN else None,
            regimen_slug=regimen_slug or "",
            regimen_name=plan_input.name,
            product=product,
            brand=brand,
            strength_mcg_per_ml=strength_mcg_per_ml,
            dose_mcg=dose_mcg,
            route=route,
            cause=cause,
            neuro=neuro,
            lifelong=lifelong,
            start_date=plan_input.start,
            joined_stage=joining.stage if joining else JoinStage.START,
            injections_before_joining=plan_input.before_joining,
            given_by=given_by,
            monitoring_plan=monitoring_plan,
            adjustment_triggers=adjustment_triggers,
            notes=notes,
        )
        # Constraints are the database's job (it enforces them anyway); checking each one
        # here costs a query apiece.
        prescription.full_clean(validate_constraints=False)
        try:
            prescription.save()
        except IntegrityError:
            raise ValidationError("There is already an active prescription.") from None
        rows = [
            Phase.from_spec(spec, order=i, prescription=prescription)
            for i, spec in enumerate(plan_input.specs)
        ]
        for row in rows:
            row.full_clean(exclude=["prescription"], validate_constraints=False)
        Phase.objects.bulk_create(rows)
        store_backfilled(
            prescription=prescription,
            actor=actor,
            rows=[BackfillRow(given_on=day) for day in plan_input.given],
        )
        prescription_replan(prescription=prescription, today=today)
        log_action(
            actor=actor,
            action="prescription.created",
            patient=patient,
            obj=prescription,
            request=request,
            detail={
                "regimen": regimen_slug or "custom",
                "joined": prescription.joined_stage,
                "backfilled": len(plan_input.given),
            },
        )
    return prescription


def _future_dates(prescription: Prescription, today: date) -> list[date]:
    return list(
        Dose.objects.live()
        .exclude(states.taken())
        .filter(prescription=prescription, due__gte=today)
        .order_by("due")
        .values_list("due", flat=True)[:6]
    )


def _past_unlogged(prescription: Prescription, today: date) -> int:
    """Live doses dated before today that no injection took."""
    return (
        Dose.objects.live()
        .exclude(states.taken())
        .filter(prescription=prescription, due__lt=today)
        .count()
    )


@dataclass
class ChangeSummary:
    fields: list[str]
    before: list[date]
    after: list[date]
    # Set when the start date moved: doses now in the past that nothing was logged for.
    past_unlogged: int = 0

    @property
    def dates_moved(self) -> bool:
        return self.before != self.after


def prescription_update(
    *,
    prescription: Prescription,
    actor: User,
    changes: dict[str, Any],  # values as typed by the model field each key names
    reason: str = "",
    request: HttpRequest | None = None,
    today: date | None = None,
) -> ChangeSummary:
    """Change the details; the old version is kept and future doses are re-planned."""
    unknown = set(changes) - set(DETAIL_FIELDS)
    if unknown:
        raise ValidationError(f"These cannot be changed here: {', '.join(sorted(unknown))}.")
    today = today or local_today(prescription.patient)
    with transaction.atomic():
        current = Prescription.objects.select_for_update().get(pk=prescription.pk)
        changed = [name for name, value in changes.items() if getattr(current, name) != value]
        if not changed:
            return ChangeSummary(fields=[], before=[], after=[])
        new = {name: changes[name] for name in changed}
        _check_units(
            dose_mcg=new.get("dose_mcg", current.dose_mcg),
            strength=new.get("strength_mcg_per_ml", current.strength_mcg_per_ml),
        )
        if "start_date" in new:
            check_start(new["start_date"], today)
            if current.injections.exists():
                raise ValidationError(
                    {
                        "start_date": "Injections are already logged, so the start date stays. "
                        "Ask your clinician to change the schedule instead."
                    }
                )
        before = _future_dates(current, today)
        keep_version(current, actor=actor, reason=reason or "Changed " + ", ".join(changed))
        for name, value in new.items():
            setattr(current, name, value)
        current.full_clean(validate_constraints=False)
        current.save()
        if "dose_mcg" in new:
            _apply_dose_to_unsettled_phases(current, new["dose_mcg"], today)
        prescription_replan(prescription=current, today=today)
        signals.regimen_changed.send(
            sender=Prescription,
            prescription=current,
            actor=actor,
            before=next(iter(before), None),
            description="",
            fields=changed,
            reason=reason,
            today=today,
        )
        log_action(
            actor=actor,
            action="prescription.changed",
            patient=current.patient,
            obj=current,
            request=request,
            detail={"fields": changed, "version": current.version},
        )
        return ChangeSummary(
            fields=changed,
            before=before,
            after=_future_dates(current, today),
            past_unlogged=_past_unlogged(current, today) if "start_date" in new else 0,
        )


def _apply_dose_to_unsettled_phases(prescription: Prescription, dose_mcg: int, today: date) -> None:
    """A new dose applies from now on: phases already over keep the dose they had, and settled
    doses keep what was given or planned (the re-plan leaves them be)."""
    ahead = Dose.objects.live().filter(prescription=prescription, due__gte=today).values("phase_id")
    unplanned = prescription.phases.filter(doses__isnull=True).values("pk")
    prescription.phases.filter(Q(pk__in=ahead) | Q(pk__in=unplanned)).update(dose_mcg=dose_mcg)


def prescription_stop(
    *,
    prescription: Prescription,
    actor: User,
    reason: str,
    request: HttpRequest | None = None,
    today: date | None = None,
) -> Prescription:
    """Stop a prescription: what was given or missed stays; nothing more is expected.

    Doses not taken whose window has not closed (every dose from today on) are cancelled, so
    a new prescription can be set up in its place.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why this prescription is being stopped."})
    today = today or local_today(prescription.patient)
    with transaction.atomic():
        updated = Prescription.objects.filter(
            pk=prescription.pk, status=Prescription.Status.ACTIVE
        ).update(status=Prescription.Status.STOPPED, revision=F("revision") + 1)
        if updated != 1:
            raise ValidationError("This prescription was already stopped.")
        cancelled = (
            Dose.objects.live()
            .exclude(states.taken())
            .filter(prescription=prescription, latest__gte=today)
            .update(status=Dose.Status.CANCELLED)
        )
        log_action(
            actor=actor,
            action="prescription.stopped",
            patient=prescription.patient,
            obj=prescription,
            request=request,
            detail={"reason": reason[:200], "cancelled": cancelled, "from": today.isoformat()},
        )
        prescription.refresh_from_db()
        signals.prescription_stopped.send(
            sender=Prescription, prescription=prescription, actor=actor
        )
    prescription.refresh_from_db()
    return prescription


def prescription_confirm(
    *, prescription: Prescription, clinician: User, request: HttpRequest | None = None
) -> Prescription:
    if clinician.role != Role.CLINICIAN:
        raise ValidationError("Only a clinician can confirm a prescription.")
    with transaction.atomic():
        updated = Prescription.objects.filter(pk=prescription.pk, status="active").update(
            prescriber=clinician, confirmed_at=timezone.now(), revision=F("revision") + 1
        )
        if updated != 1:
            raise ValidationError("This prescription is no longer active.")
        log_action(
            actor=clinician,
            action="prescription.confirmed",
            patient=prescription.patient,
            obj=prescription,
            request=request,
        )
    prescription.refresh_from_db()
    return prescription
