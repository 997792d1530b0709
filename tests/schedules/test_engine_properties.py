"""Hypothesis properties of the schedule engine over built-in and random phase lists.

Starts run 2000..2100 with a bias to month ends and Feb 29; histories mix on-time, late,
early, same-day and stray injections.
"""

from __future__ import annotations

import calendar
import random
from dataclasses import dataclass, replace
from datetime import date, timedelta
from itertools import pairwise

from dateutil.relativedelta import relativedelta
from hypothesis import given as for_all
from hypothesis import settings
from hypothesis import strategies as st

from schedules import regimens
from schedules.engine import (
    Cadence,
    Given,
    PhaseSpec,
    Plan,
    PlannedDose,
    plan,
    validate_phases,
)

FIRST_YEAR, LAST_YEAR = 2000, 2100


@dataclass(frozen=True)
class Scenario:
    phases: tuple[PhaseSpec, ...]
    start: date
    given: tuple[Given, ...]
    today: date
    until: date

    def run(self, given: tuple[Given, ...] | None = None) -> Plan:
        return plan(
            self.phases,
            start=self.start,
            given=self.given if given is None else given,
            today=self.today,
            until=self.until,
        )


# --- strategies ------------------------------------------------------------------------------


@st.composite
def month_ends(draw: st.DrawFn) -> date:
    year = draw(st.integers(FIRST_YEAR, LAST_YEAR))
    month = draw(st.integers(1, 12))
    last = calendar.monthrange(year, month)[1]
    return date(
        year, month, draw(st.sampled_from(sorted({28, 29, 30, last} & set(range(1, last + 1)))))
    )


@st.composite
def leap_days(draw: st.DrawFn) -> date:
    year = draw(
        st.sampled_from([y for y in range(FIRST_YEAR, LAST_YEAR + 1) if calendar.isleap(y)])
    )
    return date(year, 2, 29)


any_date = st.dates(date(FIRST_YEAR, 1, 1), date(LAST_YEAR, 12, 31))
# Half the starts land on a month end (28th-31st) or Feb 29, where clamping bites.
start_dates = st.one_of(any_date, any_date, month_ends(), leap_days())


@st.composite
def cadences(draw: st.DrawFn) -> Cadence:
    unit = draw(st.sampled_from(["day", "week", "month", "weekday"]))
    if unit == "weekday":
        days = draw(st.sets(st.integers(0, 6), min_size=1, max_size=7))
        return Cadence("weekday", weekdays=tuple(sorted(days)))
    every = draw(st.integers(1, {"day": 30, "week": 6, "month": 4}[unit]))
    every_max = draw(st.none() | st.integers(every + 1, every + 3))
    return Cadence(unit, every, every_max)


def _grace_limit(cadence: Cadence) -> int:
    if cadence.unit == "weekday":
        return 6
    return cadence.every * {"day": 1, "week": 7, "month": 28}[cadence.unit] - 1


@st.composite
def phase_lists(draw: st.DrawFn, start: date) -> tuple[PhaseSpec, ...]:
    size = draw(st.integers(1, 4))
    phases: list[PhaseSpec] = []
    close_after = start - timedelta(days=10)  # closing dates of open phases never go back
    nobody_closed_yet = False
    for position in range(size):
        last = position == size - 1
        cadence = draw(cadences())
        grace = draw(st.none() | st.none() | st.integers(0, _grace_limit(cadence)))
        kind = draw(st.sampled_from(["repletion", "consolidation", "maintenance"]))
        bound = draw(st.sampled_from(["count", "duration", "open"] + (["ongoing"] if last else [])))
        extra: dict[str, object] = {}
        if bound == "count":
            extra["count"] = draw(st.integers(1, 12))
        elif bound == "duration":
            extra["duration_days"] = draw(st.integers(1, 90))
        elif bound == "open" and not nobody_closed_yet and draw(st.booleans()):
            close_after += timedelta(days=draw(st.integers(0, 200)))
            extra["closed_on"] = close_after
        elif bound == "open":
            nobody_closed_yet = True
        dose = draw(st.sampled_from([100, 1000]))
        phases.append(PhaseSpec(kind, cadence, dose, bound, grace_days=grace, **extra))  # type: ignore[arg-type]
    assert validate_phases(phases) == [], phases
    return tuple(phases)


@st.composite
def builtin_phases(draw: st.DrawFn, start: date) -> tuple[PhaseSpec, ...]:
    """A built-in regimen; an open loading phase is sometimes closed by a clinician."""
    phases = draw(st.sampled_from([regimen.phases for regimen in regimens.REGIMENS.values()]))
    first = phases[0]
    if first.bound != "open" or draw(st.booleans()):
        return phases
    closed_on = start + timedelta(days=draw(st.integers(-3, 120)))
    return (replace(first, closed_on=closed_on), *phases[1:])


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    start = draw(start_dates)
    phases = draw(builtin_phases(start) | phase_lists(start))
    today = start + timedelta(days=draw(st.integers(-10, 3 * 365)))
    until = today + timedelta(days=draw(st.integers(0, 400)))
    days = draw(_near_due_days(phases, start, today)) + draw(_stray_days(start, today))
    given = _ids([day for day in days if start <= day <= today])
    return Scenario(phases, start, given, today, until)


def _near_due_days(phases: tuple[PhaseSpec, ...], start: date, today: date) -> st.SearchStrategy:
    """Days on, near and off the baseline dues: on time, late, early and the odd double dose."""
    if today < start:
        return st.just([])
    # Planned "as of the start" so counted phases do not stretch over the missed doses.
    baseline = plan(phases, start=start, given=[], today=start, until=today)
    dues = [dose.due for dose in baseline.doses if dose.due <= today][:400]
    if not dues:
        return st.just([])
    jitter = st.sampled_from([0, 0, 0, 0, 0, -1, 1, 2, -3, 5, 9, "skip", "double"])
    return st.lists(jitter, min_size=len(dues), max_size=len(dues)).map(
        lambda moves: _apply_jitter(dues, moves)
    )


def _apply_jitter(dues: list[date], moves: list[object]) -> list[date]:
    days: list[date] = []
    for due, move in zip(dues, moves, strict=True):
        if move == "skip":
            continue
        days += [due, due] if move == "double" else [due + timedelta(days=int(move))]  # type: ignore[call-overload]
    return days


def _stray_days(start: date, today: date) -> st.SearchStrategy:
    if today < start:
        return st.just([])
    return st.lists(st.dates(start, today), max_size=6)


def _ids(days: list[date]) -> tuple[Given, ...]:
    return tuple(Given(id=number, given_on=day) for number, day in enumerate(days))


# --- helpers ---------------------------------------------------------------------------------


def _by_phase(result: Plan) -> dict[int, list[PlannedDose]]:
    phases: dict[int, list[PlannedDose]] = {}
    for dose in result.doses:
        phases.setdefault(dose.phase_index, []).append(dose)
    return phases


def _effective(dose: PlannedDose) -> date:
    return dose.given_on or dose.due


def _month_index(day: date) -> int:
    return day.year * 12 + day.month


def _planned_phase_indexes(phases: tuple[PhaseSpec, ...]) -> range:
    for index, phase in enumerate(phases):
        if phase.bound == "open" and phase.closed_on is None:
            return range(index + 1)
    return range(len(phases))


# --- properties ------------------------------------------------------------------------------


@settings(max_examples=1000, deadline=None)
@for_all(scenarios())
def test_due_dates_strictly_increase(scenario: Scenario) -> None:
    dues = [dose.due for dose in scenario.run().doses]

    assert all(earlier < later for earlier, later in pairwise(dues))


@settings(max_examples=1000, deadline=None)
@for_all(scenarios())
def test_no_two_doses_share_a_date(scenario: Scenario) -> None:
    doses = scenario.run().doses
    given_days = [dose.given_on for dose in doses if dose.given_on is not None]

    assert len({dose.due for dose in doses}) == len(doses)
    assert len(set(given_days)) == len(given_days)


@settings(max_examples=1000, deadline=None)
@for_all(scenarios())
def test_each_window_contains_its_due_date_and_its_injection(scenario: Scenario) -> None:
    for dose in scenario.run().doses:
        assert dose.earliest <= dose.due <= dose.latest
        if dose.given_on is not None:
            assert dose.earliest <= dose.given_on <= dose.latest


@settings(max_examples=1000, deadline=None)
@for_all(scenarios())
def test_counted_phase_ends_with_exactly_its_count_of_non_missed_doses(
    scenario: Scenario,
) -> None:
    by_phase = _by_phase(scenario.run())
    for index in _planned_phase_indexes(scenario.phases):
        phase = scenario.phases[index]
        if phase.bound != "count":
            continue
        doses = by_phase.get(index, [])
        assert sum(dose.status != "missed" for dose in doses) == phase.count
        assert doses[-1].status != "missed"  # a miss at the end would have earned a make-up
        assert [dose.sequence for dose in doses] == list(range(1, len(doses) + 1))


@settings(max_examples=1000, deadline=None)
@for_all(scenarios())
def test_monthly_doses_never_skip_a_calendar_month(scenario: Scenario) -> None:
    previous: PlannedDose | None = None
    anchor, k = scenario.start, 0
    for dose in scenario.run().doses:
        cadence = scenario.phases[dose.phase_index].cadence
        if dose.sequence == 1:
            anchor, k = _phase_anchor(previous, scenario.start, cadence)
        if cadence.unit == "month":
            # Counted from the anchor every time: clamping at a month end is never chained.
            assert dose.due == anchor + relativedelta(months=k * cadence.every)
            if previous is not None and dose.sequence > 1:
                months_on = _month_index(dose.due) - _month_index(_effective(previous))
                assert months_on == cadence.every
        if dose.given_on is not None and dose.given_on != dose.due:
            anchor, k = dose.given_on, 1
        else:
            k += 1
        previous = dose


def _phase_anchor(previous: PlannedDose | None, start: date, cadence: Cadence) -> tuple[date, int]:
    """First phase: the start, k=0. Later: the previous dose, k=1, past its due date."""
    if previous is None:
        return start, 0
    k = 1
    if cadence.unit == "month":
        while _effective(previous) + relativedelta(months=k * cadence.every) <= previous.due:
            k += 1
    return _effective(previous), k


@settings(max_examples=1000, deadline=None)
@for_all(scenarios(), st.randoms(use_true_random=False))
def test_plan_is_a_pure_function_of_its_inputs(scenario: Scenario, rng: random.Random) -> None:
    shuffled = list(scenario.given)
    rng.shuffle(shuffled)

    first = scenario.run()
    assert scenario.run() == first
    assert scenario.run(tuple(shuffled)) == first


@settings(max_examples=1000, deadline=None)
@for_all(scenarios())
def test_every_injection_is_used_once_or_listed_as_extra(scenario: Scenario) -> None:
    result = scenario.run()
    used = [dose.injection_id for dose in result.doses if dose.injection_id is not None]
    extra = [injection.id for injection in result.extra]

    assert len(used) == len(set(used))
    assert set(used).isdisjoint(extra)
    assert sorted(used + extra) == sorted(injection.id for injection in scenario.given)
    dates = {injection.id: injection.given_on for injection in scenario.given}
    assert all(dates[dose.injection_id] == dose.given_on for dose in result.doses if dose.given_on)


@settings(max_examples=1000, deadline=None)
@for_all(scenarios())
def test_status_follows_the_window_and_today(scenario: Scenario) -> None:
    result = scenario.run()
    for dose in result.doses:
        if dose.given_on is not None:
            assert dose.status == "taken"
        elif scenario.today > dose.latest:
            assert dose.status == "missed"
        else:
            assert dose.status == ("due" if scenario.today >= dose.earliest else "scheduled")
    upcoming = [dose for dose in result.doses if dose.status in ("due", "scheduled")]
    assert result.next_dose() == (upcoming[0] if upcoming else None)
