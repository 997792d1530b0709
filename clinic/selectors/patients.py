"""The clinician's patients list: linked patients sorted by need, searched and filtered in
SQL (the adherence band too), a page at a time or all for the CSV export; pending invitations.

A page costs the same number of queries for 10 patients or 10,000 (`rows` adds the figures).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from django.core.paginator import Page, Paginator
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from accounts.models import CareLink, PatientProfile, Role, User
from core.clock import zone_today
from monitoring.models import Flag
from schedules.models import Phase

from . import per_patient
from .metrics import WINDOW, Band
from .rows import NO_ZONE, PatientRow, rows_for

if TYPE_CHECKING:
    from .per_patient import SortedPatient

PAGE_SIZE = 50


@dataclass(frozen=True)
class Filters:
    q: str = ""
    phase: str = ""
    flag: str = ""
    band: str = ""

    def as_dict(self) -> dict[str, str]:
        return {name: value for name, value in vars(self).items() if value}


@dataclass
class PatientsPage:
    page: Page[SortedPatient]
    rows: list[PatientRow]
    total: int


def patients_page(
    *, clinician: User, filters: Filters, page_number: int | str | None, now: datetime
) -> PatientsPage:
    paginator = Paginator(
        patients_queryset(clinician=clinician, filters=filters, now=now), PAGE_SIZE
    )
    page = paginator.get_page(page_number)
    return PatientsPage(page=page, rows=rows_for(page, now=now), total=paginator.count)


def export_rows(
    *, clinician: User, filters: Filters, now: datetime, chunk: int = 500
) -> Iterator[PatientRow]:
    """Every row the filters select, in page order, a chunk at a time (four queries a chunk)."""
    rows = patients_queryset(clinician=clinician, filters=filters, now=now)
    ids = list(rows.values_list("pk", flat=True))
    for start in range(0, len(ids), chunk):
        wanted = ids[start : start + chunk]
        users = patients_queryset(clinician=clinician, filters=Filters(), now=now).filter(
            pk__in=wanted
        )
        yield from rows_for(users, now=now)


def pending_invitations(*, clinician: User) -> QuerySet[CareLink]:
    return CareLink.objects.filter(clinician=clinician, status=CareLink.Status.PENDING).order_by(
        "invited_email"
    )


def linked_patients(*, clinician: User) -> QuerySet[User]:
    """Patients with an active link to this clinician. An IN over the clinician's links, run
    once, rather than a correlated EXISTS (which SQLite answers by scanning every link of the
    clinician for every user)."""
    links = CareLink.objects.filter(clinician=clinician, status=CareLink.Status.ACTIVE)
    return User.objects.filter(pk__in=links.values("patient_id"), role=Role.PATIENT)


def patients_queryset(
    *, clinician: User, filters: Filters, now: datetime
) -> QuerySet[SortedPatient]:
    """One row per linked patient, sorted by need: open flags, then the most overdue next dose
    (the earliest open dose first, so overdue patients lead), then name. Only the sort keys
    are computed here, for every patient; `rows.rows_for` adds the rest for one page."""
    open_flags = Flag.objects.filter(patient=OuterRef("pk"), status=Flag.Status.OPEN)
    rows = (
        linked_patients(clinician=clinician)
        .select_related("patient_profile")
        .annotate(
            next_due=Subquery(per_patient.open_doses().values("due")[:1]),
            open_flags=Coalesce(
                Subquery(
                    open_flags.order_by().values("patient").annotate(n=Count("pk")).values("n"),
                    output_field=IntegerField(),
                ),
                0,
            ),
        )
    )
    return _filtered(rows, clinician=clinician, filters=filters, now=now).order_by(
        F("open_flags").desc(),
        F("next_due").asc(nulls_last=True),
        "patient_profile__display_name",
        "pk",
    )


def _filtered(
    rows: QuerySet[SortedPatient], *, clinician: User, filters: Filters, now: datetime
) -> QuerySet[SortedPatient]:
    if filters.q:
        rows = rows.filter(
            Q(patient_profile__display_name__icontains=filters.q) | Q(email__icontains=filters.q)
        )
    if filters.phase:
        # By phase id, not by joining phases into the dose subquery: with that join SQLite
        # walks the doses through the (nullable, unique) injection index instead.
        phases = Phase.objects.filter(kind=filters.phase).values("pk")
        rows = rows.annotate(phase_now=per_patient.current_phase_id()).filter(phase_now__in=phases)
    if filters.flag:
        flagged = Flag.objects.filter(
            patient=OuterRef("pk"), status=Flag.Status.OPEN, kind=filters.flag
        )
        rows = rows.filter(Exists(flagged))
    if filters.band:
        rows = _in_band(rows, filters.band, clinician=clinician, now=now)
    return rows


# --- the adherence band in SQL ----------------------------------------------------------------


def _in_band(
    rows: QuerySet[SortedPatient], band: str, *, clinician: User, now: datetime
) -> QuerySet[SortedPatient]:
    """The patients whose last 90 days, each on their own today, fall in `band`."""
    todays = _zone_todays(clinician=clinician, now=now)
    return (
        rows.annotate(
            taken_90=_on_own_today(_taken_recently, todays=todays, now=now),
            missed_90=_on_own_today(_missed_recently, todays=todays, now=now),
        )
        .annotate(
            taken_10=F("taken_90") * 10,
            settled_9=(F("taken_90") + F("missed_90")) * 9,
            settled_7=(F("taken_90") + F("missed_90")) * 7,
        )
        .annotate(band=_band_expression())
        .filter(band=band)
    )


def _band_expression() -> Case:
    """`metrics.band_for` in SQL, over the annotations `_in_band` makes."""
    return Case(
        When(taken_90=0, missed_90=0, then=Value(Band.NONE.value)),
        When(taken_10__gte=F("settled_9"), then=Value(Band.GOOD.value)),
        When(taken_10__gte=F("settled_7"), then=Value(Band.FAIR.value)),
        default=Value(Band.POOR.value),
        output_field=CharField(),
    )


def _zone_todays(*, clinician: User, now: datetime) -> dict[date, list[str]]:
    """The home zones of the clinician's patients, by the calendar date it is there now."""
    zones = (
        PatientProfile.objects.filter(user__in=linked_patients(clinician=clinician))
        .order_by()
        .values_list("time_zone", flat=True)
        .distinct()
    )
    todays: dict[date, list[str]] = defaultdict(list)
    for zone in zones:
        todays[zone_today(zone, now=now)].append(zone)
    return todays


def _on_own_today(
    count: Callable[[date], Coalesce], *, todays: dict[date, list[str]], now: datetime
) -> Case | Coalesce:
    """`count` for each patient on their own today: one branch per date their zones are on."""
    whens = [
        When(patient_profile__time_zone__in=zones, then=count(today))
        for today, zones in todays.items()
    ]
    default = count(zone_today(NO_ZONE, now=now))
    return Case(*whens, default=default, output_field=IntegerField()) if whens else default


def _taken_recently(today: date) -> Coalesce:
    return per_patient.count(per_patient.active_doses().filter(due__gte=today - WINDOW).counted())


def _missed_recently(today: date) -> Coalesce:
    recent = per_patient.active_doses().filter(due__gte=today - WINDOW)
    return per_patient.count(recent.missed(today))
