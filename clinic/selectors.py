"""Reads for the clinician's patients page, its CSV export and the flags inbox.

The list is sorted, filtered and paginated in SQL; the figures of a page's rows come from a
few grouped queries, so a page costs the same number of queries for 10 patients or 10,000.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import reduce
from itertools import pairwise
from operator import or_

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
    TextChoices,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from accounts.models import CareLink, PatientProfile, Role, User
from core.clock import zone_today
from monitoring.models import Flag
from schedules import states
from schedules.models import Dose, DoseQuerySet, Injection, Phase, PhaseKind, Prescription

PAGE_SIZE = 50
WINDOW = timedelta(days=90)
UNRESOLVED = (Flag.Status.OPEN, Flag.Status.ACKNOWLEDGED)
# Short enough for a table cell; the full labels are the model's choices.
SHORT_KIND_LABELS = {
    Flag.Kind.MISSED_LOADING: "Missed loading dose",
    Flag.Kind.MISSED_MAINTENANCE: "Missed maintenance dose",
    Flag.Kind.MAINTENANCE_OVERDUE: "Maintenance overdue",
    Flag.Kind.REPEATED_MISSES: "Repeated misses",
    Flag.Kind.LOADING_REVIEW: "Loading review due",
    Flag.Kind.THREE_MONTH_REVIEW: "3-month review due",
}
# A patient without a profile (so without a home zone) is counted on the UTC date.
NO_ZONE = "UTC"


class Band(TextChoices):
    """Adherence over the last 90 days: doses taken (on time or late) of doses taken or missed."""

    GOOD = "good", "90% or more taken"
    FAIR = "fair", "70–89% taken"
    POOR = "poor", "Under 70% taken"
    NONE = "none", "Nothing due yet"


def band_for(taken: int, missed: int) -> str:
    """The band in Python; `_band_expression` is the same rule in SQL (a test holds them equal)."""
    settled = taken + missed
    if settled == 0:
        return Band.NONE
    if taken * 10 >= settled * 9:
        return Band.GOOD
    if taken * 10 >= settled * 7:
        return Band.FAIR
    return Band.POOR


def median(values: Sequence[float]) -> float | None:
    ordered = sorted(values)
    middle = len(ordered) // 2
    if not ordered:
        return None
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def gaps(days: Sequence[date]) -> list[int]:
    """Days between consecutive dates (already in order)."""
    return [(later - earlier).days for earlier, later in pairwise(days)]


@dataclass(frozen=True)
class Counts:
    on_time: int = 0
    late: int = 0
    missed: int = 0

    @property
    def taken(self) -> int:
        return self.on_time + self.late

    @property
    def band(self) -> str:
        return band_for(self.taken, self.missed)

    @property
    def percent_taken(self) -> int | None:
        settled = self.taken + self.missed
        return round(100 * self.taken / settled) if settled else None


@dataclass(frozen=True)
class Filters:
    q: str = ""
    phase: str = ""
    flag: str = ""
    band: str = ""

    def as_dict(self) -> dict[str, str]:
        return {name: value for name, value in vars(self).items() if value}


@dataclass
class PatientRow:
    patient: User
    today: date
    prescription_id: int | None
    regimen: str
    phase: Phase | None
    next_due: date | None
    last_injection: date | None
    open_flags: int
    flag_kinds: list[str] = field(default_factory=list)
    recent: Counts = Counts()
    overall: Counts = Counts()
    median_interval: float | None = None
    prescribed: Phase | None = None  # the maintenance phase the median is compared with

    @property
    def name(self) -> str:
        profile = getattr(self.patient, "patient_profile", None)
        return profile.display_name if profile else self.patient.email

    @property
    def days_overdue(self) -> int:
        if self.next_due is None:
            return 0
        return max(0, (self.today - self.next_due).days)

    @property
    def band(self) -> str:
        return self.recent.band

    @property
    def flag_labels(self) -> list[str]:
        labels = dict(Flag.Kind.choices)
        return [labels.get(kind, kind) for kind in self.flag_kinds]

    @property
    def flag_short_labels(self) -> list[str]:
        return [SHORT_KIND_LABELS.get(kind, kind) for kind in self.flag_kinds]


# --- the patients list ----------------------------------------------------------------------


def linked_patients(*, clinician: User) -> QuerySet[User]:
    """Patients with an active link to this clinician. An IN over the clinician's links, run
    once, rather than a correlated EXISTS (which SQLite answers by scanning every link of the
    clinician for every user)."""
    links = CareLink.objects.filter(clinician=clinician, status=CareLink.Status.ACTIVE)
    return User.objects.filter(pk__in=links.values("patient_id"), role=Role.PATIENT)


def _active_doses() -> DoseQuerySet:
    return Dose.objects.filter(
        prescription__patient=OuterRef("pk"), prescription__status=Prescription.Status.ACTIVE
    )


def _open_doses() -> QuerySet[Dose]:
    return _active_doses().open().order_by("due")


def _last_live_dose() -> QuerySet[Dose]:
    return _active_doses().live().order_by("-due")


def _current_phase_id() -> Coalesce:
    """The phase of the next open dose; when none is left, the phase of the last dose."""
    return Coalesce(
        Subquery(_open_doses().values("phase_id")[:1]),
        Subquery(_last_live_dose().values("phase_id")[:1]),
        output_field=IntegerField(),
    )


def _count(rows: QuerySet) -> Coalesce:
    counted = rows.order_by().values("prescription__patient").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def patients_queryset(*, clinician: User, filters: Filters, now: datetime) -> QuerySet[User]:
    """One row per linked patient, sorted by need: open flags, then the most overdue next dose
    (the earliest open dose first, so overdue patients lead), then name. Only the sort keys
    are computed here, for every patient; `with_details` adds the rest for one page."""
    open_flags = Flag.objects.filter(patient=OuterRef("pk"), status=Flag.Status.OPEN)
    rows = (
        linked_patients(clinician=clinician)
        .select_related("patient_profile")
        .annotate(
            next_due=Subquery(_open_doses().values("due")[:1]),
            open_flags=Coalesce(
                Subquery(
                    open_flags.order_by().values("patient").annotate(n=Count("pk")).values("n"),
                    output_field=IntegerField(),
                ),
                0,
            ),
        )
    )
    rows = _filtered(rows, clinician=clinician, filters=filters, now=now)
    return rows.order_by(
        F("open_flags").desc(),
        F("next_due").asc(nulls_last=True),
        "patient_profile__display_name",
        "pk",
    )


def with_details(ids: Sequence[int]) -> list[User]:
    """The given patients, in the given order, with what a row shows beside its sort keys."""
    active = Prescription.objects.filter(patient=OuterRef("pk"), status=Prescription.Status.ACTIVE)
    users = (
        User.objects.filter(pk__in=list(ids))
        .select_related("patient_profile")
        .annotate(
            rx_id=Subquery(active.values("pk")[:1]),
            regimen=Subquery(active.values("regimen_name")[:1]),
            current_phase_id=_current_phase_id(),
            last_injection=Subquery(
                Injection.objects.recorded()
                .filter(patient=OuterRef("pk"))
                .order_by("-given_on")
                .values("given_on")[:1]
            ),
        )
    )
    by_id = {user.pk: user for user in users}
    return [by_id[pk] for pk in ids if pk in by_id]


def _filtered(
    rows: QuerySet[User], *, clinician: User, filters: Filters, now: datetime
) -> QuerySet[User]:
    if filters.q:
        rows = rows.filter(
            Q(patient_profile__display_name__icontains=filters.q) | Q(email__icontains=filters.q)
        )
    if filters.phase:
        # By phase id, not by joining phases into the dose subquery: with that join SQLite
        # walks the doses through the (nullable, unique) injection index instead.
        phases = Phase.objects.filter(kind=filters.phase).values("pk")
        rows = rows.annotate(phase_now=_current_phase_id()).filter(phase_now__in=phases)
    if filters.flag:
        flagged = Flag.objects.filter(
            patient=OuterRef("pk"), status=Flag.Status.OPEN, kind=filters.flag
        )
        rows = rows.filter(Exists(flagged))
    if filters.band:
        rows = _with_band(rows, clinician=clinician, now=now).filter(band=filters.band)
    return rows


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


def _recent_doses(today: date) -> DoseQuerySet:
    return _active_doses().filter(due__gte=today - WINDOW)


def _taken_recently(today: date) -> Coalesce:
    return _count(_recent_doses(today).counted())


def _missed_recently(today: date) -> Coalesce:
    return _count(_recent_doses(today).missed(today))


def _with_band(rows: QuerySet[User], *, clinician: User, now: datetime) -> QuerySet[User]:
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
    )


def _band_expression() -> Case:
    return Case(
        When(taken_90=0, missed_90=0, then=Value(Band.NONE.value)),
        When(taken_10__gte=F("settled_9"), then=Value(Band.GOOD.value)),
        When(taken_10__gte=F("settled_7"), then=Value(Band.FAIR.value)),
        default=Value(Band.POOR.value),
        output_field=CharField(),
    )


# --- the figures of one page of rows --------------------------------------------------------


def rows_for(page: Sequence[User], *, now: datetime) -> list[PatientRow]:
    """Figures for one page of sorted patients in five queries, whatever their number of
    doses: the row details, adherence counts, phases, open flag kinds and maintenance dates."""
    sorted_users = list(page)
    keys = {user.pk: (user.next_due, user.open_flags) for user in sorted_users}
    users = with_details([user.pk for user in sorted_users])
    for user in users:
        user.next_due, user.open_flags = keys[user.pk]
    rx_ids = [user.rx_id for user in users if user.rx_id]
    todays = {user.pk: zone_today(_zone(user), now=now) for user in users}
    counts = _counts({user.rx_id: todays[user.pk] for user in users if user.rx_id})
    phases = _phases(rx_ids)
    kinds = _flag_kinds([user.pk for user in users])
    medians = _median_intervals(rx_ids)
    rows = []
    for user in users:
        own = phases.get(user.rx_id, [])
        recent, overall = counts.get(user.rx_id, (Counts(), Counts()))
        rows.append(
            PatientRow(
                patient=user,
                today=todays[user.pk],
                prescription_id=user.rx_id,
                regimen=user.regimen or "",
                phase=next((p for p in own if p.pk == user.current_phase_id), None),
                next_due=user.next_due,
                last_injection=user.last_injection,
                open_flags=user.open_flags,
                flag_kinds=kinds.get(user.pk, []),
                recent=recent,
                overall=overall,
                median_interval=medians.get(user.rx_id),
                prescribed=next((p for p in reversed(own) if p.kind == "maintenance"), None),
            )
        )
    return rows


def _zone(user: User) -> str:
    profile = getattr(user, "patient_profile", None)
    return profile.time_zone if profile else NO_ZONE


def _counts(todays: dict[int, date]) -> dict[int, tuple[Counts, Counts]]:
    """Per prescription: the last 90 days' counts and those since the start, each judged on
    its patient's own today (at most three dates occur at once)."""
    if not todays:
        return {}
    by_day: dict[date, list[int]] = defaultdict(list)
    for rx_id, day in todays.items():
        by_day[day].append(rx_id)
    recent = reduce(
        or_, (Q(prescription_id__in=ids, due__gte=day - WINDOW) for day, ids in by_day.items())
    )
    missed = reduce(
        or_, (Q(prescription_id__in=ids) & states.missed(day) for day, ids in by_day.items())
    )
    rows = (
        Dose.objects.filter(prescription_id__in=list(todays))
        .order_by()
        .values("prescription_id")
        .annotate(
            on_time_90=Count("pk", filter=states.on_time() & recent),
            late_90=Count("pk", filter=states.late() & recent),
            missed_90=Count("pk", filter=missed & recent),
            on_time=Count("pk", filter=states.on_time()),
            late=Count("pk", filter=states.late()),
            missed=Count("pk", filter=missed),
        )
    )
    return {
        row["prescription_id"]: (
            Counts(row["on_time_90"], row["late_90"], row["missed_90"]),
            Counts(row["on_time"], row["late"], row["missed"]),
        )
        for row in rows
    }


def _phases(rx_ids: list[int]) -> dict[int, list[Phase]]:
    phases: dict[int, list[Phase]] = defaultdict(list)
    for phase in Phase.objects.filter(prescription_id__in=rx_ids).order_by("prescription", "order"):
        phases[phase.prescription_id].append(phase)
    return phases


def _flag_kinds(patient_ids: list[int]) -> dict[int, list[str]]:
    kinds: dict[int, list[str]] = defaultdict(list)
    rows = (
        Flag.objects.filter(patient_id__in=patient_ids, status=Flag.Status.OPEN)
        .order_by("patient_id", "kind")
        .values_list("patient_id", "kind")
        .distinct()
    )
    for patient_id, kind in rows:
        kinds[patient_id].append(kind)
    return kinds


def maintenance_dates(rx_ids: list[int]) -> dict[int, list[date]]:
    """Dates of the counted injections that maintenance doses took, in order, per prescription."""
    rows = (
        Dose.objects.filter(prescription_id__in=rx_ids, phase__kind=PhaseKind.MAINTENANCE)
        .counted()
        .order_by("prescription_id", "injection__given_on")
        .values_list("prescription_id", "injection__given_on")
    )
    dates: dict[int, list[date]] = defaultdict(list)
    for rx_id, given_on in rows:
        dates[rx_id].append(given_on)
    return dates


def _median_intervals(rx_ids: list[int]) -> dict[int, float | None]:
    if not rx_ids:
        return {}
    return {rx_id: median(gaps(days)) for rx_id, days in maintenance_dates(rx_ids).items()}


# --- what the views call ----------------------------------------------------------------------


@dataclass
class PatientsPage:
    page: Page
    rows: list[PatientRow]
    total: int


def patients_page(
    *, clinician: User, filters: Filters, page_number: object, now: datetime
) -> PatientsPage:
    paginator = Paginator(
        patients_queryset(clinician=clinician, filters=filters, now=now), PAGE_SIZE
    )
    page = paginator.get_page(page_number)
    return PatientsPage(page=page, rows=rows_for(page.object_list, now=now), total=paginator.count)


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


# --- the flags inbox ----------------------------------------------------------------------------


def flags_for_clinician(*, clinician: User, status: str = "", kind: str = "") -> QuerySet[Flag]:
    """Flags of patients linked to this clinician, newest first; unresolved unless asked."""
    links = CareLink.objects.filter(clinician=clinician, status=CareLink.Status.ACTIVE)
    flags = Flag.objects.filter(patient_id__in=links.values("patient_id"))
    flags = flags.filter(status=status) if status else flags.filter(status__in=UNRESOLVED)
    if kind:
        flags = flags.filter(kind=kind)
    return flags.select_related(
        "patient__patient_profile", "dose__phase", "acted_by__clinician_profile"
    ).order_by("-raised_at", "-pk")


def flag_for_patient(*, patient: User, flag_id: int) -> Flag | None:
    return Flag.objects.filter(pk=flag_id, patient=patient).select_related("patient").first()


def phase_for_patient(*, patient: User, phase_id: int) -> Phase | None:
    """One of the patient's phases, with what closing it needs; None for anyone else's."""
    return (
        Phase.objects.filter(pk=phase_id, prescription__patient=patient)
        .select_related("prescription__patient__patient_profile")
        .first()
    )
