"""Reads of ampoule stock for the stock page, the draw-down and the reminders: the batches,
the ledger and the forecast, each a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import QuerySet

from accounts.models import User
from core.clock import local_today
from reminders.models import ReminderPreference, StockBatch, StockMovement
from schedules.models import Dose, GivenBy, Prescription, volume_for

from .forecast import Allocation, BatchStock, PlannedDose, Waste, allocate, expiring_soon

LEDGER_ROWS = 20


@dataclass(frozen=True)
class StockForecast:
    """What the stock page says and what the reminders act on.

    `needed` is False when a nurse gives the injections with the clinic's ampoules."""

    today: date
    prescription: Prescription | None
    needed: bool
    tracked: bool  # the patient ever recorded a batch
    on_hand: int
    doses_planned: int
    allocation: Allocation
    expiring: list[BatchStock] = field(default_factory=list)
    newest_batch_id: int = 0

    @property
    def covered(self) -> int:
        return self.allocation.covered

    @property
    def runs_out(self) -> PlannedDose | None:
        return self.allocation.runs_out

    @property
    def last_covered(self) -> PlannedDose | None:
        return self.allocation.last_covered

    @property
    def wasted(self) -> list[Waste]:
        return self.allocation.wasted

    @property
    def doses_left(self) -> int:
        """Planned doses still to come that the stock does not cover."""
        return self.doses_planned - self.covered

    def low(self, doses_ahead: int) -> bool:
        """Running low: a planned dose within `doses_ahead` doses has no ampoule."""
        return self.needed and self.runs_out is not None and self.covered <= doses_ahead


def batches_of(*, patient: User) -> QuerySet[StockBatch]:
    """All the patient's batches, thrown away ones included, the first to expire first."""
    return StockBatch.objects.filter(patient=patient).order_by("expiry", "pk")


def batch_for_patient(*, patient: User, batch_id: int) -> StockBatch | None:
    """The patient's own batch, or None (the view answers 404)."""
    return StockBatch.objects.filter(pk=batch_id, patient=patient).first()


def ledger(*, patient: User, limit: int = LEDGER_ROWS) -> list[StockMovement]:
    """The newest movements of the patient's ampoules, with their batch and injection."""
    return list(
        StockMovement.objects.filter(batch__patient=patient)
        .select_related("batch", "injection")
        .order_by("-created_at", "-pk")[:limit]
    )


def draws_stock(given_by: str, pref: ReminderPreference) -> bool:
    """Whether an injection given by `given_by` uses the patient's own ampoules."""
    return given_by != GivenBy.NURSE or pref.nurse_uses_my_ampoules


def stock_forecast(
    *,
    patient: User,
    today: date | None = None,
    pref: ReminderPreference | None = None,
    batches: list[StockBatch] | None = None,
) -> StockForecast:
    """The forecast in three queries (the prescription, the batches, the open doses; the
    preferences too unless given; the batches not when given: all of them, as batches_of)."""
    today = today or local_today(patient)
    pref = pref or ReminderPreference.objects.filter(patient=patient).first()
    pref = pref or ReminderPreference(patient=patient)
    prescription = Prescription.objects.filter(
        patient=patient, status=Prescription.Status.ACTIVE
    ).first()
    rows = list(batches_of(patient=patient)) if batches is None else batches
    stock = _usable([row for row in rows if row.discarded_at is None], prescription)
    newest = max((row.pk for row in rows), default=0)
    doses = _planned(prescription, today)
    return StockForecast(
        today=today,
        prescription=prescription,
        needed=prescription is not None and draws_stock(prescription.given_by, pref),
        tracked=bool(rows),
        on_hand=sum(batch.on_hand for batch in stock),
        doses_planned=len(doses),
        allocation=allocate([b for b in stock if b.expiry >= today], doses),
        expiring=expiring_soon(stock, today),
        newest_batch_id=newest,
    )


def _usable(rows: list[StockBatch], prescription: Prescription | None) -> list[BatchStock]:
    """Batches with ampoules left, of the prescription's strength (another strength would
    give another dose)."""
    return [
        BatchStock(
            id=row.pk,
            expiry=row.expiry,
            on_hand=row.on_hand,
            ampoule_ml=row.ampoule_ml,
            lot=row.lot,
        )
        for row in rows
        if row.on_hand > 0
        and prescription is not None
        and row.strength_mcg_per_ml == prescription.strength_mcg_per_ml
    ]


def _planned(prescription: Prescription | None, today: date) -> list[PlannedDose]:
    if prescription is None:
        return []
    rows = (
        Dose.objects.open()
        .filter(prescription=prescription, latest__gte=today)
        .order_by("due")
        .values_list("pk", "due", "dose_mcg")
    )
    strength = prescription.strength_mcg_per_ml
    return [
        PlannedDose(id=pk, due=due, volume_ml=volume_for(dose_mcg, strength))
        for pk, due, dose_mcg in rows
    ]


@dataclass(frozen=True)
class StockPage:
    pref: ReminderPreference
    forecast: StockForecast
    batches: list[StockBatch]  # not thrown away, the first to expire first
    ledger: list[StockMovement]

    @property
    def wasted_by_batch(self) -> dict[int, int]:
        return {waste.batch_id: waste.ampoules for waste in self.forecast.wasted}


def stock_page(*, patient: User, today: date | None = None) -> StockPage:
    """Everything the stock page shows, in five queries: the preferences, the prescription,
    the batches, the open doses and the ledger. Reading writes nothing."""
    pref = ReminderPreference.objects.filter(patient=patient).first()
    pref = pref or ReminderPreference(patient=patient)
    rows = list(batches_of(patient=patient))
    forecast = stock_forecast(patient=patient, today=today, pref=pref, batches=rows)
    return StockPage(
        pref=pref,
        forecast=forecast,
        batches=[row for row in rows if row.discarded_at is None],
        ledger=ledger(patient=patient),
    )
