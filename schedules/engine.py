"""Pure-Python schedule engine: phases + given injections + today -> dated doses with statuses.

Owns cadences, windows, anchoring and re-anchoring, injection matching and too-soon checks.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import pairwise
from typing import Literal, Protocol, TypeGuard

from dateutil.relativedelta import relativedelta

Unit = Literal["day", "week", "month", "weekday"]
BoundKind = Literal["count", "duration", "open", "ongoing"]
PhaseKind = Literal["repletion", "consolidation", "maintenance"]
Status = Literal["taken", "missed", "due", "scheduled"]

UNITS: tuple[str, ...] = ("day", "week", "month", "weekday")
BOUNDS: tuple[str, ...] = ("count", "duration", "open", "ongoing")
PHASE_KINDS: tuple[str, ...] = ("repletion", "consolidation", "maintenance")
WEEKDAY_NAMES: tuple[str, ...] = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

# A safety net, not a policy: a lifelong daily plan over a century is ~36,500 doses.
MAX_DOSES = 100_000

_APPROX_UNIT_DAYS = {"day": 1, "week": 7, "month": 30}
# The shortest a unit can be; a grace this long would let a window reach the previous dose.
_MIN_UNIT_DAYS = {"day": 1, "week": 7, "month": 28}
_ONE_DAY = timedelta(days=1)


class EngineError(ValueError):
    """The phases cannot be planned (invalid phase list, or a runaway plan)."""


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


@dataclass(frozen=True)
class PhaseSpec:
    kind: PhaseKind
    cadence: Cadence
    dose_mcg: int
    bound: BoundKind
    count: int | None = None
    duration_days: int | None = None
    grace_days: int | None = None  # None = default grace from the cadence
    # An open phase ends when a clinician closes it; any other phase can be cut short the same
    # way when a schedule changes (its doses after this date go, the next phase takes over).
    closed_on: date | None = None

    def grace(self) -> int:
        return self.cadence.default_grace() if self.grace_days is None else self.grace_days


@dataclass(frozen=True)
class Given:
    """A confirmed, non-voided, non-extra injection."""

    id: object
    given_on: date


@dataclass(frozen=True)
class PlannedDose:
    phase_index: int
    sequence: int  # 1-based within its phase
    due: date
    earliest: date
    latest: date
    dose_mcg: int
    status: Status
    injection_id: object | None
    given_on: date | None


@dataclass(frozen=True)
class Plan:
    doses: tuple[PlannedDose, ...]
    extra: tuple[Given, ...]

    def next_dose(self) -> PlannedDose | None:
        return next((dose for dose in self.doses if dose.status in ("due", "scheduled")), None)


def status_on(*, earliest: date, latest: date, given_on: date | None, today: date) -> Status:
    """The one place a dose's status is derived from its window and today."""
    if given_on is not None:
        return "taken"
    if today > latest:
        return "missed"
    return "due" if today >= earliest else "scheduled"


def is_too_soon(*, previous: date | None, candidate: date, cadence: Cadence) -> bool:
    """True when two injections are closer than half an interval (and always on the same day).

    The distance is taken either way round, so back-logging an injection just before an
    existing one is caught as well.
    """
    if previous is None:
        return False
    threshold = max(1.0, cadence.approx_days() / 2)
    return abs((candidate - previous).days) < threshold


# --- validation ---------------------------------------------------------------------------


def is_unit(value: str) -> TypeGuard[Unit]:
    """Whether a stored or submitted string names a cadence unit."""
    return value in UNITS


def is_bound(value: str) -> TypeGuard[BoundKind]:
    return value in BOUNDS


def is_phase_kind(value: str) -> TypeGuard[PhaseKind]:
    return value in PHASE_KINDS


def validate_phases(phases: Sequence[PhaseSpec]) -> list[str]:
    """Human-readable problems with a phase list; empty when the engine can plan it."""
    if not phases:
        return ["A schedule needs at least one phase."]
    messages: list[str] = []
    for number, phase in enumerate(phases, start=1):
        messages += [f"Phase {number}: {problem}" for problem in _phase_problems(phase)]
    return messages + _ordering_problems(phases)


def _phase_problems(phase: PhaseSpec) -> list[str]:
    problems = []
    if phase.kind not in PHASE_KINDS:
        problems.append(f"unknown phase kind {phase.kind!r}.")
    if phase.dose_mcg < 1:
        problems.append("the dose must be at least 1 mcg.")
    cadence_problems = _cadence_problems(phase.cadence)
    if not cadence_problems:
        # Grace limits depend on the interval, which only makes sense for a sound cadence.
        cadence_problems = _grace_problems(phase)
    return problems + cadence_problems + _bound_problems(phase)


def _cadence_problems(cadence: Cadence) -> list[str]:
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


def _grace_problems(phase: PhaseSpec) -> list[str]:
    grace = phase.grace_days
    if grace is None:
        return []
    if grace < 0:
        return ["the grace period cannot be negative."]
    shortest = _shortest_interval_days(phase.cadence)
    if grace >= shortest:
        # Otherwise an early injection could pull the next dose back onto an earlier date.
        return [f"the grace period must be shorter than the interval ({shortest} days)."]
    return []


def _shortest_interval_days(cadence: Cadence) -> int:
    if cadence.unit == "weekday":
        return 7  # the floor on windows keeps overlapping weekday graces harmless; cap at a week
    return cadence.every * _MIN_UNIT_DAYS[cadence.unit]


def _bound_problems(phase: PhaseSpec) -> list[str]:
    problems = []
    if phase.bound not in BOUNDS:
        problems.append(f"unknown bound {phase.bound!r}.")
    if phase.bound == "count" and (phase.count is None or phase.count < 1):
        problems.append("a counted phase needs a count of at least 1.")
    if phase.bound != "count" and phase.count is not None:
        problems.append("only a counted phase takes a count.")
    if phase.bound == "duration" and (phase.duration_days is None or phase.duration_days < 1):
        problems.append("a phase bound by duration needs at least 1 day.")
    if phase.bound != "duration" and phase.duration_days is not None:
        problems.append("only a phase bound by duration takes a duration.")
    return problems


def _ordering_problems(phases: Sequence[PhaseSpec]) -> list[str]:
    problems = []
    last = len(phases)
    still_open: int | None = None  # number of an earlier open phase nobody has closed yet
    last_close: tuple[int, date] | None = None
    for number, phase in enumerate(phases, start=1):
        if phase.bound == "ongoing" and number != last and phase.closed_on is None:
            problems.append(f"Phase {number}: an ongoing phase must be the last phase.")
        if phase.bound != "open":
            continue
        if phase.closed_on is None:
            still_open = still_open or number
            continue
        if still_open is not None:
            problems.append(
                f"Phase {number}: it is closed but the earlier phase {still_open} is still open."
            )
        if last_close is not None and phase.closed_on < last_close[1]:
            problems.append(f"Phase {number}: it closes before phase {last_close[0]} does.")
        last_close = (number, phase.closed_on)
    return problems


# --- planning -----------------------------------------------------------------------------


def plan(
    phases: Sequence[PhaseSpec],
    *,
    start: date,
    given: Iterable[Given],
    today: date,
    until: date,
) -> Plan:
    """Lay out every dose from `start`, match `given` to them and rate each on `today`.

    Counted and duration-bound phases are laid out whole; open and ongoing phases stop at
    `until`. An open phase nobody has closed is the last thing planned.
    """
    problems = validate_phases(phases)
    if problems:
        raise EngineError("; ".join(problems))
    ledger = _Ledger(_Matcher(given), today)
    for index, phase in enumerate(phases):
        stepper = _stepper_for(phase.cadence, start, ledger.previous())
        _plan_phase(index, phase, stepper, ledger, until)
        if phase.bound == "open" and phase.closed_on is None:
            break  # what follows depends on when a clinician closes this phase
    return Plan(doses=tuple(ledger.doses), extra=ledger.matcher.finish())


class _Matcher:
    """Hands out injections in date order with a single forward pointer: linear overall.

    This relies on each dose's window opening after the previous dose's (the ledger makes
    sure of it), so an injection skipped once can never be wanted later: it is extra.
    """

    def __init__(self, given: Iterable[Given]) -> None:
        self._queue = _in_date_order(given)
        self._next = 0
        self._extra: list[Given] = []

    def take(self, earliest: date, latest: date) -> Given | None:
        queue, position = self._queue, self._next
        while position < len(queue) and queue[position].given_on < earliest:
            self._extra.append(queue[position])
            position += 1
        taken = None
        if position < len(queue) and queue[position].given_on <= latest:
            taken = queue[position]
            position += 1
        self._next = position
        return taken

    def finish(self) -> tuple[Given, ...]:
        return (*self._extra, *self._queue[self._next :])


def _in_date_order(given: Iterable[Given]) -> list[Given]:
    # Same-day injections are tie-broken by id so the caller's ordering never shows through.
    items = list(given)
    try:
        return sorted(items, key=lambda injection: (injection.given_on, injection.id))
    except TypeError:  # ids that do not compare with each other (mixed types, None)
        return sorted(items, key=lambda injection: (injection.given_on, repr(injection.id)))


class _Ledger:
    """The doses planned so far, the matcher and today: turns a due date into a dose."""

    def __init__(self, matcher: _Matcher, today: date) -> None:
        self.matcher = matcher
        self.today = today
        self.doses: list[PlannedDose] = []

    def previous(self) -> PlannedDose | None:
        return self.doses[-1] if self.doses else None

    def add(self, index: int, sequence: int, due: date, phase: PhaseSpec) -> PlannedDose:
        if len(self.doses) >= MAX_DOSES:
            raise EngineError(f"More than {MAX_DOSES} doses planned; refusing a runaway plan.")
        previous = self.previous()
        floor = _handover_date(previous) if previous else None
        earliest, latest = _window(due, phase.cadence, phase.grace(), floor)
        injection = self.matcher.take(earliest, latest)
        given_on = injection.given_on if injection else None
        dose = PlannedDose(
            phase_index=index,
            sequence=sequence,
            due=due,
            earliest=earliest,
            latest=latest,
            dose_mcg=phase.dose_mcg,
            status=status_on(earliest=earliest, latest=latest, given_on=given_on, today=self.today),
            injection_id=injection.id if injection else None,
            given_on=given_on,
        )
        self.doses.append(dose)
        return dose


def _window(due: date, cadence: Cadence, grace: int, previous: date | None) -> tuple[date, date]:
    earliest = due - timedelta(days=grace)
    if previous is not None and earliest <= previous:
        # A window never reaches back to the previous dose: a second injection that day is a
        # double dose, not the next one. Otherwise this only matters for overlapping graces.
        earliest = previous + _ONE_DAY
    top = due
    if cadence.every_max is not None:
        top = _shift(due, cadence.unit, cadence.every_max - cadence.every)
    return earliest, top + timedelta(days=grace)


def _plan_phase(
    index: int, phase: PhaseSpec, stepper: _Stepper, ledger: _Ledger, until: date
) -> None:
    kept = 0  # doses that are not missed: what a counted phase counts
    last_due: date | None = None  # inclusive end of the phase once its first due is known
    sequence = 0
    while not (phase.bound == "count" and kept == phase.count):
        due = stepper.due()
        if last_due is None:
            last_due = _last_due(phase, due, until)
        if last_due is not None and due > last_due:
            return
        sequence += 1
        dose = ledger.add(index, sequence, due, phase)
        kept += dose.status != "missed"
        stepper.advance(dose.due, dose.given_on)


def _last_due(phase: PhaseSpec, first_due: date, until: date) -> date | None:
    """The last date a dose of this phase may fall on; None for a counted phase not cut short."""
    if phase.bound == "duration":
        # "Doses dated before first dose + duration", so the last allowed day is one earlier.
        last = first_due + timedelta(days=(phase.duration_days or 1) - 1)
    elif phase.bound == "count":
        last = None
    elif phase.closed_on is not None:
        return phase.closed_on
    else:
        last = until
    if phase.closed_on is not None:
        return phase.closed_on if last is None else min(last, phase.closed_on)
    return last


class _Stepper(Protocol):
    def due(self) -> date: ...

    def advance(self, due: date, given_on: date | None) -> None: ...


class _GridStepper:
    """Day, week and month cadences: due = anchor + k·interval, months clamped per k."""

    def __init__(self, cadence: Cadence, anchor: date, k: int) -> None:
        self.unit = cadence.unit
        self.every = cadence.every
        self.anchor = anchor
        self.k = k

    def due(self) -> date:
        # Always from the anchor, never chained: Jan 31 -> Feb 28 -> Mar 31, not Mar 28.
        return _shift(self.anchor, self.unit, self.k * self.every)

    def advance(self, due: date, given_on: date | None) -> None:
        if given_on is not None and given_on != due:
            self.anchor, self.k = given_on, 1  # given off its date: the rest follows it
        else:
            self.k += 1  # on time or missed: the grid stays where it was


class _WeekdayStepper:
    """Listed weekdays: each dose is the next listed weekday after the previous one."""

    def __init__(self, weekdays: tuple[int, ...], after: date, inclusive: bool) -> None:
        self.weekdays = frozenset(weekdays)
        self.after = after
        self.inclusive = inclusive

    def due(self) -> date:
        day = self.after if self.inclusive else self.after + _ONE_DAY
        while day.weekday() not in self.weekdays:
            day += _ONE_DAY
        return day

    def advance(self, due: date, given_on: date | None) -> None:
        # Counting from the later of the two keeps an early injection (Tue for Wed) from
        # putting the next dose back on the Wednesday it already covered.
        self.after = max(due, given_on) if given_on else due
        self.inclusive = False


def _stepper_for(cadence: Cadence, start: date, previous: PlannedDose | None) -> _Stepper:
    """The first phase starts on `start`; a later one one interval after the previous dose."""
    if previous is None:
        if cadence.unit == "weekday":
            return _WeekdayStepper(cadence.weekdays, start, inclusive=True)
        return _GridStepper(cadence, start, k=0)
    if cadence.unit == "weekday":
        # As within a phase, count from the later of injection and due date.
        after = max(previous.due, _handover_date(previous))
        return _WeekdayStepper(cadence.weekdays, after, inclusive=False)
    stepper = _GridStepper(cadence, _handover_date(previous), k=1)
    # Only when the previous dose was given early by more than this phase's interval (say a
    # monthly dose a week early, then daily): skip grid days that dose already covered.
    while stepper.due() <= previous.due:
        stepper.k += 1
    return stepper


def _handover_date(previous: PlannedDose) -> date:
    """Where the next dose counts from: the injection date if given, else the due date."""
    return previous.given_on or previous.due


def _shift(anchor: date, unit: str, amount: int) -> date:
    if unit == "month":
        return anchor + relativedelta(months=amount)
    if unit == "week":
        return anchor + timedelta(weeks=amount)
    return anchor + timedelta(days=amount)
