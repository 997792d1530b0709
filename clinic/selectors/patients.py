"""The clinician's patients list: linked patients' summaries sorted by need, searched and
filtered on indexed columns, a page at a time by keyset (no OFFSET), or streamed for the CSV
export; pending invitations.

A page costs the same queries and about the same time for 10 patients or 10,000: it walks the
need index of `monitoring.PatientSummary` from the cursor and stops after one page.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Exists, F, Func, IntegerField, OuterRef, Q, QuerySet

from accounts.models import CareLink, Role, User
from monitoring.models import Flag, PatientSearchTerm, PatientSummary

from .rows import PatientRow, rows_for

PAGE_SIZE = 50
# From this many linked patients on, a page is read by walking the need index and keeping the
# linked ones; below it, by looking up each linked patient and sorting them (cheaper when few).
WALK_FROM = 500
# The last character there is: a prefix `q` matches every term from `q` up to `q` + this.
_TOP = "\U0010ffff"
# The sort by need: open flags first, then the earliest next dose (the most overdue), then
# name; the patient's id settles ties so that a cursor names one place.
NEED_ORDER = (F("open_flags").desc(), "due_key", "sort_name", "patient_id")
REVERSED_ORDER = ("open_flags", F("due_key").desc(), F("sort_name").desc(), F("patient_id").desc())


@dataclass(frozen=True)
class Filters:
    q: str = ""
    phase: str = ""
    flag: str = ""
    band: str = ""

    def as_dict(self) -> dict[str, str]:
        return {name: value for name, value in vars(self).items() if value}


@dataclass(frozen=True)
class Key:
    """A place in the sort by need: the sort keys of one row."""

    open_flags: int
    due_key: date
    sort_name: str
    patient_id: int

    @classmethod
    def of(cls, summary: PatientSummary) -> Key:
        return cls(summary.open_flags, summary.due_key, summary.sort_name, summary.patient_id)

    def token(self) -> str:
        """Opaque in the query string (it holds a name, so it is not shown as one)."""
        raw = json.dumps(
            [self.open_flags, self.due_key.isoformat(), self.sort_name, self.patient_id]
        )
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def parse(cls, token: str | None) -> Key | None:
        """The key a token names; None for none or anything malformed (the first page)."""
        if not token:
            return None
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            flags, due, name, pk = json.loads(raw)
            return cls(int(flags), date.fromisoformat(due), str(name), int(pk))
        except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
            return None

    def after(self) -> Q:
        """The rows that sort after this key."""
        same_flags = Q(open_flags=self.open_flags)
        same_due = same_flags & Q(due_key=self.due_key)
        same_name = same_due & Q(sort_name=self.sort_name)
        return (
            Q(open_flags__lt=self.open_flags)
            | (same_flags & Q(due_key__gt=self.due_key))
            | (same_due & Q(sort_name__gt=self.sort_name))
            | (same_name & Q(patient_id__gt=self.patient_id))
        )

    def before(self) -> Q:
        """The rows that sort before this key."""
        same_flags = Q(open_flags=self.open_flags)
        same_due = same_flags & Q(due_key=self.due_key)
        same_name = same_due & Q(sort_name=self.sort_name)
        return (
            Q(open_flags__gt=self.open_flags)
            | (same_flags & Q(due_key__lt=self.due_key))
            | (same_due & Q(sort_name__lt=self.sort_name))
            | (same_name & Q(patient_id__lt=self.patient_id))
        )


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
    back = Key.parse(before) if not after else None
    start = Key.parse(after) if back is None else None
    if back is not None:
        found = list(rows.filter(back.before()).order_by(*REVERSED_ORDER)[: PAGE_SIZE + 1])
        more_before, page = len(found) > PAGE_SIZE, found[:PAGE_SIZE][::-1]
        more_after = bool(page)
    else:
        if start is not None:
            rows = rows.filter(start.after())
        found = list(rows[: PAGE_SIZE + 1])
        more_after, page = len(found) > PAGE_SIZE, found[:PAGE_SIZE]
        more_before = start is not None and bool(page)
    return PatientsPage(
        rows=rows_for(page, now=now),
        total=total,
        next_token=Key.of(page[-1]).token() if more_after else None,
        previous_token=Key.of(page[0]).token() if more_before else None,
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

    With `walk`, the link test is written `+patient_id IN (…)`: the unary plus keeps SQLite
    from driving the query by the clinician's links (then sorting them all), so it walks the
    need index and stops after a page. PostgreSQL reads both forms alike and plans by cost."""
    member = Func(F("patient_id"), template="(+%(expressions)s)", output_field=IntegerField())
    rows = PatientSummary.objects.alias(member=member if walk else F("patient_id")).filter(
        member__in=_links(clinician).values("patient_id")
    )
    return (
        _filtered(rows, filters)
        .select_related("patient", "phase", "maintenance")
        .order_by(*NEED_ORDER)
    )


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
