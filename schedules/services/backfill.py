"""Back-fill: entering several past injections at once, all of them or none.

Back-filled injections count and re-anchor like any logged one; being past, they send nothing.
A patient who joined part-way may also enter the injections they had before the start date.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest

from accounts.audit import log_action
from accounts.models import User
from core.clock import local_today
from schedules.choices import GivenBy
from schedules.models import Dose, Injection, JoinStage, Prescription, volume_for

from .injections import injection_problems, planned_dose_on
from .replan import prescription_replan
from .too_soon import too_soon_after

MAX_ROWS = 100
# History from before joining reaches back no further than a start date may.
MAX_HISTORY = timedelta(days=3653)
RowErrors = dict[int, dict[str, list[str]]]


@dataclass(frozen=True)
class BackfillRow:
    given_on: date | None
    site: str = ""
    given_by: str = ""


class BackfillError(ValidationError):
    """Some rows are wrong; `rows` maps each one's position to its errors by field."""

    def __init__(self, rows: RowErrors) -> None:
        count = len(rows)
        super().__init__(
            f"{count} row{'s need' if count != 1 else ' needs'} checking. Nothing was saved."
        )
        self.rows = rows


def backfill_problems(
    *, prescription: Prescription, rows: Sequence[BackfillRow], today: date
) -> RowErrors:
    """What is wrong with each row on its own and beside the others; writes nothing."""
    errors: RowErrors = {}
    seen: set[date] = set()
    for index, row in enumerate(rows):
        problems = _row_problems(prescription, row, today)
        if row.given_on is not None and row.given_on in seen and "given_on" not in problems:
            problems["given_on"] = ["Another row has this date. Enter each injection once."]
        if row.given_on is not None:
            seen.add(row.given_on)
        if problems:
            errors[index] = problems
    return errors


def _row_problems(
    prescription: Prescription, row: BackfillRow, today: date
) -> dict[str, list[str]]:
    if row.given_on is None:
        return {"given_on": ["Enter the date of the injection."]}
    values: dict[str, object] = {"site": row.site, "route": prescription.route}
    before_joining = (
        row.given_on < prescription.start_date and prescription.joined_stage != JoinStage.START
    )
    if not before_joining:
        values["given_on"] = row.given_on
    errors = injection_problems(prescription=prescription, values=values, today=today)
    if before_joining and (problem := _before_joining_problem(prescription, row.given_on, today)):
        errors["given_on"] = [problem]
    if row.given_by and row.given_by not in GivenBy.values:
        errors["given_by"] = ["Pick who gave it from the list, or leave it empty."]
    return errors


def _before_joining_problem(prescription: Prescription, given_on: date, today: date) -> str:
    """History of a patient who joined part-way: before the plan's first window, which their
    last injection before joining took (docs/schedule-semantics.md#joining-part-way)."""
    if given_on < today - MAX_HISTORY:
        return "That date is more than ten years ago. Check the year."
    first = Dose.objects.filter(prescription=prescription).order_by("due").first()
    if first is not None and given_on >= first.earliest:
        return (
            f"That is too close to your last injection before joining "
            f"({prescription.start_date:%-d %b %Y}) to be another one. Check the date."
        )
    return ""


def injections_backfill(
    *,
    prescription: Prescription,
    actor: User,
    rows: Sequence[BackfillRow],
    request: HttpRequest | None = None,
    today: date | None = None,
) -> list[Injection]:
    """Record past injections in one transaction: if any row is wrong, none is written."""
    if not rows:
        raise ValidationError("Enter at least one injection.")
    if len(rows) > MAX_ROWS:
        raise ValidationError(f"Enter at most {MAX_ROWS} injections at a time.")
    today = today or local_today(prescription.patient)
    if errors := backfill_problems(prescription=prescription, rows=rows, today=today):
        raise BackfillError(errors)
    with transaction.atomic():
        locked = Prescription.objects.select_for_update().get(pk=prescription.pk)
        if locked.status != Prescription.Status.ACTIVE:
            raise ValidationError("This prescription was stopped, so nothing can be added to it.")
        made = _store_checked(locked, actor, rows, errors)
        if errors:
            raise BackfillError(errors)  # rolls back the rows stored so far
        prescription_replan(prescription=locked, today=today)
        log_action(
            actor=actor,
            action="injection.backfilled",
            patient=locked.patient,
            obj=locked,
            request=request,
            detail={"count": len(made), "dates": [i.given_on.isoformat() for i in made][:MAX_ROWS]},
        )
    return made


def _store_checked(
    prescription: Prescription, actor: User, rows: Sequence[BackfillRow], errors: RowErrors
) -> list[Injection]:
    """Store the rows in date order, each checked as too soon against those before it."""
    made = []
    for index, row in sorted(enumerate(rows), key=lambda pair: (pair[1].given_on, pair[0])):
        assert row.given_on is not None  # backfill_problems refused rows without a date
        clash = too_soon_after(prescription=prescription, given_on=row.given_on)
        if clash is not None:
            errors[index] = {
                "given_on": [
                    f"Too close to the injection on {clash:%-d %b %Y} to count as a dose. "
                    "Check the date; an extra injection is logged on its own page."
                ]
            }
            continue
        made += store_backfilled(prescription=prescription, actor=actor, rows=[row])
    return made


def store_backfilled(
    *, prescription: Prescription, actor: User, rows: Sequence[BackfillRow]
) -> list[Injection]:
    """Write checked rows as injections (the caller re-plans, in its transaction)."""
    made = []
    for row in rows:
        assert row.given_on is not None
        dose_mcg = planned_dose_on(prescription, row.given_on)
        injection = Injection(
            patient=prescription.patient,
            prescription=prescription,
            given_on=row.given_on,
            dose_mcg=dose_mcg,
            volume_ml=volume_for(dose_mcg, prescription.strength_mcg_per_ml),
            site=row.site,
            route=prescription.route,
            given_by=row.given_by or prescription.given_by,
            logged_by=actor,
        )
        injection.full_clean(validate_constraints=False)
        injection.save()
        made.append(injection)
    return made
