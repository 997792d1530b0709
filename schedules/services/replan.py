"""Re-planning: bringing a prescription's stored doses in line with the engine's plan.

Owns the plan horizon and the dose sync; every other service calls prescription_replan.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import transaction
from django.db.models import F

from core.clock import local_today
from schedules import engine, states
from schedules.models import Dose, Injection, Phase, Prescription
from schedules.signals import plan_changed

HORIZON = timedelta(days=366)  # at least twelve months of future doses, leap years included


@dataclass
class ReplanResult:
    created: int = 0
    updated: int = 0
    cancelled: int = 0
    newly_missed: list[int] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.cancelled)


def next_due(prescription: Prescription, today: date) -> date | None:
    """The date of the next dose still to be given, from `today` on: what a patient reads as
    "your next dose" when a change moves it (before and after the change alike)."""
    rows = Dose.objects.live().exclude(states.taken()).filter(prescription=prescription)
    return rows.filter(due__gte=today).order_by("due").values_list("due", flat=True).first()


def _given(prescription: Prescription) -> list[engine.Given]:
    rows = (
        Injection.objects.recorded()
        .filter(prescription=prescription, extra=False)
        .values_list("id", "given_on")
    )
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
    """Bring the stored doses in line with the engine's plan. Running it twice changes no dose;
    each run raises the prescription's revision, which keys the cached patient pages."""
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
        Prescription.objects.filter(pk=locked.pk).update(
            planned_until=until, revision=F("revision") + 1
        )
    return result


def _sync_doses(prescription: Prescription, plan: engine.Plan, phases: list[Phase]) -> ReplanResult:
    existing = {dose.due: dose for dose in Dose.objects.filter(prescription=prescription)}
    creates, updates, newly_missed = _compare(prescription, plan, phases, existing)
    planned = {dose.due for dose in plan.doses}
    stale = [
        row
        for due, row in existing.items()
        if due not in planned and row.status != Dose.Status.CANCELLED
    ]
    for row in stale:
        row.status, row.injection_id = Dose.Status.CANCELLED, None
    _store(creates, updates + stale)
    newly_missed += [row.pk for row in creates if row.status == Dose.Status.MISSED]
    return ReplanResult(
        created=len(creates),
        updated=len(updates),
        cancelled=len(stale),
        newly_missed=newly_missed,
    )


def _compare(
    prescription: Prescription,
    plan: engine.Plan,
    phases: list[Phase],
    existing: dict[date, Dose],
) -> tuple[list[Dose], list[Dose], list[int]]:
    """The planned doses with no row yet, the rows changed to match the plan (in memory
    only) and the ids of rows that turned missed."""
    creates: list[Dose] = []
    updates: list[Dose] = []
    newly_missed: list[int] = []
    for planned in plan.doses:
        values = _dose_values(planned, phases)
        row = existing.get(planned.due)
        if row is None:
            creates.append(Dose(prescription=prescription, due=planned.due, **values))
            continue
        was = row.status
        if _apply(row, values):
            if row.status == Dose.Status.MISSED and was != Dose.Status.MISSED:
                newly_missed.append(row.pk)
            updates.append(row)
    return creates, updates, newly_missed


def _apply(row: Dose, values: dict[str, object]) -> bool:
    """Set `values` on `row`; False (and `row` untouched) when it already had them."""
    if row.status in (Dose.Status.TAKEN, Dose.Status.MISSED) and row.status == values["status"]:
        values["dose_mcg"] = row.dose_mcg  # a settled dose keeps the amount it had
    if not any(getattr(row, name) != value for name, value in values.items()):
        return False
    for name, value in values.items():
        setattr(row, name, value)
    return True


def _store(creates: list[Dose], changed: list[Dose]) -> None:
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


def _dose_values(planned: engine.PlannedDose, phases: list[Phase]) -> dict[str, object]:
    return {
        "phase_id": phases[planned.phase_index].pk,
        "sequence": planned.sequence,
        "earliest": planned.earliest,
        "latest": planned.latest,
        "dose_mcg": planned.dose_mcg,
        "status": planned.status,
        "injection_id": planned.injection_id,
    }
