"""Planning in the schedule engine: phases + given injections + today -> dated doses.

Owns anchoring and re-anchoring, dose windows, injection matching and the runaway limit.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import Protocol

from .cadence import Cadence, shift
from .phases import EngineError, Given, PhaseSpec, Plan, PlannedDose, status_on, validate_phases

# A safety net, not a policy: a lifelong daily plan over a century is ~36,500 doses.
MAX_DOSES = 100_000

_ONE_DAY = timedelta(days=1)


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
    try:
        return _lay_out(phases, start=start, given=given, today=today, until=until)
    except EngineError:
        raise
    except (OverflowError, ValueError):
        # Date arithmetic left the calendar (years 1 to 9999): a start near either end.
        raise EngineError("The dates of this plan fall outside the calendar.") from None


def _lay_out(
    phases: Sequence[PhaseSpec], *, start: date, given: Iterable[Given], today: date, until: date
) -> Plan:
    ledger = _Ledger(_Matcher(given), today)
    for index, phase in enumerate(phases):
        stepper = _stepper_for(phase.cadence, start, ledger.previous())
        if phase.not_before is not None and stepper.due() < phase.not_before:
            stepper = _stepper_for(phase.cadence, phase.not_before, None)
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
        top = shift(due, cadence.unit, cadence.every_max - cadence.every)
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
        return shift(self.anchor, self.unit, self.k * self.every)

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
