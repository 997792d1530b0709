"""Too soon: an injection closer than half an interval to a neighbouring one.

It needs confirming and is then kept as extra (docs/schedule-semantics.md#too-soon).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from django.core.exceptions import ValidationError

from schedules import engine
from schedules.models import Dose, Injection, Prescription


class TooSoonError(ValidationError):
    """An injection closer than half an interval to another: it needs confirm=True."""


def _neighbours(prescription: Prescription, given_on: date, exclude: Collection[int]) -> list[date]:
    rows = Injection.objects.recorded().filter(prescription=prescription)
    if exclude:
        rows = rows.exclude(pk__in=exclude)
    before = (
        rows.filter(given_on__lte=given_on)
        .order_by("-given_on")
        .values_list("given_on", flat=True)
        .first()
    )
    after = (
        rows.filter(given_on__gt=given_on)
        .order_by("given_on")
        .values_list("given_on", flat=True)
        .first()
    )
    return [day for day in (before, after) if day is not None]


def _cadence_after(prescription: Prescription, day: date) -> engine.Cadence | None:
    """The cadence of the first live dose due after `day`, or failing that of the last dose."""
    doses = Dose.objects.live().filter(prescription=prescription).select_related("phase")
    dose = doses.filter(due__gt=day).order_by("due").first() or doses.order_by("-due").first()
    return dose.phase.cadence() if dose else None


def too_soon_after(
    *,
    prescription: Prescription,
    given_on: date,
    exclude: int | None = None,
    ignore: Collection[int] = (),
) -> date | None:
    """The neighbouring injection that makes `given_on` too soon, if there is one.

    `exclude` (the injection itself) and `ignore` are left out of the comparison.
    """
    others = [*ignore, *([exclude] if exclude else [])]
    for other in _neighbours(prescription, given_on, others):
        cadence = _cadence_after(prescription, min(other, given_on))
        if cadence and engine.is_too_soon(previous=other, candidate=given_on, cadence=cadence):
            return other
    return None


def too_soon_message(other: date, given_on: date) -> str:
    """Why the injection was refused, and how to record it anyway."""
    gap = abs((given_on - other).days)
    when = "the same day" if gap == 0 else f"{gap} day{'s' if gap != 1 else ''} away"
    return (
        f"Another injection is logged on {other:%-d %b %Y} ({when}). That is too "
        "close together to count as your next dose, and doubling up does not help. If you "
        "really had a second injection (for example, your clinician asked for it), confirm "
        "and it is recorded as an extra injection that does not move your schedule."
    )


def too_soon_question(
    *, prescription: Prescription, given_on: date, exclude: int | None = None
) -> str:
    """What an injection on `given_on` would be asked to confirm, "" when it is not too soon.
    Reads only: logging and correcting ask again, under a lock, when they write."""
    other = too_soon_after(prescription=prescription, given_on=given_on, exclude=exclude)
    return too_soon_message(other, given_on) if other is not None else ""
