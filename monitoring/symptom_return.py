"""When symptoms come back between maintenance injections: cycles, baselines and return days.

Pure functions over plain data (dates and daily totals), plus one selector, return_summary.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from django.db.models import OuterRef, Subquery

from accounts.models import User
from schedules.engine.cadence import shift
from schedules.models import Dose, Injection, PhaseKind

from .models import SYMPTOMS, CheckIn

BASELINE_DAYS = 7
"""The baseline is the lowest total on days 1 to 7 after the injection: the best the dose
makes the patient feel. The lowest, not the mean, because the first days often still carry the
symptoms of the end of the previous cycle, which a mean would count as 'normal'."""

RETURN_MARGIN = 3
"""Symptoms have returned on the first day after the baseline week whose total is at least
this many points (of 21) above the baseline: one symptom going from none to moderate plus one
more, not the day-to-day wobble of a single mild symptom."""

CYCLES_COUNTED = 6


@dataclass(frozen=True)
class DayScore:
    """One check-in reduced to what these rules read."""

    on: date
    total: int
    tingling: int


@dataclass(frozen=True)
class MaintenanceInjection:
    given_on: date
    interval_days: int  # the prescribed interval from this injection to the next due date


@dataclass(frozen=True)
class Cycle:
    injected_on: date
    interval_days: int
    next_injected_on: date | None  # None: the cycle is still running
    baseline: int | None  # None: no check-in in the baseline week
    return_day: int | None  # days after the injection; None: not (yet) returned
    days: tuple[DayScore, ...]  # the check-ins inside the cycle, in date order

    @property
    def complete(self) -> bool:
        return self.next_injected_on is not None

    @property
    def length_days(self) -> int | None:
        if self.next_injected_on is None:
            return None
        return (self.next_injected_on - self.injected_on).days

    def day_of(self, score: DayScore) -> int:
        return (score.on - self.injected_on).days

    @property
    def returned_early_by(self) -> int | None:
        """How many days before the prescribed next due date symptoms returned (positive:
        earlier; zero or negative: on or after it); None when they did not return."""
        if self.return_day is None:
            return None
        return self.interval_days - self.return_day


@dataclass(frozen=True)
class ReturnSummary:
    cycles: tuple[Cycle, ...]  # newest first: the running cycle (if any), then completed ones
    counted: tuple[Cycle, ...]  # the last CYCLES_COUNTED completed cycles with a baseline
    median_return_day: float | None
    interval_days: int | None  # the newest cycle's prescribed interval

    @property
    def around_day(self) -> int | None:
        if self.median_return_day is None:
            return None
        return round(self.median_return_day)

    @property
    def sentence(self) -> str:
        if not self.cycles:
            return "No maintenance injections logged yet."
        if not self.counted:
            return "Not enough check-ins yet to tell when symptoms come back."
        if self.around_day is None:
            return "In most recent cycles, symptoms did not come back before the next dose."
        return f"Symptoms return around day {self.around_day} of {self.interval_days}."


def baseline_of(injected_on: date, days: Sequence[DayScore]) -> int | None:
    window = [d.total for d in days if 1 <= (d.on - injected_on).days <= BASELINE_DAYS]
    return min(window) if window else None


def return_day_of(injected_on: date, baseline: int | None, days: Sequence[DayScore]) -> int | None:
    if baseline is None:
        return None
    for score in days:
        day = (score.on - injected_on).days
        if day > BASELINE_DAYS and score.total >= baseline + RETURN_MARGIN:
            return day
    return None


def build_cycles(
    injections: Sequence[MaintenanceInjection], days: Iterable[DayScore]
) -> list[Cycle]:
    """One cycle per injection, oldest first: from it up to the day before the next one."""
    ordered = sorted(injections, key=lambda item: item.given_on)
    scores = sorted(days, key=lambda item: item.on)
    cycles = []
    for index, injection in enumerate(ordered):
        following = ordered[index + 1].given_on if index + 1 < len(ordered) else None
        inside = tuple(
            d
            for d in scores
            if d.on >= injection.given_on and (following is None or d.on < following)
        )
        baseline = baseline_of(injection.given_on, inside)
        cycles.append(
            Cycle(
                injected_on=injection.given_on,
                interval_days=injection.interval_days,
                next_injected_on=following,
                baseline=baseline,
                return_day=return_day_of(injection.given_on, baseline, inside),
                days=inside,
            )
        )
    return cycles


def median_return_day(cycles: Sequence[Cycle]) -> float | None:
    """The median return day of the cycles in which symptoms returned, when they returned in
    at least half of them; otherwise None (mostly they held until the next dose)."""
    returned = [cycle.return_day for cycle in cycles if cycle.return_day is not None]
    if not returned or 2 * len(returned) < len(cycles):
        return None
    return float(statistics.median(returned))


def summarise(cycles: Sequence[Cycle]) -> ReturnSummary:
    newest_first = tuple(reversed(cycles))
    counted = tuple(c for c in newest_first if c.complete and c.baseline is not None)
    counted = counted[:CYCLES_COUNTED]
    return ReturnSummary(
        cycles=newest_first,
        counted=counted,
        median_return_day=median_return_day(counted),
        interval_days=newest_first[0].interval_days if newest_first else None,
    )


def tingling_new_or_worse(cycles: Sequence[Cycle]) -> bool:
    """Pins and needles now (the newest check-in) above the worst of the previous cycle, or
    above the lowest of the newest cycle's baseline week when there is no earlier cycle with
    check-ins. `cycles` oldest first, as build_cycles returns them."""
    with_days = [cycle for cycle in cycles if cycle.days]
    if not with_days:
        return False
    newest = with_days[-1]
    now = newest.days[-1].tingling
    if len(with_days) > 1:
        return now > max(score.tingling for score in with_days[-2].days)
    window = [s.tingling for s in newest.days[:-1] if 1 <= newest.day_of(s) <= BASELINE_DAYS]
    return bool(window) and now > min(window)


# --- The selector: two queries, bounded by the cycles it reads.


def interval_days(given_on: date, unit: str, every: int, next_due: date | None = None) -> int:
    """The prescribed days from an injection to the next dose's due date. The plan knows it
    (months count from the phase's anchor, so 28 Feb is followed by 31 Mar when the anchor is
    the 31st); without a next dose, one cadence step from the injection (a weekday cadence
    counts as a week)."""
    if next_due is not None:
        return (next_due - given_on).days
    if unit == "weekday":
        return 7
    return (shift(given_on, unit, every) - given_on).days


def maintenance_injections(patient: User) -> list[MaintenanceInjection]:
    """The newest CYCLES_COUNTED + 1 injections that a maintenance dose took, oldest first."""
    next_due = (
        Dose.objects.live()
        .filter(prescription=OuterRef("prescription"), due__gt=OuterRef("dose__due"))
        .order_by("due")
        .values("due")[:1]
    )
    rows = (
        Injection.objects.recorded()
        .filter(patient=patient, dose__phase__kind=PhaseKind.MAINTENANCE)
        .annotate(next_due=Subquery(next_due))
        .order_by("-given_on")
        .values_list("given_on", "dose__phase__unit", "dose__phase__every", "next_due")
    )[: CYCLES_COUNTED + 1]
    return [
        MaintenanceInjection(given_on=day, interval_days=interval_days(day, unit, every, nxt))
        for day, unit, every, nxt in reversed(rows)
    ]


def day_scores(patient: User, since: date) -> list[DayScore]:
    names = [name for name, _ in SYMPTOMS]
    rows = (
        CheckIn.objects.filter(patient=patient, on__gte=since).order_by("on").values("on", *names)
    )
    return [
        DayScore(on=row["on"], total=sum(row[name] for name in names), tingling=row["tingling"])
        for row in rows
    ]


def patient_cycles(patient: User) -> list[Cycle]:
    """Two queries, even with no maintenance injection yet: pages pin their query counts."""
    injections = maintenance_injections(patient)
    since = injections[0].given_on if injections else date.max
    return build_cycles(injections, day_scores(patient, since))


def return_summary(patient: User) -> ReturnSummary:
    """When symptoms come back in the patient's recent maintenance cycles (two queries)."""
    return summarise(patient_cycles(patient))


def tingling_worse(patient: User) -> bool:
    """Whether pins and needles are new or worse now (two queries)."""
    return tingling_new_or_worse(patient_cycles(patient))


# --- The chart: total score against days since the injection, one line per cycle.

CHART_WIDTH = 600
CHART_HEIGHT = 260
_LEFT, _RIGHT, _TOP, _BOTTOM = 40, 12, 12, 36
# Colours told apart by most colour-blind readers (Okabe-Ito); the table carries the figures.
_COLOURS = ("#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#000000")
_TOTAL_MAX = 21  # seven symptoms, each 0 to 3


@dataclass(frozen=True)
class ChartDot:
    x: float
    y: float
    day: int
    total: int


@dataclass(frozen=True)
class ChartLine:
    cycle: Cycle
    colour: str
    points: str  # an SVG polyline's points
    dots: tuple[ChartDot, ...]
    newest: bool


@dataclass(frozen=True)
class SymptomChart:
    width: int
    height: int
    lines: tuple[ChartLine, ...]
    x_ticks: tuple[tuple[float, int], ...]
    y_ticks: tuple[tuple[float, int], ...]
    interval_x: float | None  # where the prescribed interval ends
    plot_left: int
    plot_right: int
    plot_top: int
    plot_bottom: int


def chart_of(summary: ReturnSummary) -> SymptomChart | None:
    """The counted cycles and the running one (newest first), or None with no check-ins."""
    running = [c for c in summary.cycles[:1] if not c.complete]
    shown = [c for c in (*running, *summary.counted) if c.days]
    if not shown:
        return None
    last_day = max(
        [summary.interval_days or 0] + [c.day_of(s) for c in shown for s in c.days] + [28]
    )
    span = CHART_WIDTH - _LEFT - _RIGHT
    height = CHART_HEIGHT - _TOP - _BOTTOM

    def x(day: int) -> float:
        return round(_LEFT + span * day / last_day, 1)

    def y(total: int) -> float:
        return round(_TOP + height * (1 - total / _TOTAL_MAX), 1)

    lines = []
    for index, cycle in enumerate(shown):
        dots = tuple(
            ChartDot(x=x(cycle.day_of(s)), y=y(s.total), day=cycle.day_of(s), total=s.total)
            for s in cycle.days
        )
        lines.append(
            ChartLine(
                cycle=cycle,
                colour=_COLOURS[index % len(_COLOURS)],
                points=" ".join(f"{d.x},{d.y}" for d in dots),
                dots=dots,
                newest=index == 0,
            )
        )
    step = 7 if last_day <= 70 else 14
    return SymptomChart(
        width=CHART_WIDTH,
        height=CHART_HEIGHT,
        lines=tuple(reversed(lines)),  # the newest drawn last, on top
        x_ticks=tuple((x(day), day) for day in range(0, last_day + 1, step)),
        y_ticks=tuple((y(total), total) for total in range(0, _TOTAL_MAX + 1, 3)),
        interval_x=x(summary.interval_days) if summary.interval_days else None,
        plot_left=_LEFT,
        plot_right=CHART_WIDTH - _RIGHT,
        plot_top=_TOP,
        plot_bottom=CHART_HEIGHT - _BOTTOM,
    )
