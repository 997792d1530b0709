"""Phases of the schedule engine: phase specs, given injections, planned doses and plans.

Owns dose statuses and the validation that a phase list can be planned.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal, TypeGuard

from .cadence import Cadence, cadence_problems, shortest_interval_days

BoundKind = Literal["count", "duration", "open", "ongoing"]
PhaseKind = Literal["repletion", "consolidation", "maintenance"]
Status = Literal["taken", "missed", "due", "scheduled"]

BOUNDS: tuple[str, ...] = ("count", "duration", "open", "ongoing")
PHASE_KINDS: tuple[str, ...] = ("repletion", "consolidation", "maintenance")


class EngineError(ValueError):
    """The phases cannot be planned (invalid phase list, or a runaway plan)."""


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
    # A phase that takes over part-way (a new maintenance interval) never starts in the past:
    # when the handover lands before this date, the first dose is on it and anchors there.
    not_before: date | None = None

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


# --- validation ---------------------------------------------------------------------------


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
    found = cadence_problems(phase.cadence)
    if not found:
        # Grace limits depend on the interval, which only makes sense for a sound cadence.
        found = _grace_problems(phase)
    return problems + found + _bound_problems(phase)


def _grace_problems(phase: PhaseSpec) -> list[str]:
    grace = phase.grace_days
    if grace is None:
        return []
    if grace < 0:
        return ["the grace period cannot be negative."]
    shortest = shortest_interval_days(phase.cadence)
    if grace >= shortest:
        # Otherwise an early injection could pull the next dose back onto an earlier date.
        return [f"the grace period must be shorter than the interval ({shortest} days)."]
    return []


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
