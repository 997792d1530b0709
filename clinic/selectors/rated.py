"""A prescription's doses and injections, each rated by schedules' one definition of its
state (`schedules.states`) in the same query that loads it: nothing is re-derived in Python."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, TypedDict, cast

from django.db.models import BooleanField, ExpressionWrapper, Q

from schedules import states
from schedules.models import Dose, Injection, InjectionQuerySet, Prescription

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    class _DoseStates(TypedDict):
        is_open: bool
        is_counted: bool
        is_missed: bool

    class _InjectionStates(TypedDict):
        is_extra: bool

    # For the type checker only: WithAnnotations takes one argument at run time.
    RatedDose = WithAnnotations[Dose, _DoseStates]
    RatedInjection = WithAnnotations[Injection, _InjectionStates]


def _flag(condition: Q) -> ExpressionWrapper[Q]:
    return ExpressionWrapper(condition, output_field=BooleanField())


def rated_doses(prescription: Prescription, today: date) -> list[RatedDose]:
    """The live doses in date order: open, counted, and missed on `today`."""
    rows = (
        Dose.objects.filter(prescription=prescription)
        .live()
        .annotate(
            is_open=_flag(states.open_()),
            is_counted=_flag(states.counted()),
            is_missed=_flag(states.missed(today)),
        )
        .select_related("injection", "phase")
        .order_by("due")
    )
    # The stubs iterate a DoseQuerySet as plain Dose; the rows do carry the annotations.
    return cast("list[RatedDose]", list(rows))


def rated_injections(prescription: Prescription) -> list[RatedInjection]:
    """Every entry, newest first (corrected and voided ones too), each marked extra or not."""
    rows = (
        Injection.objects.filter(prescription=prescription)
        .annotate(is_extra=_flag(InjectionQuerySet.q_extra()))
        .select_related("replaces", "logged_by")
        .order_by("-given_on", "-pk")
    )
    # As for doses: the stubs iterate an InjectionQuerySet as plain Injection.
    return cast("list[RatedInjection]", list(rows))
