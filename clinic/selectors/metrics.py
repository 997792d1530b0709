"""The adherence figures every clinician page shows: on time, late and missed counts, the
90-day band, and intervals between maintenance injections, per prescription in bulk.

The dose states come from `schedules.states`; "missed" is judged on each patient's own today
(docs/schedule-semantics.md#missed-doses), so a page never waits for the missed-dose sweep.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import reduce
from itertools import pairwise
from operator import or_

from django.db.models import Count, Q, TextChoices

from schedules import states
from schedules.models import Dose, PhaseKind

WINDOW = timedelta(days=90)


class Band(TextChoices):
    """Adherence over the last 90 days: doses taken (on time or late) of doses taken or missed."""

    GOOD = "good", "90% or more taken"
    FAIR = "fair", "70–89% taken"
    POOR = "poor", "Under 70% taken"
    NONE = "none", "Nothing due yet"


def band_for(taken: int, missed: int) -> str:
    """The band in Python; `patients._band_expression` is the same rule in SQL (a test holds
    them equal)."""
    settled = taken + missed
    if settled == 0:
        return Band.NONE
    if taken * 10 >= settled * 9:
        return Band.GOOD
    if taken * 10 >= settled * 7:
        return Band.FAIR
    return Band.POOR


@dataclass(frozen=True)
class Counts:
    on_time: int = 0
    late: int = 0
    missed: int = 0

    @property
    def taken(self) -> int:
        return self.on_time + self.late

    @property
    def band(self) -> str:
        return band_for(self.taken, self.missed)

    @property
    def percent_taken(self) -> int | None:
        settled = self.taken + self.missed
        return round(100 * self.taken / settled) if settled else None


def median(values: Sequence[float]) -> float | None:
    ordered = sorted(values)
    middle = len(ordered) // 2
    if not ordered:
        return None
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def gaps(days: Sequence[date]) -> list[int]:
    """Days between consecutive dates (already in order)."""
    return [(later - earlier).days for earlier, later in pairwise(days)]


def counts_by_prescription(todays: dict[int, date]) -> dict[int, tuple[Counts, Counts]]:
    """Per prescription (id: its patient's today): the last 90 days' counts and those since the
    start, in one query. At most three dates occur at once, so the conditions stay short."""
    if not todays:
        return {}
    by_day: dict[date, list[int]] = defaultdict(list)
    for rx_id, day in todays.items():
        by_day[day].append(rx_id)
    recent = reduce(
        or_, (Q(prescription_id__in=ids, due__gte=day - WINDOW) for day, ids in by_day.items())
    )
    missed = reduce(
        or_, (Q(prescription_id__in=ids) & states.missed(day) for day, ids in by_day.items())
    )
    rows = (
        Dose.objects.filter(prescription_id__in=list(todays))
        .order_by()
        .values("prescription_id")
        .annotate(
            on_time_90=Count("pk", filter=states.on_time() & recent),
            late_90=Count("pk", filter=states.late() & recent),
            missed_90=Count("pk", filter=missed & recent),
            on_time=Count("pk", filter=states.on_time()),
            late=Count("pk", filter=states.late()),
            missed=Count("pk", filter=missed),
        )
    )
    return {
        row["prescription_id"]: (
            Counts(row["on_time_90"], row["late_90"], row["missed_90"]),
            Counts(row["on_time"], row["late"], row["missed"]),
        )
        for row in rows
    }


def maintenance_dates(rx_ids: list[int]) -> dict[int, list[date]]:
    """Dates of the counted injections that maintenance doses took, in order, per prescription."""
    rows = (
        Dose.objects.filter(prescription_id__in=rx_ids, phase__kind=PhaseKind.MAINTENANCE)
        .counted()
        .order_by("prescription_id", "injection__given_on")
        .values_list("prescription_id", "injection__given_on")
    )
    dates: dict[int, list[date]] = defaultdict(list)
    for rx_id, given_on in rows:
        dates[rx_id].append(given_on)
    return dates


def median_intervals(rx_ids: list[int]) -> dict[int, float | None]:
    """The median days between maintenance injections, per prescription (one query)."""
    if not rx_ids:
        return {}
    return {rx_id: median(gaps(days)) for rx_id, days in maintenance_dates(rx_ids).items()}
