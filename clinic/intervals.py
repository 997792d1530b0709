"""Maintenance intervals outside what any built-in regimen uses, and what such a change would
mean (injections a year, the next dates), for the clinician to confirm before it is saved."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import User
from core.clock import local_today
from schedules import regimens
from schedules import services as schedule_services
from schedules.engine import Cadence
from schedules.models import Dose, Prescription

# A month counts as its shortest and its longest, so "every 4 weeks" sits beside monthly and
# "every 13 weeks" beside every 3 months.
_SHORTEST_DAYS = {"day": 1, "week": 7, "month": 28}
_LONGEST_DAYS = {"day": 1, "week": 7, "month": 31}
_PER_YEAR = {"day": 365, "week": 52, "month": 12}
PREVIEW_DOSES = 3


def _maintenance_cadences() -> list[Cadence]:
    return [
        phase.cadence
        for regimen in regimens.REGIMENS.values()
        for phase in regimen.phases
        if phase.kind == "maintenance" and phase.cadence.unit in _SHORTEST_DAYS
    ]


def _shortest(cadence: Cadence) -> int:
    return cadence.every * _SHORTEST_DAYS[cadence.unit]


def _longest(cadence: Cadence) -> int:
    return (cadence.every_max or cadence.every) * _LONGEST_DAYS[cadence.unit]


def usual_range() -> tuple[Cadence, Cadence]:
    """The most and the least frequent maintenance of the built-in regimens."""
    cadences = _maintenance_cadences()
    return min(cadences, key=_shortest), max(cadences, key=_longest)


def is_usual(cadence: Cadence) -> bool:
    low, high = usual_range()
    return _shortest(cadence) >= _shortest(low) and _longest(cadence) <= _longest(high)


def cadence_key(cadence: Cadence) -> str:
    """What a confirmation was given for, so that ticking the box confirms only that interval."""
    return f"{cadence.unit}:{cadence.every}:{cadence.every_max or ''}"


def per_year(cadence: Cadence) -> str:
    count = _PER_YEAR[cadence.unit] / cadence.every
    return f"{count:g}" if count == int(count) else f"about {round(count)}"


def next_doses(*, prescription: Prescription, actor: User, cadence: Cadence) -> list[date] | None:
    """The first doses from the patient's today on that the change would plan: the change is
    made by the service itself, read, and rolled back, so the preview cannot drift from it.
    None when the service refuses the change."""
    today = local_today(prescription.patient)
    try:
        with transaction.atomic():
            phase = schedule_services.maintenance_interval_change(
                prescription=prescription,
                actor=actor,
                unit=cadence.unit,
                every=cadence.every,
                every_max=cadence.every_max,
                today=today,
            )
            rows = Dose.objects.open().filter(phase_id=phase.pk, due__gte=today).order_by("due")
            raise _Preview(list(rows.values_list("due", flat=True)[:PREVIEW_DOSES]))
    except _Preview as preview:
        return preview.dues
    except ValidationError:
        return None


class _Preview(Exception):
    """Carries the planned dates out of the transaction it rolls back."""

    def __init__(self, dues: list[date]) -> None:
        super().__init__()
        self.dues = dues


def consequence(*, prescription: Prescription, actor: User, cadence: Cadence) -> str | None:
    """What the change would mean, to confirm; None when the service would refuse it anyway
    (then its own reason is what the clinician needs to read)."""
    dues = next_doses(prescription=prescription, actor=actor, cadence=cadence)
    if dues is None:
        return None
    low, high = usual_range()
    text = f"{cadence.describe().capitalize()} means {per_year(cadence)} injections a year"
    if dues:
        text += "; the next doses would be " + ", ".join(f"{due:%-d %b}" for due in dues)
    longest = Cadence(high.unit, high.every_max or high.every)
    return (
        f"{text}. The built-in regimens keep maintenance between {low.describe()} and "
        f"{longest.describe()}: tick the box below to confirm this interval, or change it."
    )
