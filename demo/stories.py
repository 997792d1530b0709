"""Demo stories: a regimen, a habit and the days injections were given, simulated by the engine.

Owns the habits (steady, patchy, struggling, stopped) and the story for each patient number.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from accounts.models import User
from core.clock import local_today
from schedules import engine, regimens

MAX_PASSES = 5000


@dataclass(frozen=True)
class Habit:
    """How one demo patient keeps to the schedule."""

    name: str
    miss: float
    late: float
    stopped_days: int = 0  # stopped logging this many days ago (0: still logging)


def habit_for(rng: random.Random) -> Habit:
    roll = rng.random()
    if roll < 0.55:
        return Habit("steady", miss=0.02, late=0.08)
    if roll < 0.75:
        return Habit("patchy", miss=0.10, late=0.20)
    if roll < 0.85:
        return Habit("struggling", miss=0.30, late=0.25)
    return Habit("stopped", miss=0.03, late=0.10, stopped_days=rng.randint(20, 80))


@dataclass(frozen=True)
class Story:
    """Everything one demo history needs: the schedule, and the days injections were given."""

    slug: str
    phases: tuple[engine.PhaseSpec, ...]
    start: date
    today: date
    habit: Habit
    given: tuple[date, ...]
    confirmed: bool
    given_by: str


def _phases(
    slug: str, start: date, today: date, rng: random.Random
) -> tuple[engine.PhaseSpec, ...]:
    """The regimen's phases; an open-ended loading phase is usually ended by a clinician
    after 2 to 6 weeks, but stays open for some recent starters (so reviews come due)."""
    phases = list(regimens.get(slug).phases)
    for index, phase in enumerate(phases):
        if phase.bound != "open":
            continue
        close_after = rng.randint(14, 42)
        if (today - start).days > 75 or (
            rng.random() < 0.5 and start + timedelta(close_after) < today
        ):
            phases[index] = replace(phase, closed_on=start + timedelta(days=close_after))
    return tuple(phases)


def simulate(
    phases: Sequence[engine.PhaseSpec],
    *,
    start: date,
    today: date,
    habit: Habit,
    rng: random.Random,
) -> list[date]:
    """The days injections were given. One dose at a time in date order: on time (which
    moves nothing, so the same plan still holds), late within the window (re-anchors) or
    missed (extends a counted phase); the plan is redone only after a late or missed dose.

    A plan made before the earlier doses were decided treats them as missed, so it may hold
    a dose a counted phase does not really have; an injection given for it turns up as
    extra in the next plan and is taken back."""
    stop = today - timedelta(days=habit.stopped_days) if habit.stopped_days else today
    given: list[date] = []
    skipped: set[date] = set()
    for _ in range(MAX_PASSES):
        plan = engine.plan(
            phases,
            start=start,
            given=[engine.Given(n, day) for n, day in enumerate(given)],
            today=today,
            until=today + timedelta(days=1),
        )
        ghosts = {extra.id for extra in plan.extra}
        if ghosts:
            given = [day for n, day in enumerate(given) if n not in ghosts]
            continue
        if not _decide(plan, given, skipped, stop=stop, habit=habit, rng=rng):
            return given
    raise RuntimeError("demo history did not settle")


def _decide(
    plan: engine.Plan,
    given: list[date],
    skipped: set[date],
    *,
    stop: date,
    habit: Habit,
    rng: random.Random,
) -> bool:
    """Decide the undecided past doses of this plan, up to the first late or missed one.
    False when there was nothing left to decide."""
    decided = False
    for dose in plan.doses:
        if dose.given_on is not None or dose.due in skipped:
            continue
        if dose.due >= stop:
            break
        decided = True
        roll = rng.random()
        if roll < habit.miss:
            skipped.add(dose.due)
            return True
        room = min((dose.latest - dose.due).days, (stop - dose.due).days - 1, 3)
        if roll < habit.miss + habit.late and room >= 1:
            given.append(dose.due + timedelta(days=rng.randint(1, room)))
            return True
        given.append(dose.due)
    return decided


def story_for(
    patient: User, number: int, *, history_days: int | None = None, now: datetime | None = None
) -> Story:
    rng = random.Random(number)  # the same patient number always gets the same history
    today = local_today(patient, now=now)
    slugs = list(regimens.REGIMENS)
    slug = slugs[(number - 1) % len(slugs)]
    if history_days is not None:
        days = history_days
    elif rng.random() < 0.15:
        days = rng.randint(8, 60)  # recent starters, still loading
    else:
        days = rng.randint(61, 730)
    start = today - timedelta(days=days)
    habit = habit_for(rng)
    if habit.stopped_days and days < 120:
        habit = Habit("patchy", miss=0.10, late=0.20)  # stopping needs a history to stop in
    phases = _phases(slug, start, today, rng)
    given = simulate(phases, start=start, today=today, habit=habit, rng=rng)
    return Story(
        slug=slug,
        phases=phases,
        start=start,
        today=today,
        habit=habit,
        given=tuple(given),
        confirmed=rng.random() < 0.6,
        given_by="nurse" if rng.random() < 0.2 else "self",
    )
