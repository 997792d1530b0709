"""Injections: logging one, voiding it, and correcting it by a replacement entry.

Entries are never edited or deleted; a voided or corrected one stays in the history.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from accounts.audit import log_action
from accounts.models import User
from core.clock import local_now, local_today
from schedules import units
from schedules.models import IM_SITES, SC_SITES, Dose, Injection, Prescription, volume_for
from schedules.signals import injection_changed

from .replan import prescription_replan
from .too_soon import TooSoonError, too_soon_after, too_soon_message

CORRECTABLE = (
    "given_on",
    "given_at",
    "site",
    "given_by",
    "dose_mcg",
    "route",
    "lot",
    "expiry",
    "notes",
)


EXPIRY_RANGE_DAYS = 3653  # an ampoule's date ten years either side of the injection is a typo


def injection_problems(
    *,
    prescription: Prescription,
    values: Mapping[str, Any],
    today: date | None = None,
    now: datetime | None = None,
) -> dict[str, list[str]]:
    """What is wrong with an injection's details, each under the field it names; writes nothing.

    A detail absent from `values` (one a form could not read) is not judged, so a form can show
    these beside its own errors in one round. `today` and `now` are on the patient's clock.
    An expired ampoule is no problem: the injection happened and is recorded as it was.
    """
    patient = prescription.patient
    now = now or local_now(patient)
    today = today or now.date()
    errors: dict[str, list[str]] = {}
    given_on = values.get("given_on")
    if given_on is not None:
        errors |= _date_problems(prescription, given_on, values.get("given_at"), today, now)
        errors |= _expiry_problems(given_on, values.get("expiry"))
    dose_mcg = values.get("dose_mcg")
    if dose_mcg is not None:
        strength = prescription.strength_mcg_per_ml
        if problems := units.dose_problems(dose_mcg) or units.volume_problems(dose_mcg, strength):
            errors["dose_mcg"] = problems
    route = values.get("route") or prescription.route
    allowed = {s.value for s in (IM_SITES if route == "IM" else SC_SITES)}
    site = values.get("site")
    if site and site not in allowed:
        errors["site"] = [f"That site is not used for {route} injections. Pick one from the map."]
    return errors


def _date_problems(
    prescription: Prescription, given_on: date, given_at: time | None, today: date, now: datetime
) -> dict[str, list[str]]:
    if given_on > today:
        return {"given_on": ["That date is in the future. Log an injection once it is given."]}
    if given_on < prescription.start_date:
        started = f"{prescription.start_date:%-d %b %Y}"
        return {"given_on": [f"That date is before this prescription started ({started})."]}
    if given_at is not None and given_on == now.date() and given_at > now.time():
        return {
            "given_at": [
                f"That time is later than now ({now:%H:%M}). Check the time, or leave it empty."
            ]
        }
    return {}


def _expiry_problems(given_on: date, expiry: date | None) -> dict[str, list[str]]:
    if expiry is None or abs((expiry - given_on).days) <= EXPIRY_RANGE_DAYS:
        return {}
    return {
        "expiry": [
            "That expiry date is more than 10 years from the day of the injection. "
            "Check the date printed on the ampoule, or leave it empty."
        ]
    }


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
    source: str = "page",
) -> Injection:
    patient = prescription.patient
    today = today or local_today(patient)
    route = route or prescription.route
    if dose_mcg is None:  # 0 is a typing slip to refuse, not "the planned dose"
        dose_mcg = planned_dose_on(prescription, given_on)
    errors = injection_problems(
        prescription=prescription,
        values={
            "given_on": given_on,
            "given_at": given_at,
            "dose_mcg": dose_mcg,
            "site": site,
            "route": route,
            "expiry": expiry,
        },
        today=today,
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
            raise TooSoonError(too_soon_message(clash, given_on), code="too_soon")
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
        injection_changed.send(
            sender=Injection,
            injection=injection,
            change="logged",
            replaced=None,
            actor=actor,
            source=source,
        )
    return injection


def planned_dose_on(prescription: Prescription, given_on: date) -> int:
    """The dose of the first live dose still open on `given_on` (the prescription's dose after
    the last one): what an injection that day is taken to have given."""
    dose = (
        Dose.objects.live()
        .filter(prescription=prescription, latest__gte=given_on)
        .order_by("due")
        .first()
    )
    return dose.dose_mcg if dose else prescription.dose_mcg


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
    first counts and the second stays extra, being too soon after the first
    (docs/schedule-semantics.md#extra-injections).
    """
    counted: list[int] = []
    extras = list(
        Injection.objects.recorded()
        .filter(prescription=prescription, extra=True)
        .order_by("given_on", "pk")
    )
    for position, extra in enumerate(extras):
        later = [other.pk for other in extras[position + 1 :]]
        clash = too_soon_after(
            prescription=prescription, given_on=extra.given_on, exclude=extra.pk, ignore=later
        )
        if clash is not None:
            continue
        updated = Injection.objects.recorded().filter(pk=extra.pk, extra=True).update(extra=False)
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
    updated = (
        Injection.objects.recorded()
        .filter(pk=injection.pk)
        .update(changed_at=timezone.now(), **values)
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
        injection_changed.send(
            sender=Injection,
            injection=injection,
            change="voided",
            replaced=None,
            actor=actor,
            source="page",
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
    if unknown := set(values) - set(CORRECTABLE):
        raise ValidationError(f"These cannot be corrected: {', '.join(sorted(unknown))}.")
    prescription = injection.prescription
    today = today or local_today(prescription.patient)
    # Each value is of the type of the Injection field it names.
    merged: dict[str, Any] = {name: getattr(injection, name) for name in CORRECTABLE} | values
    errors = injection_problems(prescription=prescription, values=merged, today=today)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        _lock_active(prescription)
        clash = too_soon_after(
            prescription=prescription, given_on=merged["given_on"], exclude=injection.pk
        )
        # An entry already kept as extra was confirmed once: correcting it does not ask again.
        if clash is not None and not (confirm or injection.extra):
            raise TooSoonError(too_soon_message(clash, merged["given_on"]), code="too_soon")
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
        injection_changed.send(
            sender=Injection,
            injection=replacement,
            change="corrected",
            replaced=injection,
            actor=actor,
            source="page",
        )
    return replacement
