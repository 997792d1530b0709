"""Keeps `PatientSummary` current: the slow recomputation from doses, injections and flags,
run for the patients a change touches inside that change's transaction, and by the rebuild.

`monitoring.models` imports this module (so the receivers connect as the models load), so it
reaches `Flag` through the app registry instead of importing it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import reduce
from itertools import pairwise
from operator import or_
from typing import Any

from django.apps import apps
from django.db import models, transaction
from django.db.models import Count, IntegerField, Min, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from accounts.models import PatientProfile, Role, User
from core.clock import zone_today
from schedules import states
from schedules.models import Dose, Injection, Phase, PhaseKind, Prescription
from schedules.signals import plan_changed, prescription_stopped, regimen_changed

from .summary import NO_NEXT_DUE, PatientSearchTerm, PatientSummary, band_for

WINDOW = timedelta(days=90)
# A patient without a profile (so without a home zone) is counted on the UTC date.
NO_ZONE = "UTC"
CHUNK = 500
# What a recomputation sets: everything but the key. The update time too: the list keys its
# rows' cached HTML by it.
FIELDS = [f.name for f in PatientSummary._meta.concrete_fields if f.name != "patient"]
# Far enough east that no patient's today is later: a row stale anywhere is found by this.
_EASTMOST = timedelta(hours=14)


def _flag_model() -> type[models.Model]:
    return apps.get_model("monitoring", "Flag")


# --- the slow recomputation ----------------------------------------------------------------


@dataclass(frozen=True)
class _Tally:
    on_time_90: int = 0
    late_90: int = 0
    missed_90: int = 0
    on_time: int = 0
    late: int = 0
    missed: int = 0
    fresh_until: date | None = None


def computed(*, patient_ids: Sequence[int], now: datetime) -> list[PatientSummary]:
    """Each patient's summary worked out from their rows on their own today (five queries)."""
    users: list[Any] = list(_patients(patient_ids))  # with the annotations of `_patients`
    todays = {user.pk: zone_today(_zone(user), now=now) for user in users}
    rx_todays = {user.rx_id: todays[user.pk] for user in users if user.rx_id}
    tallies = _tallies(rx_todays)
    phases = _phases(list(rx_todays))
    medians = _medians(list(rx_todays))
    flags = _open_flags([user.pk for user in users])
    return [
        _summary(
            user,
            today=todays[user.pk],
            tally=tallies.get(user.rx_id, _Tally()),
            phases=phases.get(user.rx_id, []),
            median_interval=medians.get(user.rx_id),
            flags=flags.get(user.pk, []),
        )
        for user in users
    ]


def _patients(ids: Sequence[int]) -> models.QuerySet[User]:
    active = Prescription.objects.filter(patient=OuterRef("pk"), status=Prescription.Status.ACTIVE)
    doses = Dose.objects.filter(
        prescription__patient=OuterRef("pk"), prescription__status=Prescription.Status.ACTIVE
    )
    open_doses = doses.open().order_by("due")
    last_injection = (
        Injection.objects.recorded().filter(patient=OuterRef("pk")).order_by("-given_on")
    )
    return (
        User.objects.filter(pk__in=ids, role=Role.PATIENT)
        .select_related("patient_profile")
        .annotate(
            rx_id=Subquery(active.values("pk")[:1]),
            regimen=Subquery(active.values("regimen_name")[:1]),
            next_due=Subquery(open_doses.values("due")[:1]),
            # The phase of the next open dose; when none is left, of the last live dose.
            phase_now=Coalesce(
                Subquery(open_doses.values("phase_id")[:1]),
                Subquery(doses.live().order_by("-due").values("phase_id")[:1]),
                output_field=IntegerField(),
            ),
            last_injection=Subquery(last_injection.values("given_on")[:1]),
        )
        .order_by("pk")
    )


def _zone(user: User) -> str:
    profile = getattr(user, "patient_profile", None)
    return profile.time_zone if profile else NO_ZONE


def _name(user: User) -> str:
    profile = getattr(user, "patient_profile", None)
    return profile.display_name if profile else user.email


def _summary(
    user: Any,
    *,
    today: date,
    tally: _Tally,
    phases: list[Phase],
    median_interval: float | None,
    flags: list[str],
) -> PatientSummary:
    phase = next((p for p in phases if p.pk == user.phase_now), None)
    maintenance = next((p for p in reversed(phases) if p.kind == PhaseKind.MAINTENANCE), None)
    name = _name(user)
    return PatientSummary(
        patient_id=user.pk,
        name=name,
        sort_name=name.lower(),
        time_zone=_zone(user),
        prescription_id=user.rx_id,
        regimen=user.regimen or "",
        phase_id=phase.pk if phase else None,
        phase_kind=phase.kind if phase else "",
        maintenance_id=maintenance.pk if maintenance else None,
        next_due=user.next_due,
        due_key=user.next_due or NO_NEXT_DUE,
        last_injection=user.last_injection,
        on_time_90=tally.on_time_90,
        late_90=tally.late_90,
        missed_90=tally.missed_90,
        on_time=tally.on_time,
        late=tally.late,
        missed=tally.missed,
        band=band_for(tally.on_time_90 + tally.late_90, tally.missed_90),
        median_interval=median_interval,
        open_flags=len(flags),
        flag_kinds=sorted(set(flags)),
        as_of=today,
        fresh_until=tally.fresh_until,
    )


def _tallies(todays: dict[int, date]) -> dict[int, _Tally]:
    """Per prescription (id: its patient's today): the last 90 days' counts, those since the
    start, and the first day they would change with nothing written (a settled dose leaving
    the window, an open dose's window closing), in one query."""
    if not todays:
        return {}
    by_day: dict[date, list[int]] = defaultdict(list)
    for rx_id, day in todays.items():
        by_day[day].append(rx_id)

    def each_day(rule: Any) -> Q:
        either: Q = reduce(
            or_, (Q(prescription_id__in=ids) & rule(day) for day, ids in by_day.items())
        )
        return either

    recent = each_day(lambda day: Q(due__gte=day - WINDOW))
    missed = each_day(states.missed)
    waiting = states.live() & Q(injection__isnull=True) & ~Q(status=states.MISSED)
    closes_later = each_day(lambda day: Q(latest__gte=day))
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
            oldest_recent=Min("due", filter=(states.counted() | missed) & recent),
            next_close=Min("latest", filter=waiting & closes_later),
        )
    )
    tallies = {}
    for row in rows:
        figures: dict[str, Any] = dict(row)
        rx_id = figures.pop("prescription_id")
        tallies[rx_id] = _tally(**figures)
    return tallies


def _tally(*, oldest_recent: date | None, next_close: date | None, **counts: int) -> _Tally:
    changes = [
        *([oldest_recent + WINDOW + timedelta(days=1)] if oldest_recent else []),
        *([next_close + timedelta(days=1)] if next_close else []),
    ]
    return _Tally(**counts, fresh_until=min(changes, default=None))


def _phases(rx_ids: list[int]) -> dict[int, list[Phase]]:
    phases: dict[int, list[Phase]] = defaultdict(list)
    for phase in Phase.objects.filter(prescription_id__in=rx_ids).order_by("prescription", "order"):
        phases[phase.prescription_id].append(phase)
    return phases


def median(values: Sequence[float]) -> float | None:
    ordered = sorted(values)
    middle = len(ordered) // 2
    if not ordered:
        return None
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def _medians(rx_ids: list[int]) -> dict[int, float | None]:
    """The median days between counted maintenance injections, per prescription."""
    rows = (
        Dose.objects.filter(prescription_id__in=rx_ids, phase__kind=PhaseKind.MAINTENANCE)
        .counted()
        .order_by("prescription_id", "injection__given_on")
        .values_list("prescription_id", "injection__given_on")
    )
    dates: dict[int, list[date]] = defaultdict(list)
    for rx_id, given_on in rows:
        dates[rx_id].append(given_on)
    return {
        rx_id: median([(b - a).days for a, b in pairwise(days)]) for rx_id, days in dates.items()
    }


def _open_flags(patient_ids: Iterable[int]) -> dict[int, list[str]]:
    """The kind of every open flag, per patient (a kind twice counts twice)."""
    kinds: dict[int, list[str]] = defaultdict(list)
    rows = (
        _flag_model()
        ._default_manager.filter(patient_id__in=list(patient_ids), status="open")
        .order_by()
        .values_list("patient_id", "kind")
    )
    for patient_id, kind in rows:
        kinds[patient_id].append(kind)
    return kinds


def terms_for(name: str, email: str) -> set[str]:
    """The lower-cased words a patient is found by: the whole name, each word, the email."""
    name = " ".join(name.lower().split())
    return {term[:254] for term in {name, *name.split(), email.lower()} if term}


# --- writing ---------------------------------------------------------------------------------


@transaction.atomic
def summaries_refresh(*, patient_ids: Iterable[int], now: datetime | None = None) -> int:
    """Recompute and store the summaries of these patients, 500 at a time (ids that are not
    patients are skipped); returns how many were written."""
    now = now or timezone.now()
    return sum(_refresh(chunk, now) for chunk in chunks(sorted(set(patient_ids))))


def _refresh(ids: list[int], now: datetime) -> int:
    rows = computed(patient_ids=ids, now=now)
    if not rows:
        return 0
    before = dict(
        PatientSummary.objects.filter(pk__in=[row.pk for row in rows]).values_list(
            "pk", "sort_name"
        )
    )
    PatientSummary.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=["patient"], update_fields=FIELDS
    )
    _store_terms([row for row in rows if before.get(row.pk) != row.sort_name])
    return len(rows)


def _store_terms(rows: list[PatientSummary]) -> None:
    """New search terms for the rows whose name changed (or that are new)."""
    if not rows:
        return
    emails = dict(User.objects.filter(pk__in=[r.pk for r in rows]).values_list("pk", "email"))
    PatientSearchTerm.objects.filter(summary_id__in=[r.pk for r in rows]).delete()
    PatientSearchTerm.objects.bulk_create(
        PatientSearchTerm(summary_id=row.pk, term=term)
        for row in rows
        for term in sorted(terms_for(row.name, emails.get(row.pk, "")))
    )


@transaction.atomic
def summaries_flags_refresh(*, patient_ids: Iterable[int]) -> None:
    """Only the open-flag figures of these patients (a flag was raised, acted on or ended):
    two queries. A patient with no summary yet gets a whole one."""
    ids = set(patient_ids)
    if not ids:
        return
    rows = list(
        PatientSummary.objects.filter(pk__in=ids).only(
            "pk", "open_flags", "flag_kinds", "updated_at"
        )
    )
    flags = _open_flags(ids)
    now = timezone.now()
    for row in rows:
        row.open_flags = len(flags.get(row.pk, []))
        row.flag_kinds = sorted(set(flags.get(row.pk, [])))
        row.updated_at = now
    PatientSummary.objects.bulk_update(rows, ["open_flags", "flag_kinds", "updated_at"])
    missing = ids - {row.pk for row in rows}
    if missing:
        summaries_refresh(patient_ids=missing)


def summaries_refresh_stale(*, now: datetime) -> int:
    """Recount the rows whose counts may have moved with the days (a dose left the 90-day
    window, a window closed): a sweep's work, safe to run twice."""
    horizon = (now + _EASTMOST).date()
    stale = PatientSummary.objects.filter(fresh_until__lte=horizon).values_list("pk", flat=True)
    return summaries_refresh(patient_ids=list(stale), now=now)


def summaries_rebuild(*, now: datetime | None = None) -> int:
    """Every patient's summary from scratch, a chunk at a time."""
    now = now or timezone.now()
    ids = User.objects.filter(role=Role.PATIENT).values_list("pk", flat=True)
    return summaries_refresh(patient_ids=list(ids), now=now)


def chunks(ids: list[int]) -> Iterator[list[int]]:
    for first in range(0, len(ids), CHUNK):
        yield ids[first : first + CHUNK]


# --- receivers: the changes that move a summary ----------------------------------------------


def _prescription_changed(sender: object, prescription: Prescription, **kwargs: object) -> None:
    summaries_refresh(patient_ids=[prescription.patient_id])


def _profile_saved(sender: object, instance: PatientProfile, **kwargs: object) -> None:
    summaries_refresh(patient_ids=[instance.user_id])


def _user_saved(
    sender: object, instance: User, created: bool, update_fields: Any = None, **kwargs: object
) -> None:
    # A sign-in saves only last_login: nothing the summary shows.
    if instance.role == Role.PATIENT and (update_fields is None or "email" in update_fields):
        summaries_refresh(patient_ids=[instance.pk])


def _flag_saved(sender: object, instance: Any, **kwargs: object) -> None:
    summaries_flags_refresh(patient_ids=[instance.patient_id])


def connect() -> None:
    for signal in (plan_changed, prescription_stopped, regimen_changed):
        signal.connect(_prescription_changed, dispatch_uid=f"summary.{id(signal)}")
    post_save.connect(_profile_saved, sender=PatientProfile, dispatch_uid="summary.profile")
    post_save.connect(_user_saved, sender=User, dispatch_uid="summary.user")
    post_save.connect(_flag_saved, sender="monitoring.Flag", dispatch_uid="summary.flag")
    post_delete.connect(_flag_saved, sender="monitoring.Flag", dispatch_uid="summary.flag_gone")
