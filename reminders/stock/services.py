"""Writes of ampoule stock the patient asks for: a batch received, a count corrected, a batch
thrown away, and the stock settings. Each is one transaction with its ledger row and audit event,
and checks the refill and expiry reminders before it commits."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from accounts.audit import log_action
from accounts.models import User
from core.clock import local_today
from reminders.models import ReminderPreference, StockBatch, StockMovement
from reminders.prompts import prompt_withdraw
from reminders.services import preference_get
from schedules.models import Prescription

from .alerts import expiry_key, stock_check

MAX_BATCH = 500  # more ampoules than that in one delivery is a typing slip
NOTE_LENGTH = 200
STOCK_SETTINGS = ("refill_enabled", "refill_doses_ahead", "nurse_uses_my_ampoules")


def _batch_problems(
    *,
    prescription: Prescription | None,
    count: int,
    strength_mcg_per_ml: int,
    ampoule_ml: Decimal,
    expiry: date,
    today: date,
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if count < 1:
        errors["count"] = ["Enter how many ampoules came in this batch: at least 1."]
    elif count > MAX_BATCH:
        errors["count"] = [f"That is more than {MAX_BATCH} ampoules. Check the number on the box."]
    if expiry < today:
        errors["expiry"] = [
            f"That use-by date ({expiry:%-d %b %Y}) has passed. Expired ampoules should not be "
            "used: check the date on the box, or return them to your pharmacy."
        ]
    if prescription is None:
        return errors | {"__all__": ["Add your prescription first: stock is matched to it."]}
    wanted = prescription.strength_mcg_per_ml
    if strength_mcg_per_ml != wanted:
        errors["strength_mcg_per_ml"] = [
            f"This batch is {strength_mcg_per_ml} mcg/mL; your prescription is {wanted} mcg/mL. "
            "Check the box, and ask your care team before using a different strength."
        ]
    elif ampoule_ml < prescription.volume_ml:
        errors["ampoule_ml"] = [
            f"A {ampoule_ml} mL ampoule holds less than one dose ({prescription.volume_ml} mL)."
        ]
    return errors


def batch_add(
    *,
    patient: User,
    count: int,
    strength_mcg_per_ml: int,
    expiry: date,
    lot: str = "",
    ampoule_ml: Decimal = Decimal("1.00"),
    request: HttpRequest | None = None,
    now: datetime | None = None,
) -> StockBatch:
    """Record a batch of ampoules received; a pending "running low" reminder is withdrawn (the
    check that follows asks again, under the new batch, if the stock is still low)."""
    now = now or timezone.now()
    today = local_today(patient, now=now)
    prescription = Prescription.objects.filter(
        patient=patient, status=Prescription.Status.ACTIVE
    ).first()
    errors = _batch_problems(
        prescription=prescription,
        count=count,
        strength_mcg_per_ml=strength_mcg_per_ml,
        ampoule_ml=ampoule_ml,
        expiry=expiry,
        today=today,
    )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        batch = StockBatch(
            patient=patient,
            strength_mcg_per_ml=strength_mcg_per_ml,
            ampoule_ml=ampoule_ml,
            received=count,
            on_hand=count,
            expiry=expiry,
            lot=lot.strip(),
            created_at=now,
        )
        batch.full_clean()
        batch.save()
        _movement(batch, count, StockMovement.Reason.RECEIVED, patient, "", now)
        log_action(
            actor=patient,
            action="stock.batch_added",
            patient=patient,
            obj=batch,
            request=request,
            detail={"count": count, "expiry": expiry.isoformat(), "lot": batch.lot},
        )
        prompt_withdraw(key=f"refill:{patient.pk}", reason="More ampoules were added.")
        stock_check(patient=patient, now=now)
    return batch


def _movement(
    batch: StockBatch, change: int, reason: str, actor: User, note: str, now: datetime
) -> StockMovement:
    row = StockMovement(
        batch=batch, change=change, reason=reason, actor=actor, note=note, created_at=now
    )
    row.full_clean()
    row.save()
    return row


def _locked(patient: User, batch_id: int) -> StockBatch:
    batch = StockBatch.objects.select_for_update().filter(pk=batch_id, patient=patient).first()
    if batch is None:
        raise ValidationError("That batch is not in your stock.")
    if batch.discarded_at is not None:
        raise ValidationError("That batch was thrown away, so its count cannot change.")
    return batch


def batch_adjust(
    *,
    patient: User,
    batch_id: int,
    count: int,
    note: str,
    request: HttpRequest | None = None,
    now: datetime | None = None,
) -> StockBatch:
    """Correct the number of ampoules left in a batch (counted again, one broke), with a note."""
    now = now or timezone.now()
    note = (note or "").strip()
    errors: dict[str, list[str]] = {}
    if count < 0:
        errors["count"] = ["A count cannot be below zero. Enter 0 if none are left."]
    if not note:
        errors["note"] = ["Say why the count changed, such as 'counted again' or 'one broke'."]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        batch = _locked(patient, batch_id)
        change = count - batch.on_hand
        if change == 0:
            raise ValidationError({"count": [f"The batch already has {count} left."]})
        StockBatch.objects.filter(pk=batch.pk).update(on_hand=count, updated_at=now)
        _movement(batch, change, StockMovement.Reason.ADJUSTED, patient, note[:NOTE_LENGTH], now)
        log_action(
            actor=patient,
            action="stock.batch_adjusted",
            patient=patient,
            obj=batch,
            request=request,
            detail={"from": batch.on_hand, "to": count, "note": note[:NOTE_LENGTH]},
        )
        if count == 0:
            prompt_withdraw(key=expiry_key(batch.pk), reason="None are left in this batch.")
        stock_check(patient=patient, now=now)
    batch.refresh_from_db()
    return batch


def batch_discard(
    *,
    patient: User,
    batch_id: int,
    note: str = "",
    request: HttpRequest | None = None,
    now: datetime | None = None,
) -> StockBatch:
    """Throw a batch away (expired, broken, recalled): what was left goes out of the count."""
    now = now or timezone.now()
    note = (note or "").strip()[:NOTE_LENGTH]
    with transaction.atomic():
        batch = _locked(patient, batch_id)
        StockBatch.objects.filter(pk=batch.pk).update(on_hand=0, discarded_at=now, updated_at=now)
        _movement(batch, -batch.on_hand, StockMovement.Reason.DISCARDED, patient, note, now)
        log_action(
            actor=patient,
            action="stock.batch_discarded",
            patient=patient,
            obj=batch,
            request=request,
            detail={"left": batch.on_hand, "note": note},
        )
        prompt_withdraw(key=expiry_key(batch.pk), reason="The batch was thrown away.")
        stock_check(patient=patient, now=now)
    batch.refresh_from_db()
    return batch


@transaction.atomic
def stock_settings_update(
    *,
    patient: User,
    values: dict[str, object],
    request: HttpRequest | None = None,
    now: datetime | None = None,
) -> ReminderPreference:
    """The stock page's settings: running-low and expiry reminders, how many doses ahead, and
    whether a nurse uses the patient's own ampoules."""
    if unknown := set(values) - set(STOCK_SETTINGS):
        raise ValidationError(f"These cannot be changed here: {', '.join(sorted(unknown))}.")
    ahead = values.get("refill_doses_ahead")
    if isinstance(ahead, int) and not 1 <= ahead <= 20:
        raise ValidationError({"refill_doses_ahead": ["Choose between 1 and 20 doses."]})
    pref = preference_get(patient=patient, lock=True)
    changed = sorted(name for name, value in values.items() if getattr(pref, name) != value)
    for name in changed:
        setattr(pref, name, values[name])
    pref.full_clean()
    pref.save()
    log_action(
        actor=patient,
        action="stock.settings_updated",
        patient=patient,
        obj=pref,
        request=request,
        detail={"changed": changed},
    )
    stock_check(patient=patient, now=now or timezone.now(), pref=pref)
    return pref
