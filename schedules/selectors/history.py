"""Reads for the history page: every injection ever logged, and one of the patient's own
injections for the correct and void pages."""

from __future__ import annotations

from django.db.models import BooleanField, ExpressionWrapper, QuerySet

from accounts.models import User
from schedules.models import Injection, InjectionQuerySet


def injection_history(*, patient: User) -> QuerySet[Injection]:
    """Every injection ever logged, newest first, with what it replaced or was replaced by.

    Each carries `is_extra` (it counts as no dose) and its prescription (a stopped one's
    entries can no longer be changed).
    """
    is_extra = ExpressionWrapper(InjectionQuerySet.q_extra(), output_field=BooleanField())
    return (
        Injection.objects.filter(patient=patient)
        .select_related("replaces", "replaced_by", "prescription")
        .annotate(is_extra=is_extra)
        .order_by("-given_on", "-id")
    )


def injection_for_patient(*, patient: User, injection_id: int) -> Injection | None:
    """The patient's own injection, or None (the view answers 404)."""
    return (
        Injection.objects.select_related("prescription__patient__patient_profile")
        .filter(pk=injection_id, patient=patient)
        .first()
    )
