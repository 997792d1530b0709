"""Cadences of the schedule engine: intervals, set weekdays, default grace and their checks.

Owns the cadence units, month arithmetic (clamped month ends) and the too-soon distance.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from itertools import pairwise
from typing import Literal, TypeGuard

from dateutil.relativedelta import relativedelta

Unit = Literal["day", "week", "month", "weekday"]

UNITS: tuple[str, ...] = ("day", "week", "month", "weekday")
WEEKDAY_NAMES: tuple[str, ...] = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

_APPROX_UNIT_DAYS = {"day": 1, "week": 7, "month": 30}
# The shortest a unit can be; a grace this long would let a window reach the previous dose.
_MIN_UNIT_DAYS = {"day": 1, "week": 7, "month": 28}


@dataclass(frozen=True)
class Cadence:
    unit: Unit
    every: int = 1
    every_max: int | None = None  # range "every N–M units": due at N, window runs to M
    weekdays: tuple[int, ...] = ()  # 0=Mon..6=Sun, only for unit="weekday"

    def describe(self) -> str:
        if self.unit == "weekday":
            return ", ".join(WEEKDAY_NAMES[day] for day in sorted(self.weekdays))
        if self.every_max is not None:
            return f"every {self.every}–{self.every_max} {self.unit}s"
        if self.every == 1:
            return {"day": "daily", "week": "weekly", "month": "monthly"}[self.unit]
        if self.every == 2 and self.unit == "day":
            return "every other day"
        return f"every {self.every} {self.unit}s"

    def approx_days(self) -> int:
        if self.unit == "weekday":
            return _smallest_weekday_gap(self.weekdays)
        return self.every * _APPROX_UNIT_DAYS[self.unit]

    def default_grace(self) -> int:
        """Grace in days either side of the due date; a range is graded by its lower end."""
        if self.unit == "weekday":
            return 1
        if self.unit == "month":
            return 7
        if self.unit == "week":
            return 3 if self.every <= 3 else 7
        return _day_cadence_grace(self.every)


def _day_cadence_grace(every: int) -> int:
    if every == 1:
        return 0
    if every == 2:
        return 1
    if every <= 6:
        return 2
    return 3 if every <= 27 else 7


def _smallest_weekday_gap(weekdays: tuple[int, ...]) -> int:
    days = sorted(set(weekdays))
    # The wrap-around gap (last listed day to the first one next week) counts too.
    gaps = [later - earlier for earlier, later in pairwise(days)]
    return min([*gaps, days[0] + 7 - days[-1]])


def is_too_soon(*, previous: date | None, candidate: date, cadence: Cadence) -> bool:
    """True when two injections are closer than half an interval (and always on the same day).

    The distance is taken either way round, so back-logging an injection just before an
    existing one is caught as well.
    """
    if previous is None:
        return False
    threshold = max(1.0, cadence.approx_days() / 2)
    return abs((candidate - previous).days) < threshold


def is_unit(value: str) -> TypeGuard[Unit]:
    """Whether a stored or submitted string names a cadence unit."""
    return value in UNITS


def cadence_problems(cadence: Cadence) -> list[str]:
    """What is wrong with a cadence on its own; empty when it is sound."""
    if cadence.unit not in UNITS:
        return [f"unknown cadence unit {cadence.unit!r}."]
    if cadence.unit == "weekday":
        return _weekday_problems(cadence)
    problems = []
    if cadence.weekdays:
        problems.append("weekdays only apply to a weekday cadence.")
    if cadence.every < 1:
        problems.append("the interval must be at least 1.")
    if cadence.every_max is not None and cadence.every_max <= cadence.every:
        problems.append("a range must end after it starts (every 2–3, not 3–2 or 2–2).")
    return problems


def _weekday_problems(cadence: Cadence) -> list[str]:
    problems = []
    if not cadence.weekdays:
        problems.append("pick at least one weekday.")
    if any(day not in range(7) for day in cadence.weekdays):
        problems.append("weekdays are numbered 0 (Mon) to 6 (Sun).")
    if len(set(cadence.weekdays)) != len(cadence.weekdays):
        problems.append("a weekday is listed twice.")
    if cadence.every != 1 or cadence.every_max is not None:
        problems.append("a weekday cadence repeats every week; it takes no interval or range.")
    return problems


def shortest_interval_days(cadence: Cadence) -> int:
    """The fewest days between two doses of a sound cadence (a week at most for weekdays)."""
    if cadence.unit == "weekday":
        return 7  # the floor on windows keeps overlapping weekday graces harmless; cap at a week
    return cadence.every * _MIN_UNIT_DAYS[cadence.unit]


def shift(anchor: date, unit: str, amount: int) -> date:
    """`amount` units after `anchor`; months clamp to the month's last day (Jan 31 -> Feb 28)."""
    if unit == "month":
        return anchor + relativedelta(months=amount)
    if unit == "week":
        return anchor + timedelta(weeks=amount)
    return anchor + timedelta(days=amount)
