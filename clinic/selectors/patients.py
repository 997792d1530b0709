"""The clinician's patients list: linked patients' summaries sorted by need, searched and
filtered on indexed columns, a page at a time by keyset (no OFFSET), or streamed for the CSV
export; pending invitations.

A page costs the same queries and about the same time for 10 patients or 10,000: it walks the
need index of `monitoring.PatientSummary` from the cursor and stops after one page.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from django.db import connection
from django.db.models import Exists, F, Func, IntegerField, OuterRef, QuerySet

from accounts.models import CareLink, Role, User
from monitoring.models import Flag, PatientSearchTerm, PatientSummary

from .keyset import Key, as_date, cursor_page, ordered
from .rows import PatientRow, rows_for

PAGE_SIZE = 50
# From this many linked patients on, a page is read by walking the need index and keeping the
# linked ones; below it, by looking up each linked patient and sorting them (cheaper when few).
WALK_FROM = 500
# The last character there is: a prefix `q` matches every term from `q` up to `q` + this.
_TOP = "\U0010ffff"
# The sort by need: open flags first, then the earliest next dose (the most overdue), then
# name; the patient's id settles ties so that a cursor names one place.
NEED = (
    Key("open_flags", descending=True, parse=int),
    Key("due_key", parse=as_date),
    Key("sort_name", parse=str),
    Key("patient_id", parse=int),
)


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
    rows: list[PatientRow]
    total: int
    next_token: str | None = None  # the cursor of the page after this one
    previous_token: str | None = None  # the cursor of the page before it


def patients_page(
    *,
    clinician: User,
    filters: Filters,
    now: datetime,
    after: str | None = None,
    before: str | None = None,
) -> PatientsPage:
    """One page in need order, after (or before) the row a cursor names; the first without."""
    total = linked_count(clinician=clinician)
    rows = patients_queryset(clinician=clinician, filters=filters, walk=total >= WALK_FROM)
    page = cursor_page(rows, NEED, size=PAGE_SIZE, after=after, before=before)
    return PatientsPage(
        rows=rows_for(page.items, now=now),
        total=total,
        next_token=page.next_token,
        previous_token=page.previous_token,
    )


def export_rows(
    *, clinician: User, filters: Filters, now: datetime, chunk: int = 500
) -> Iterator[PatientRow]:
    """Every row the filters select, in page order, read from the database a chunk at a time
    (one query a chunk on PostgreSQL, a server-side cursor; memory stays flat)."""
    rows = patients_queryset(clinician=clinician, filters=filters, now=now)
    for summary in rows.iterator(chunk_size=chunk):
        yield from rows_for([summary], now=now)


def pending_invitations(*, clinician: User) -> QuerySet[CareLink]:
    return CareLink.objects.filter(clinician=clinician, status=CareLink.Status.PENDING).order_by(
        "invited_email"
    )


def _links(clinician: User) -> QuerySet[CareLink]:
    return CareLink.objects.filter(clinician=clinician, status=CareLink.Status.ACTIVE)


def linked_patients(*, clinician: User) -> QuerySet[User]:
    """Patients with an active link to this clinician. An IN over the clinician's links, run
    once, rather than a correlated EXISTS (which SQLite answers by scanning every link of the
    clinician for every user)."""
    return User.objects.filter(pk__in=_links(clinician).values("patient_id"), role=Role.PATIENT)


def linked_count(*, clinician: User) -> int:
    return _links(clinician).count()


def patients_queryset(
    *, clinician: User, filters: Filters, now: datetime | None = None, walk: bool = False
) -> QuerySet[PatientSummary]:
    """The summaries of the clinician's linked patients, filtered, in need order, each with its
    patient and phases joined (`rows.rows_for` makes the rows without another query). `now` is
    not needed: the stored dates stay true as days pass; it is kept for callers that pass it.

    With `walk` on SQLite, the link test is a correlated EXISTS on the link of that patient,
    its clinician written `+clinician_id`: the unary plus keeps SQLite (which plans without
    statistics) from reading the link by the clinician's index (every link of the clinician
    for each row) and from driving the query by the clinician's links (all of them, then a
    sort); it walks the need index, looks up each patient's links by the (patient, status)
    index and stops after a page. PostgreSQL picks that plan from its statistics for the IN
    below, and the unary plus would only hide the clinician column from them."""
    links = _links(clinician).values("patient_id")
    if walk and connection.vendor == "sqlite":
        mine = Func(F("clinician_id"), template="(+%(expressions)s)", output_field=IntegerField())
        link = CareLink.objects.alias(mine=mine).filter(
            mine=clinician.pk, patient_id=OuterRef("patient_id"), status=CareLink.Status.ACTIVE
        )
        rows = PatientSummary.objects.filter(Exists(link))
    else:
        rows = PatientSummary.objects.filter(patient_id__in=links)
    return ordered(_filtered(rows, filters).select_related("patient", "phase", "maintenance"), NEED)


def _filtered(rows: QuerySet[PatientSummary], filters: Filters) -> QuerySet[PatientSummary]:
    if filters.q:
        # A prefix of a word of the name, of the whole name, or of the email: a range on the
        # indexed term column (a C-collation or binary b-tree serves it on both databases).
        q = " ".join(filters.q.lower().split())
        terms = PatientSearchTerm.objects.filter(term__gte=q, term__lt=q + _TOP)
        rows = rows.filter(patient_id__in=terms.values("summary_id"))
    if filters.phase:
        rows = rows.filter(phase_kind=filters.phase)
    if filters.flag:
        flagged = Flag.objects.filter(
            patient=OuterRef("patient_id"), status=Flag.Status.OPEN, kind=filters.flag
        )
        rows = rows.filter(Exists(flagged))
    if filters.band:
        rows = rows.filter(band=filters.band)
    return rows
