"""Where a new prescription starts: the schedule's phases, the start date's limits and, for a
patient who joins part-way, the phases from their last injection and the past dates they had.

The wizard's preview and saving both plan from `prescription_plan_input`, so they agree.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import date, timedelta

from django.core.exceptions import ValidationError

from schedules import engine, regimens, units
from schedules.models import JoinStage

MAX_PAST_START = timedelta(days=3653)
MAX_FUTURE_START = timedelta(days=366)


def start_date_problems(start_date: date, today: date) -> list[str]:
    """What is wrong with a start date; the wizard's preview and saving both ask this."""
    if start_date < today - MAX_PAST_START:
        return ["That start date is more than ten years ago. Check the year."]
    if start_date > today + MAX_FUTURE_START:
        return ["That start date is more than a year ahead. Check the year."]
    return []


def check_start(start_date: date, today: date, field: str = "start_date") -> None:
    if problems := start_date_problems(start_date, today):
        raise ValidationError({field: problems})


def phases_for(
    *, regimen_slug: str | None, phases: list[engine.PhaseSpec] | None, dose_mcg: int
) -> tuple[list[engine.PhaseSpec], str]:
    if regimen_slug:
        try:
            regimen = regimens.get(regimen_slug)
        except KeyError:
            raise ValidationError({"regimen_slug": "Pick one of the listed regimens."}) from None
        specs = [replace(spec, dose_mcg=dose_mcg) for spec in regimen.phases]
        return specs, regimen.name
    if not phases:
        raise ValidationError({"regimen_slug": "Pick a regimen or describe the phases."})
    return list(phases), "Custom regimen"


def validate_specs(specs: list[engine.PhaseSpec]) -> None:
    problems = engine.validate_phases(specs)
    for spec in specs:
        problems += units.dose_problems(spec.dose_mcg)
    if problems:
        raise ValidationError({"phases": problems})


@dataclass(frozen=True)
class Joining:
    """Where a patient who joins part-way is in the course
    (docs/schedule-semantics.md#joining-part-way)."""

    stage: str  # JoinStage.LOADING or JoinStage.MAINTENANCE
    last_given: date
    loading_had: int = 0  # loading injections had so far, the last one included
    every_months: int | None = None  # a maintenance interval of their own, if they gave one


@dataclass(frozen=True)
class PlanInput:
    """What the engine plans from, as the wizard's preview and saving both work it out."""

    specs: list[engine.PhaseSpec]
    name: str
    start: date
    given: list[date]  # back-filled: the last injection of a joiner, then the ticked dates
    before_joining: int = 0


def _joined_specs(
    specs: list[engine.PhaseSpec], joining: Joining
) -> tuple[list[engine.PhaseSpec], int]:
    """The phases from where the patient is, and the injections they had before the start."""
    if joining.stage == JoinStage.MAINTENANCE:
        last = specs[-1]
        if joining.every_months:
            cadence = engine.Cadence("month", joining.every_months)
            last = replace(last, cadence=cadence, grace_days=None)
        return [last], 0
    first = specs[0]
    if len(specs) < 2 or first.kind == "maintenance":
        raise ValidationError(
            {"stage": "This schedule has no loading injections: choose “on maintenance”."}
        )
    if first.bound != "count":
        # Open or timed loading simply carries on from the last injection.
        return specs, max(joining.loading_had - 1, 0)
    count = first.count or 1
    if joining.loading_had > count:
        raise ValidationError(
            {
                "loading_had": f"This schedule has {count} loading injections. If you have "
                "had them all, choose “on maintenance”."
            }
        )
    # The last one had is the first dose of the plan, so the course still delivers its count.
    rest = replace(first, count=count - joining.loading_had + 1)
    return [rest, *specs[1:]], joining.loading_had - 1


def prescription_plan_input(
    *,
    regimen_slug: str | None,
    phases: list[engine.PhaseSpec] | None,
    dose_mcg: int,
    start_date: date | None,
    today: date,
    joining: Joining | None = None,
    past_taken: Collection[date] = (),
) -> PlanInput:
    """Check the schedule and where the patient is in it; raises ValidationError by field."""
    specs, name = phases_for(regimen_slug=regimen_slug, phases=phases, dose_mcg=dose_mcg)
    before, given = 0, []
    if joining is not None:
        check_start(joining.last_given, today, field="last_given")
        if joining.last_given > today:
            raise ValidationError({"last_given": "That date is in the future."})
        specs, before = _joined_specs(specs, joining)
        start_date, given = joining.last_given, [joining.last_given]
    if start_date is None:
        raise ValidationError({"start_date": "Enter the start date."})
    check_start(start_date, today)
    validate_specs(specs)
    given += sorted(set(past_taken) - set(given))
    _check_ticked(specs, start_date, given, set(past_taken), today)
    return PlanInput(specs=specs, name=name, start=start_date, given=given, before_joining=before)


def _check_ticked(
    specs: list[engine.PhaseSpec], start: date, given: list[date], ticked: set[date], today: date
) -> None:
    """Each date said to be had is a past due date of the plan, and takes that dose."""
    if not ticked:
        return
    rows = [engine.Given(id=i, given_on=day) for i, day in enumerate(given)]
    plan = engine.plan(specs, start=start, given=rows, today=today, until=today)
    taken = {dose.due for dose in plan.doses if dose.given_on == dose.due}
    for day in sorted(ticked):
        if day > today or day not in taken:
            problem = f"{day:%-d %b %Y} is not a past date of this plan. Tick dates from the list."
            raise ValidationError({"taken": problem})
