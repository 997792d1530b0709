"""Flags as a clinician reads them: the inbox of their linked patients' flags, and one flag
looked up within one patient (so an id from another record is not found)."""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet

from accounts.models import CareLink, User
from monitoring.models import Flag

from .patients import PAGE_SIZE


def flags_for_clinician(*, clinician: User, status: str = "", kind: str = "") -> QuerySet[Flag]:
    """Flags of patients linked to this clinician, newest first; unresolved unless asked."""
    links = CareLink.objects.filter(clinician=clinician, status=CareLink.Status.ACTIVE)
    flags = Flag.objects.filter(patient_id__in=links.values("patient_id"))
    flags = flags.filter(status=status) if status else flags.filter(status__in=Flag.UNRESOLVED)
    if kind:
        flags = flags.filter(kind=kind)
    return flags.select_related(
        "patient__patient_profile",
        "dose__phase",
        "acted_by__clinician_profile",
        "acted_by__patient_profile",
    ).order_by("-raised_at", "-pk")


def flags_page(
    *, clinician: User, status: str, kind: str, page_number: int | str | None
) -> Page[Flag]:
    """One page of `flags_for_clinician`, as many a page as the patients list."""
    rows = flags_for_clinician(clinician=clinician, status=status, kind=kind)
    return Paginator(rows, PAGE_SIZE).get_page(page_number)


def flag_for_patient(*, patient: User, flag_id: int) -> Flag | None:
    return Flag.objects.filter(pk=flag_id, patient=patient).select_related("patient").first()
