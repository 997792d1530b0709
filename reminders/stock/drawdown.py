"""The injection log draws ampoules from stock: one taken for each injection the patient or a
carer gives (or a nurse, with the patient's own ampoules), put back when it is voided or corrected.

Runs in the injection's transaction (schedules.signals.injection_changed). Stock never stops an
injection being logged: with no ampoule to take, nothing is taken.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import User
from reminders.models import ReminderPreference, StockBatch, StockMovement
from reminders.tasks import send_soon
from schedules.models import Injection

from .alerts import stock_check
from .forecast import ampoules_for
from .selectors import draws_stock

log = logging.getLogger(__name__)
Reason = StockMovement.Reason


def _batches(injection: Injection) -> list[StockBatch]:
    """The patient's batches of the prescription's strength with ampoules left, the first to
    expire first, locked."""
    return list(
        StockBatch.objects.select_for_update()
        .filter(
            patient_id=injection.patient_id,
            discarded_at__isnull=True,
            on_hand__gt=0,
            strength_mcg_per_ml=injection.prescription.strength_mcg_per_ml,
        )
        .order_by("expiry", "pk")
    )


def _pick_batch(injection: Injection, batches: list[StockBatch]) -> StockBatch | None:
    """The batch whose lot the injection names, else the first to expire of those still in date
    on the day it was given."""
    lot = injection.lot.strip().casefold()
    if lot:
        named = next((batch for batch in batches if batch.lot.strip().casefold() == lot), None)
        if named is not None:
            return named
    return next((batch for batch in batches if batch.expiry >= injection.given_on), None)


def stock_draw(*, injection: Injection, actor: User | None) -> StockMovement | None:
    """Take the ampoules of one injection from stock; None when it draws none (a nurse with the
    clinic's ampoules, no stock left, or already taken)."""
    batches = _batches(injection)  # first: for a patient who keeps no stock, the only query
    if not batches:
        return None
    # Read afresh: the patient object the log holds may carry a stale cached preference.
    pref = ReminderPreference.objects.filter(patient_id=injection.patient_id).first()
    if not draws_stock(injection.given_by, pref or ReminderPreference()):
        return None
    if StockMovement.objects.filter(injection=injection, reason=Reason.INJECTION).exists():
        return None
    batch = _pick_batch(injection, batches)
    if batch is None:
        return None
    take = min(ampoules_for(injection.volume_ml, batch.ampoule_ml), batch.on_hand)
    return _move(batch, -take, Reason.INJECTION, injection, actor)


def stock_return(*, injection: Injection, actor: User | None) -> StockMovement | None:
    """Put back what an injection took, once; None when it took nothing, or when its batch was
    thrown away since (the ampoule went with it: the count stays 0 and the ledger unchanged)."""
    taken = StockMovement.objects.filter(injection=injection, reason=Reason.INJECTION).first()
    if taken is None or taken.change >= 0:
        return None
    if StockMovement.objects.filter(injection=injection, reason=Reason.RETURNED).exists():
        return None
    batch = StockBatch.objects.select_for_update().get(pk=taken.batch_id)
    if batch.discarded_at is not None:
        return None
    return _move(batch, -taken.change, Reason.RETURNED, injection, actor)


def _move(
    batch: StockBatch, change: int, reason: str, injection: Injection, actor: User | None
) -> StockMovement | None:
    """The ledger row and the count together, in a savepoint: a duplicate (the unique key on
    injection and reason) or a count that would go below zero leaves both as they were."""
    try:
        with transaction.atomic():
            row = StockMovement(
                batch=batch, change=change, reason=reason, injection=injection, actor=actor
            )
            row.full_clean()
            row.save()
            updated = StockBatch.objects.filter(pk=batch.pk, on_hand__gte=-change).update(
                on_hand=F("on_hand") + change, updated_at=timezone.now()
            )
            if updated != 1:
                raise DatabaseError(f"Batch {batch.pk} has fewer than {-change} ampoules left.")
    except (DatabaseError, ValidationError) as error:
        log.info("No stock movement for injection %s: %s", injection.pk, error)
        return None
    return row


def injection_changed_received(
    sender: object,
    *,
    injection: Injection,
    change: str,
    replaced: Injection | None = None,
    actor: User | None = None,
    **kwargs: Any,
) -> None:
    """The injection log's news: draw for a logged injection, put back a voided one's, and
    for a correction put back the original's and draw for its replacement. Then check the
    refill and expiry reminders, and send what they asked for once the log commits."""
    moved: list[StockMovement | None] = []
    if change in ("voided", "corrected"):
        moved.append(stock_return(injection=replaced or injection, actor=actor))
    if change in ("logged", "corrected"):
        moved.append(stock_draw(injection=injection, actor=actor))
    if any(moved):
        send_soon(stock_check(patient=injection.patient, now=timezone.now()))
