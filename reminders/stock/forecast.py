"""The forecast's arithmetic, on plain values: which planned dose each ampoule goes to.

No database here: selectors.stock_forecast loads the rows and hands them over.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

# A batch whose use-by date is this close, with ampoules left, is warned about even when the
# plan would use it in time: the patient may want to use it first or replace it.
EXPIRES_SOON_DAYS = 14


@dataclass(frozen=True)
class BatchStock:
    id: int
    expiry: date
    on_hand: int
    ampoule_ml: Decimal
    lot: str = ""


@dataclass(frozen=True)
class PlannedDose:
    id: int
    due: date
    volume_ml: Decimal


@dataclass(frozen=True)
class Waste:
    """A batch that expires before the plan reaches its ampoules: how many would be thrown away."""

    batch_id: int
    expiry: date
    lot: str
    ampoules: int


@dataclass
class Allocation:
    covered: int = 0  # planned doses with an ampoule, in a row from the next one
    last_covered: PlannedDose | None = None
    runs_out: PlannedDose | None = None  # the first planned dose with no ampoule
    wasted: list[Waste] = field(default_factory=list)


def ampoules_for(volume_ml: Decimal, ampoule_ml: Decimal) -> int:
    """Ampoules one dose takes: normally one; more when the dose is bigger than an ampoule."""
    if ampoule_ml <= 0:
        raise ValueError("An ampoule holds more than 0 mL.")
    return max(1, math.ceil(volume_ml / ampoule_ml))


def allocate(batches: list[BatchStock], doses: list[PlannedDose]) -> Allocation:
    """Walk the doses in date order, each taking its ampoules from the batch that expires first
    among those still usable on its date; stop at the first dose nothing covers."""
    left = {batch.id: batch.on_hand for batch in batches}
    by_expiry = sorted(batches, key=lambda batch: (batch.expiry, batch.id))
    result = Allocation()
    for dose in sorted(doses, key=lambda dose: dose.due):
        batch = _first_usable(by_expiry, left, dose)
        if batch is None:
            result.runs_out = dose
            break
        left[batch.id] -= ampoules_for(dose.volume_ml, batch.ampoule_ml)
        result.covered += 1
        result.last_covered = dose
    horizon = _waste_horizon(result, doses)
    result.wasted = [
        Waste(batch_id=batch.id, expiry=batch.expiry, lot=batch.lot, ampoules=left[batch.id])
        for batch in by_expiry
        if left[batch.id] > 0 and horizon is not None and batch.expiry < horizon
    ]
    return result


def _first_usable(
    by_expiry: list[BatchStock], left: dict[int, int], dose: PlannedDose
) -> BatchStock | None:
    return next(
        (
            batch
            for batch in by_expiry
            if batch.expiry >= dose.due
            and left[batch.id] >= ampoules_for(dose.volume_ml, batch.ampoule_ml)
        ),
        None,
    )


def _waste_horizon(result: Allocation, doses: list[PlannedDose]) -> date | None:
    """Ampoules left in a batch that expires before this date will not be used: the dose the
    stock ran out at (no batch left could serve it), or else the last dose planned."""
    if result.runs_out is not None:
        return result.runs_out.due
    return max((dose.due for dose in doses), default=None)


def expiring_soon(batches: list[BatchStock], today: date) -> list[BatchStock]:
    """Batches with ampoules left whose use-by date is within EXPIRES_SOON_DAYS of today."""
    return [
        batch
        for batch in batches
        if batch.on_hand > 0 and (batch.expiry - today).days <= EXPIRES_SOON_DAYS
    ]
