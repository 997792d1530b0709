"""The only code that writes schedules: prescriptions, phases, doses and injections.

Every service is keyword-only, runs in one transaction, validates before saving, re-plans
the prescription's doses through the engine and writes one audit event.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.forms.models import model_to_dict
from django.http import HttpRequest
from django.utils import timezone

from accounts.audit import log_action
from accounts.models import Role, User
from core.clock import local_now, local_today, zone_today

from . import engine, regimens, units
from .models import (
    IM_SITES,
    SC_SITES,
    Dose,
    Injection,
    Phase,
    Prescription,
    PrescriptionVersion,
    volume_for,
)
from .signals import plan_changed

HORIZON = timedelta(days=366)  # at least twelve months of future doses, leap years included
MAX_PAST_START = timedelta(days=3653)
MAX_FUTURE_START = timedelta(days=366)
DETAIL_FIELDS = (
    "product",
    "brand",
    "strength_mcg_per_ml",
    "dose_mcg",
    "route",
    "cause",
    "neuro",
    "lifelong",
    "given_by",
    "monitoring_plan",
    "adjustment_triggers",
    "notes",
    "start_date",
)


class TooSoonError(ValidationError):
    """An injection closer than half an interval to another: it needs confirm=True."""


# --- re-planning ---------------------------------------------------------------------------


@dataclass
class ReplanResult:
    created: int = 0
    updated: int = 0
    cancelled: int = 0
    newly_missed: list[int] = field(default_factory=list)
    moved: list[tuple[date, date]] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.cancelled)


def _given(prescription: Prescription) -> list[engine.Given]:
    rows = Injection.objects.filter(
        prescription=prescription, status=Injection.Status.RECORDED, extra=False
    ).values_list("id", "given_on")
    return [engine.Given(id=pk, given_on=given_on) for pk, given_on in rows]


def compute_plan(prescription: Prescription, *, today: date) -> tuple[engine.Plan, list[Phase]]:
    phases = list(prescription.phases.order_by("order"))
    until = max(today, prescription.start_date) + HORIZON
    plan = engine.plan(
        [phase.spec() for phase in phases],
        start=prescription.start_date,
        given=_given(prescription),
        today=today,
        until=until,
    )
    return plan, phases


def prescription_replan(*, prescription: Prescription, today: date | None = None) -> ReplanResult:
    """Bring the stored doses in line with the engine's plan. Running it twice changes nothing."""
    with transaction.atomic():
        locked = Prescription.objects.select_for_update().get(pk=prescription.pk)
        if locked.status != Prescription.Status.ACTIVE:
            # A stopped prescription's doses are history: re-planning would bring back the
            # doses that stopping cancelled.
            return ReplanResult()
        today = today or local_today(locked.patient)
        plan, phases = compute_plan(locked, today=today)
        result = _sync_doses(locked, plan, phases)
        plan_changed.send(
            sender=Prescription, prescription=locked, newly_missed=result.newly_missed, today=today
        )
        until = max(today, locked.start_date) + HORIZON
        if locked.planned_until != until:
            Prescription.objects.filter(pk=locked.pk).update(planned_until=until)
    return result


def _sync_doses(prescription: Prescription, plan: engine.Plan, phases: list[Phase]) -> ReplanResult:
    existing = {dose.due: dose for dose in Dose.objects.filter(prescription=prescription)}
    result = ReplanResult()
    creates: list[Dose] = []
    updates: list[Dose] = []
    seen: set[date] = set()
    for planned in plan.doses:
        seen.add(planned.due)
        values = _dose_values(planned, phases)
        row = existing.get(planned.due)
        if row is None:
            creates.append(Dose(prescription=prescription, due=planned.due, **values))
            continue
        if row.status in (Dose.Status.TAKEN, Dose.Status.MISSED) and row.status == values["status"]:
            values["dose_mcg"] = row.dose_mcg  # a settled dose keeps the amount it had
        if _differs(row, values):
            if values["status"] == Dose.Status.MISSED and row.status != Dose.Status.MISSED:
                result.newly_missed.append(row.pk)
            for name, value in values.items():
                setattr(row, name, value)
            updates.append(row)
    stale = [
        row
        for due, row in existing.items()
        if due not in seen and row.status != Dose.Status.CANCELLED
    ]
    for row in stale:
        row.status, row.injection_id = Dose.Status.CANCELLED, None
    changed = updates + stale
    if changed:
        # Free every injection first: a swap between two doses would trip the unique key.
        detached = [row for row in changed if row.injection_id is not None]
        Dose.objects.filter(pk__in=[row.pk for row in changed]).update(injection=None)
        Dose.objects.bulk_update(
            changed,
            ["phase", "sequence", "earliest", "latest", "dose_mcg", "status"],
            batch_size=500,
        )
        if detached:
            Dose.objects.bulk_update(detached, ["injection"], batch_size=500)
    if creates:
        Dose.objects.bulk_create(creates, batch_size=500)
    result.created, result.updated, result.cancelled = len(creates), len(updates), len(stale)
    result.newly_missed += [row.pk for row in creates if row.status == Dose.Status.MISSED]
    return result


def _dose_values(planned: engine.PlannedDose, phases: list[Phase]) -> dict:
    return {
        "phase_id": phases[planned.phase_index].pk,
        "sequence": planned.sequence,
        "earliest": planned.earliest,
        "latest": planned.latest,
        "dose_mcg": planned.dose_mcg,
        "status": planned.status,
        "injection_id": planned.injection_id,
    }


def _differs(row: Dose, values: dict) -> bool:
    return any(getattr(row, name) != value for name, value in values.items())


# --- prescriptions -------------------------------------------------------------------------


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


def _check_start(start_date: date, today: date) -> None:
    if start_date < today - MAX_PAST_START:
        raise ValidationError(
            {"start_date": "That start date is more than ten years ago. Check the year."}
        )
    if start_date > today + MAX_FUTURE_START:
        raise ValidationError(
            {"start_date": "That start date is more than a year ahead. Check the year."}
        )


def _phases_for(
    *, regimen_slug: str | None, phases: list[engine.PhaseSpec] | None, dose_mcg: int
) -> tuple[list[engine.PhaseSpec], str]:
    if regimen_slug:
        try:
            regimen = regimens.get(regimen_slug)
        except KeyError:
            raise ValidationError({"regimen_slug": "Pick one of the listed regimens."}) from None
        specs = [_with_dose(spec, dose_mcg) for spec in regimen.phases]
        return specs, regimen.name
    if not phases:
        raise ValidationError({"regimen_slug": "Pick a regimen or describe the phases."})
    return list(phases), "Custom regimen"


def _with_dose(spec: engine.PhaseSpec, dose_mcg: int) -> engine.PhaseSpec:
    from dataclasses import replace

    return replace(spec, dose_mcg=dose_mcg)


def _validate_specs(specs: list[engine.PhaseSpec]) -> None:
    problems = engine.validate_phases(specs)
    for spec in specs:
        problems += units.dose_problems(spec.dose_mcg)
    if problems:
        raise ValidationError({"phases": problems})


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
    request: HttpRequest | None = None,
    today: date | None = None,
) -> Prescription:
    today = today or local_today(patient)
    _check_units(dose_mcg=dose_mcg, strength=strength_mcg_per_ml)
    _check_start(start_date, today)
    specs, name = _phases_for(regimen_slug=regimen_slug, phases=phases, dose_mcg=dose_mcg)
    _validate_specs(specs)
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
            regimen_name=name,
            product=product,
            brand=brand,
            strength_mcg_per_ml=strength_mcg_per_ml,
            dose_mcg=dose_mcg,
            route=route,
            cause=cause,
            neuro=neuro,
            lifelong=lifelong,
            start_date=start_date,
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
            for i, spec in enumerate(specs)
        ]
        for row in rows:
            row.full_clean(exclude=["prescription"], validate_constraints=False)
        Phase.objects.bulk_create(rows)
        prescription_replan(prescription=prescription, today=today)
        log_action(
            actor=actor,
            action="prescription.created",
            patient=patient,
            obj=prescription,
            request=request,
            detail={"regimen": regimen_slug or "custom"},
        )
    return prescription


def _snapshot(prescription: Prescription) -> dict:
    data = model_to_dict(prescription, fields=(*DETAIL_FIELDS, "regimen_slug", "regimen_name"))
    data["start_date"] = prescription.start_date.isoformat()
    data["phases"] = [
        {
            **model_to_dict(phase, exclude=["id", "prescription"]),
            "closed_on": phase.closed_on.isoformat() if phase.closed_on else None,
        }
        for phase in prescription.phases.order_by("order")
    ]
    return data


def _keep_version(prescription: Prescription, *, actor: User, reason: str) -> PrescriptionVersion:
    previous = prescription.versions.order_by("-number").first()
    version = PrescriptionVersion.objects.create(
        prescription=prescription,
        number=prescription.version,
        previous=previous,
        snapshot=_snapshot(prescription),
        reason=reason[:200],
        changed_by=actor,
    )
    Prescription.objects.filter(pk=prescription.pk).update(version=prescription.version + 1)
    prescription.version += 1
    return version


def _future_dates(prescription: Prescription, today: date) -> list[date]:
    return list(
        prescription.doses.filter(due__gte=today, injection__isnull=True)
        .exclude(status=Dose.Status.CANCELLED)
        .order_by("due")
        .values_list("due", flat=True)[:6]
    )


def _past_unlogged(prescription: Prescription, today: date) -> int:
    """Live doses dated before today that no injection took."""
    return (
        prescription.doses.filter(due__lt=today, injection__isnull=True)
        .exclude(status=Dose.Status.CANCELLED)
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
    changes: dict,
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
            _check_start(new["start_date"], today)
            if current.injections.exists():
                raise ValidationError(
                    {
                        "start_date": "Injections are already logged, so the start date stays. "
                        "Ask your clinician to change the schedule instead."
                    }
                )
        before = _future_dates(current, today)
        _keep_version(current, actor=actor, reason=reason or "Changed " + ", ".join(changed))
        for name, value in new.items():
            setattr(current, name, value)
        current.full_clean(validate_constraints=False)
        current.save()
        if "dose_mcg" in new:
            _apply_dose_to_unsettled_phases(current, new["dose_mcg"], today)
        prescription_replan(prescription=current, today=today)
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
    ahead = (
        Dose.objects.filter(prescription=prescription, due__gte=today)
        .exclude(status=Dose.Status.CANCELLED)
        .values("phase_id")
    )
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
        ).update(status=Prescription.Status.STOPPED)
        if updated != 1:
            raise ValidationError("This prescription was already stopped.")
        cancelled = (
            Dose.objects.filter(
                prescription=prescription, latest__gte=today, injection__isnull=True
            )
            .exclude(status=Dose.Status.CANCELLED)
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
    return prescription


def prescription_confirm(
    *, prescription: Prescription, clinician: User, request: HttpRequest | None = None
) -> Prescription:
    if clinician.role != Role.CLINICIAN:
        raise ValidationError("Only a clinician can confirm a prescription.")
    with transaction.atomic():
        updated = Prescription.objects.filter(pk=prescription.pk, status="active").update(
            prescriber=clinician, confirmed_at=timezone.now()
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
        _keep_version(current, actor=actor, reason=f"Phase {phase.order + 1} ended on {closed_on}")
        prescription_replan(prescription=current, today=today)
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
    unit: str,
    every: int,
    every_max: int | None = None,
    reason: str = "",
    request: HttpRequest | None = None,
    today: date | None = None,
) -> Phase:
    """A new maintenance interval from today on: settled doses stay, later ones follow it.

    Before maintenance has begun the phase is simply changed; once it has, it is cut short
    today and a new maintenance phase takes over by the handover rule.
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
        spec = engine.PhaseSpec("maintenance", cadence, last.dose_mcg, "ongoing")
        if problems := engine.validate_phases([spec]):
            raise ValidationError({"every": [p.removeprefix("Phase 1: ") for p in problems]})
        current = Prescription.objects.get(pk=prescription.pk)
        _keep_version(current, actor=actor, reason=reason or f"Maintenance {cadence.describe()}")
        started = last.doses.filter(due__lte=today).exclude(status=Dose.Status.CANCELLED).exists()
        if started:
            Phase.objects.filter(pk=last.pk).update(closed_on=today)
            phase = Phase.from_spec(spec, order=last.order + 1, prescription=current)
            phase.grace_days = last.grace_days if last.unit == unit else None
            phase.save()
        else:
            Phase.objects.filter(pk=last.pk).update(unit=unit, every=every, every_max=every_max)
            phase = Phase.objects.get(pk=last.pk)
        prescription_replan(prescription=current, today=today)
        log_action(
            actor=actor,
            action="prescription.interval_changed",
            patient=current.patient,
            obj=phase,
            request=request,
            detail={"cadence": cadence.describe(), "from": str(today)},
        )
    return phase


# --- injections ----------------------------------------------------------------------------


def _neighbours(prescription: Prescription, given_on: date, exclude: Collection[int]) -> list[date]:
    rows = Injection.objects.filter(prescription=prescription, status=Injection.Status.RECORDED)
    if exclude:
        rows = rows.exclude(pk__in=exclude)
    before = (
        rows.filter(given_on__lte=given_on)
        .order_by("-given_on")
        .values_list("given_on", flat=True)
        .first()
    )
    after = (
        rows.filter(given_on__gt=given_on)
        .order_by("given_on")
        .values_list("given_on", flat=True)
        .first()
    )
    return [day for day in (before, after) if day is not None]


def _cadence_after(prescription: Prescription, day: date) -> engine.Cadence | None:
    dose = (
        Dose.objects.filter(prescription=prescription, due__gt=day)
        .exclude(status=Dose.Status.CANCELLED)
        .select_related("phase")
        .order_by("due")
        .first()
    )
    if dose is None:
        dose = (
            Dose.objects.filter(prescription=prescription)
            .exclude(status="cancelled")
            .select_related("phase")
            .order_by("-due")
            .first()
        )
    return dose.phase.cadence() if dose else None


def too_soon_after(
    *,
    prescription: Prescription,
    given_on: date,
    exclude: int | None = None,
    ignore: Collection[int] = (),
) -> date | None:
    """The neighbouring injection that makes `given_on` too soon, if there is one.

    `exclude` (the injection itself) and `ignore` are left out of the comparison.
    """
    others = [*ignore, *([exclude] if exclude else [])]
    for other in _neighbours(prescription, given_on, others):
        cadence = _cadence_after(prescription, min(other, given_on))
        if cadence and engine.is_too_soon(previous=other, candidate=given_on, cadence=cadence):
            return other
    return None


def _injection_errors(
    *,
    prescription: Prescription,
    given_on: date,
    given_at: time | None,
    dose_mcg: int,
    site: str,
    route: str,
    expiry: date | None,
    today: date,
    now: datetime,
) -> dict[str, list[str]]:
    """What is wrong with an injection's details; `now` is on the patient's own clock."""
    errors: dict[str, list[str]] = {}
    if given_on > today:
        errors["given_on"] = ["That date is in the future. Log an injection once it is given."]
    elif given_on < prescription.start_date:
        errors["given_on"] = [
            f"That date is before this prescription started ({prescription.start_date:%-d %b %Y})."
        ]
    elif given_at is not None and given_on == now.date() and given_at > now.time():
        errors["given_at"] = [
            f"That time is later than now ({now:%H:%M}). Check the time, or leave it empty."
        ]
    strength = prescription.strength_mcg_per_ml
    problems = units.dose_problems(dose_mcg) or units.volume_problems(dose_mcg, strength)
    if problems:
        errors["dose_mcg"] = problems
    allowed = {s.value for s in (IM_SITES if route == "IM" else SC_SITES)}
    if site and site not in allowed:
        errors["site"] = [f"That site is not used for {route} injections. Pick one from the map."]
    if expiry is not None and expiry < given_on:
        errors["expiry"] = ["The ampoule had expired on that date. Check the date or the ampoule."]
    return errors


def injection_log(
    *,
    prescription: Prescription,
    actor: User,
    given_on: date,
    site: str = "",
    given_by: str = "self",
    given_at: time | None = None,
    dose_mcg: int | None = None,
    route: str | None = None,
    lot: str = "",
    expiry: date | None = None,
    notes: str = "",
    confirm: bool = False,
    client_token: str = "",
    request: HttpRequest | None = None,
    today: date | None = None,
) -> Injection:
    patient = prescription.patient
    today = today or local_today(patient)
    route = route or prescription.route
    if dose_mcg is None:  # 0 is a typing slip to refuse, not "the planned dose"
        dose_mcg = _planned_dose_on(prescription, given_on)
    errors = _injection_errors(
        prescription=prescription,
        given_on=given_on,
        given_at=given_at,
        dose_mcg=dose_mcg,
        site=site,
        route=route,
        expiry=expiry,
        today=today,
        now=local_now(patient),
    )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        _lock_active(prescription)
        if client_token:
            repeat = Injection.objects.filter(patient=patient, client_token=client_token).first()
            if repeat is not None:
                return repeat  # the same form sent twice: one row only
        clash = too_soon_after(prescription=prescription, given_on=given_on)
        if clash is not None and not confirm:
            raise TooSoonError(_too_soon_message(prescription, clash, given_on), code="too_soon")
        injection = Injection(
            patient=patient,
            prescription=prescription,
            given_on=given_on,
            given_at=given_at,
            dose_mcg=dose_mcg,
            volume_ml=volume_for(dose_mcg, prescription.strength_mcg_per_ml),
            site=site,
            route=route,
            given_by=given_by,
            lot=lot,
            expiry=expiry,
            notes=notes,
            extra=clash is not None,
            logged_by=actor,
            client_token=client_token,
        )
        injection.full_clean(validate_constraints=False)
        injection.save()
        prescription_replan(prescription=prescription, today=today)
        log_action(
            actor=actor,
            action="injection.logged",
            patient=patient,
            obj=injection,
            request=request,
            detail={"given_on": given_on.isoformat(), "extra": injection.extra},
        )
    return injection


def _planned_dose_on(prescription: Prescription, given_on: date) -> int:
    dose = (
        Dose.objects.filter(prescription=prescription, latest__gte=given_on)
        .exclude(status=Dose.Status.CANCELLED)
        .order_by("due")
        .first()
    )
    return dose.dose_mcg if dose else prescription.dose_mcg


def _too_soon_message(prescription: Prescription, other: date, given_on: date) -> str:
    gap = abs((given_on - other).days)
    when = "the same day" if gap == 0 else f"{gap} day{'s' if gap != 1 else ''} away"
    return (
        f"Another injection is logged on {other:%-d %b %Y} ({when}). That is too "
        "close together to count as your next dose, and doubling up does not help. If you "
        "really had a second injection (for example, your clinician asked for it), confirm "
        "and it is recorded as an extra injection that does not move your schedule."
    )


def _lock_active(prescription: Prescription) -> Prescription:
    """Lock the prescription's row; injections of a stopped one are history and stay as they are."""
    locked = Prescription.objects.select_for_update().get(pk=prescription.pk)
    if locked.status != Prescription.Status.ACTIVE:
        raise ValidationError(
            "This prescription was stopped, so its injections can no longer be logged or changed."
        )
    return locked


def _count_extras_no_longer_too_soon(
    prescription: Prescription,
    *,
    actor: User,
    because: Injection,
    request: HttpRequest | None,
) -> list[int]:
    """Extra injections that were too soon only because of an entry now voided or corrected
    count again.

    Earliest first, each judged without the extras after it: of two left on one day the
    first counts and the second stays extra, being too soon after the first.
    """
    counted = []
    extras = list(
        Injection.objects.filter(
            prescription=prescription, status=Injection.Status.RECORDED, extra=True
        ).order_by("given_on", "pk")
    )
    for position, extra in enumerate(extras):
        later = [other.pk for other in extras[position + 1 :]]
        clash = too_soon_after(
            prescription=prescription, given_on=extra.given_on, exclude=extra.pk, ignore=later
        )
        if clash is not None:
            continue
        updated = Injection.objects.filter(
            pk=extra.pk, status=Injection.Status.RECORDED, extra=True
        ).update(extra=False)
        if updated != 1:
            continue
        counted.append(extra.pk)
        log_action(
            actor=actor,
            action="injection.counted",
            patient=prescription.patient,
            obj=extra,
            request=request,
            detail={"was": "extra", "because": because.pk, "given_on": extra.given_on.isoformat()},
        )
    return counted


def _guarded_change(injection: Injection, **values: object) -> None:
    updated = Injection.objects.filter(pk=injection.pk, status=Injection.Status.RECORDED).update(
        changed_at=timezone.now(), **values
    )
    if updated != 1:
        raise ValidationError("This injection was already corrected or voided.")


def injection_void(
    *,
    injection: Injection,
    actor: User,
    reason: str,
    request: HttpRequest | None = None,
    today: date | None = None,
) -> Injection:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why this injection is being voided."})
    with transaction.atomic():
        _lock_active(injection.prescription)
        _guarded_change(injection, status=Injection.Status.VOIDED, reason=reason[:200])
        _count_extras_no_longer_too_soon(
            injection.prescription, actor=actor, because=injection, request=request
        )
        prescription_replan(prescription=injection.prescription, today=today)
        log_action(
            actor=actor,
            action="injection.voided",
            patient=injection.patient,
            obj=injection,
            request=request,
            detail={"reason": reason[:200]},
        )
    injection.refresh_from_db()
    return injection


def injection_correct(
    *,
    injection: Injection,
    actor: User,
    reason: str,
    confirm: bool = False,
    request: HttpRequest | None = None,
    today: date | None = None,
    **values: object,
) -> Injection:
    """Replace an injection's details: the original stays, marked as corrected."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say what was wrong with the original entry."})
    allowed = {
        "given_on",
        "given_at",
        "site",
        "given_by",
        "dose_mcg",
        "route",
        "lot",
        "expiry",
        "notes",
    }
    if set(values) - allowed:
        raise ValidationError(
            f"These cannot be corrected: {', '.join(sorted(set(values) - allowed))}."
        )
    prescription = injection.prescription
    today = today or local_today(prescription.patient)
    merged = {name: getattr(injection, name) for name in allowed} | values
    errors = _injection_errors(
        prescription=prescription,
        given_on=merged["given_on"],
        given_at=merged["given_at"],
        dose_mcg=merged["dose_mcg"],
        site=merged["site"],
        route=merged["route"],
        expiry=merged["expiry"],
        today=today,
        now=local_now(prescription.patient),
    )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        _lock_active(prescription)
        clash = too_soon_after(
            prescription=prescription, given_on=merged["given_on"], exclude=injection.pk
        )
        # An entry already kept as extra was confirmed once: correcting it does not ask again.
        if clash is not None and not (confirm or injection.extra):
            raise TooSoonError(
                _too_soon_message(prescription, clash, merged["given_on"]), code="too_soon"
            )
        _guarded_change(injection, status=Injection.Status.CORRECTED, reason=reason[:200])
        replacement = Injection(
            patient=injection.patient,
            prescription=prescription,
            replaces=injection,
            volume_ml=volume_for(merged["dose_mcg"], prescription.strength_mcg_per_ml),
            extra=clash is not None,
            logged_by=actor,
            **merged,
        )
        replacement.full_clean(validate_constraints=False)
        replacement.save()
        _count_extras_no_longer_too_soon(
            prescription, actor=actor, because=injection, request=request
        )
        prescription_replan(prescription=prescription, today=today)
        log_action(
            actor=actor,
            action="injection.corrected",
            patient=injection.patient,
            obj=replacement,
            request=request,
            detail={"replaces": injection.pk, "reason": reason[:200]},
        )
    return replacement


# --- horizon -------------------------------------------------------------------------------


def extend_horizons(*, now: datetime | None = None, batch: int = 200) -> int:
    """Re-plan active prescriptions whose planned doses reach less than twelve months ahead."""
    now = now or timezone.now()
    soonest = (now - timedelta(days=1)).date() + HORIZON
    ids = list(
        Prescription.objects.filter(status="active", planned_until__lt=soonest).values_list(
            "pk", flat=True
        )[:batch]
    )
    for pk in ids:
        prescription = Prescription.objects.select_related("patient__patient_profile").get(pk=pk)
        prescription_replan(
            prescription=prescription, today=local_today(prescription.patient, now=now)
        )
    return len(ids)


# --- the missed-dose sweep -------------------------------------------------------------------


def sweep_missed_doses(*, now: datetime) -> int:
    """Re-plan prescriptions with a dose whose window closed in the patient's home zone: the
    engine marks it missed (and extends a counted phase) and `plan_changed` announces it.
    Returns how many doses became missed."""
    # Every zone's today is at most the UTC date + 1, so a missed dose has latest <= UTC date.
    rows = (
        Dose.objects.open()
        .filter(latest__lte=now.date(), prescription__status=Prescription.Status.ACTIVE)
        .values_list(
            "prescription_id", "latest", "prescription__patient__patient_profile__time_zone"
        )
        .order_by("prescription_id")
    )
    crossed: dict[int, date] = {}
    for prescription_id, latest, zone in rows:
        today = zone_today(zone, now=now)
        if latest < today:
            crossed[prescription_id] = today
    total = 0
    for prescription_id, today in crossed.items():
        prescription = Prescription.objects.select_related("patient__patient_profile").get(
            pk=prescription_id
        )
        total += len(prescription_replan(prescription=prescription, today=today).newly_missed)
    return total
