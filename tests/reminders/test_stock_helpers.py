"""Helpers the stock tests share (no tests here): a weekly prescription made through the
services at a frozen instant, batches added and injections logged through the services."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal

import time_machine

from accounts.models import User
from reminders.models import Notification, StockBatch, StockMovement
from reminders.stock.services import batch_add
from schedules import engine, services
from schedules.models import Injection, Prescription
from tests.helpers import noon, prescribe

START = date(2026, 6, 1)  # a Monday
WEEKLY = [
    engine.PhaseSpec(
        kind="maintenance", cadence=engine.Cadence("week", 1), dose_mcg=1000, bound="ongoing"
    )
]


@contextmanager
def on(day: date) -> Iterator[None]:
    """Midday UTC on `day` (the same date in London, where alice lives)."""
    with time_machine.travel(noon(day), tick=False):
        yield


def weekly(patient: User, *, start: date = START, given_by: str = "self") -> Prescription:
    return prescribe(patient, start=start, phases=WEEKLY, given_by=given_by)


def add(
    patient: User,
    count: int,
    *,
    expiry: date = date(2027, 12, 31),
    lot: str = "",
    day: date = START,
    strength: int = 1000,
) -> StockBatch:
    with on(day):
        return batch_add(
            patient=patient,
            count=count,
            strength_mcg_per_ml=strength,
            expiry=expiry,
            lot=lot,
            ampoule_ml=Decimal("1.00"),
        )


def log(
    rx: Prescription, day: date, *, given_by: str = "self", lot: str = "", today: date | None = None
) -> Injection:
    with on(today or day):
        return services.injection_log(
            prescription=rx,
            actor=rx.patient,
            given_on=day,
            site="deltoid_left",
            given_by=given_by,
            lot=lot,
            today=today or day,
        )


def weeks(n: int) -> date:
    return START + timedelta(weeks=n)


def on_hand(batch: StockBatch) -> int:
    batch.refresh_from_db()
    return batch.on_hand


def reasons(batch: StockBatch) -> list[tuple[str, int]]:
    return list(batch.movements.order_by("pk").values_list("reason", "change"))


def counts() -> tuple[int, int, int]:
    return StockBatch.objects.count(), StockMovement.objects.count(), Notification.objects.count()
