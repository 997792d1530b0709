"""The tests and reviews due or overdue across a clinician's linked patients, a page at a time
by cursor (soonest first): the page's rows in one query whatever the number of patients."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import QuerySet

from accounts.models import CareLink, User
from core.clock import local_today
from monitoring import plan
from monitoring.models import PlanItem
from schedules.models import Prescription

from .keyset import CursorPage, Key, as_date, cursor_page
from .patients import PAGE_SIZE

SOONEST = (Key("due_on", parse=as_date), Key("id", parse=int))


@dataclass(frozen=True)
class DueRow:
    item: PlanItem
    status: str
    word: str


def tests_due_for_clinician(*, clinician: User, now: datetime) -> QuerySet[PlanItem]:
    """Still-planned items of linked patients whose due window may have opened, soonest
    first; each row's exact status is on the patient's own today (`due_rows`)."""
    links = CareLink.objects.filter(clinician=clinician, status=CareLink.Status.ACTIVE)
    horizon = now.date() + timedelta(days=plan.DUE_WITHIN_DAYS + 1)
    return (
        PlanItem.objects.filter(
            patient_id__in=links.values("patient_id"),
            status=PlanItem.Status.PLANNED,
            prescription__status=Prescription.Status.ACTIVE,
            due_on__lte=horizon,
        )
        .select_related("patient__patient_profile")
        .order_by("due_on", "pk")
    )


def tests_due_page(
    *, clinician: User, now: datetime, after: str | None = None, before: str | None = None
) -> CursorPage[PlanItem]:
    rows = tests_due_for_clinician(clinician=clinician, now=now)
    return cursor_page(rows, SOONEST, size=PAGE_SIZE, after=after, before=before)


def due_rows(items: list[PlanItem], now: datetime) -> list[DueRow]:
    rows = []
    for item in items:
        status = plan.item_status(item, local_today(item.patient, now=now))
        rows.append(DueRow(item=item, status=status, word=plan.STATUS_WORDS[status]))
    return rows


def plan_rows(*, patient: User, today: date) -> list[DueRow]:
    """The patient's whole plan for their page, soonest first (one query)."""
    rows = []
    for item in PlanItem.objects.filter(patient=patient).order_by("due_on", "pk"):
        status = plan.item_status(item, today)
        rows.append(DueRow(item=item, status=status, word=plan.STATUS_WORDS[status]))
    return rows
