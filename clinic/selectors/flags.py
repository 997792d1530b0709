"""Flags as a clinician reads them: the inbox of their linked patients' flags, a page at a
time by cursor (newest first), and one flag looked up within one patient (so an id from
another record is not found)."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import CareLink, User
from monitoring.models import Flag

from .keyset import CursorPage, Key, as_datetime, cursor_page
from .patients import PAGE_SIZE

# Newest first; the id settles flags raised in the same instant.
NEWEST = (
    Key("raised_at", descending=True, parse=as_datetime),
    Key("id", descending=True, parse=int),
)


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
    *,
    clinician: User,
    status: str,
    kind: str,
    after: str | None = None,
    before: str | None = None,
) -> CursorPage[Flag]:
    """One page of `flags_for_clinician` after (or before) a cursor, as many a page as the
    patients list; the (status, raised_at) index serves the order."""
    rows = flags_for_clinician(clinician=clinician, status=status, kind=kind)
    return cursor_page(rows, NEWEST, size=PAGE_SIZE, after=after, before=before)


def flag_for_patient(*, patient: User, flag_id: int) -> Flag | None:
    return Flag.objects.filter(pk=flag_id, patient=patient).select_related("patient").first()
