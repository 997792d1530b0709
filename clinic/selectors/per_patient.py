"""Correlated subqueries over each listed patient (the outer row is a `User`): their active
prescription's doses, its next open dose and current phase, and counts of rows per patient."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, TypedDict

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from schedules.models import Dose, DoseQuerySet, Prescription

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    from accounts.models import User

    class _SortKeys(TypedDict):
        next_due: date | None
        open_flags: int

    # A patient of the list with the keys it is sorted by. (For the type checker only:
    # WithAnnotations takes one argument at run time.)
    SortedPatient = WithAnnotations[User, _SortKeys]


def active_doses() -> DoseQuerySet:
    return Dose.objects.filter(
        prescription__patient=OuterRef("pk"), prescription__status=Prescription.Status.ACTIVE
    )


def open_doses() -> DoseQuerySet:
    return active_doses().open().order_by("due")


def current_phase_id() -> Coalesce:
    """The phase of the next open dose; when none is left, the phase of the last live dose."""
    return Coalesce(
        Subquery(open_doses().values("phase_id")[:1]),
        Subquery(active_doses().live().order_by("-due").values("phase_id")[:1]),
        output_field=IntegerField(),
    )


def count(rows: QuerySet[Dose]) -> Coalesce:
    """How many of `rows` (doses of the outer patient) there are; 0 for none."""
    counted = rows.order_by().values("prescription__patient").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)
