"""Reads for one patient's clinician page and printable report: adherence per phase, the
intervals between injections, what is coming up, open flags, notes and the timeline.

Six queries whatever the length of the history; per-phase counts are aggregated in SQL.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, TypedDict, cast

from django.db.models import BooleanField, Count, ExpressionWrapper

from accounts.models import AuditEvent, User
from core.clock import local_today, zone_today
from monitoring.actions import PATIENT_NOTE
from monitoring.models import Flag
from schedules import states
from schedules.models import Dose, Injection, InjectionQuerySet, Phase, PhaseKind, Prescription

from .selectors import Counts, median

UPCOMING = 6
RECENT_TIMELINE = timedelta(days=180)
CHANGE_ACTIONS = {
    "prescription.created": "Prescription recorded",
    "prescription.changed": "Prescription changed",
    "prescription.confirmed": "Prescription confirmed",
    "prescription.interval_changed": "Maintenance interval changed",
    "phase.closed": "Loading phase ended",
    "flag.acknowledged": "Flag acknowledged",
    "flag.resolved": "Flag resolved",
    "flag.note_added": "Note added to a flag",
    PATIENT_NOTE: "Note",
}


if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    class _DoseStates(TypedDict):
        is_open: bool
        is_counted: bool
        is_missed: bool

    class _InjectionStates(TypedDict):
        is_extra: bool

    # Doses and injections rated by schedules' one definition of each state, in the query that
    # loads them: a live dose on the page's today, an injection as extra or a dose. (Only for
    # the type checker: WithAnnotations takes one argument at run time.)
    RatedDose = WithAnnotations[Dose, _DoseStates]
    RatedInjection = WithAnnotations[Injection, _InjectionStates]


@dataclass(frozen=True)
class PhaseRow:
    phase: Phase
    counts: Counts
    upcoming: int

    @property
    def label(self) -> str:
        return phase_label(self.phase)


@dataclass(frozen=True)
class IntervalPoint:
    given_on: date
    phase: str
    actual: int | None  # days since the previous counted injection
    prescribed: int | None  # days the schedule planned between the previous dose and this one
    maintenance: bool


@dataclass(frozen=True)
class TimelineEntry:
    day: date
    kind: str  # dose, injection, flag, change, note
    title: str
    detail: str = ""
    status: str = ""


@dataclass
class PatientOverview:
    patient: User
    today: date
    prescription: Prescription | None
    phases: list[PhaseRow] = field(default_factory=list)
    upcoming: list[Dose] = field(default_factory=list)
    intervals: list[IntervalPoint] = field(default_factory=list)
    injections: list[RatedInjection] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)
    timeline: list[TimelineEntry] = field(default_factory=list)
    timeline_from: date | None = None

    @property
    def open_phase(self) -> Phase | None:
        """The open-ended loading phase a clinician can end, if there is one."""
        return next(
            (
                row.phase
                for row in self.phases
                if row.phase.bound == "open" and row.phase.closed_on is None
            ),
            None,
        )

    @property
    def maintenance_phase(self) -> Phase | None:
        last = self.phases[-1].phase if self.phases else None
        ongoing = last and last.kind == "maintenance" and last.bound == "ongoing"
        return last if ongoing and not last.closed_on else None

    @property
    def median_interval(self) -> float | None:
        return median([p.actual for p in self.intervals if p.maintenance and p.actual is not None])

    @property
    def total(self) -> Counts:
        return Counts(
            sum(r.counts.on_time for r in self.phases),
            sum(r.counts.late for r in self.phases),
            sum(r.counts.missed for r in self.phases),
        )

    @property
    def unresolved_flags(self) -> list[Flag]:
        return [flag for flag in self.flags if flag.status != Flag.Status.RESOLVED]


def phase_label(phase: Phase) -> str:
    words = f"{phase.get_kind_display()}, {phase.cadence().describe()}"
    if phase.bound == "count":
        return f"{words}, {phase.count} doses"
    if phase.bound == "duration":
        return f"{words}, for {phase.duration_days} days"
    if phase.bound == "open":
        return f"{words}, {'ended ' + str(phase.closed_on) if phase.closed_on else 'open-ended'}"
    if phase.closed_on:
        return f"{words}, until {phase.closed_on}"
    return f"{words}, ongoing"


def patient_overview(
    *, patient: User, now: datetime, whole_history: bool = False
) -> PatientOverview:
    today = local_today(patient, now=now)
    zone = patient.patient_profile.time_zone
    prescription = (
        Prescription.objects.filter(patient=patient, status=Prescription.Status.ACTIVE)
        .select_related("prescriber__clinician_profile")
        .first()
    )
    since = None if whole_history else today - RECENT_TIMELINE
    overview = PatientOverview(patient=patient, today=today, prescription=prescription)
    overview.timeline_from = since
    overview.flags = list(
        Flag.objects.filter(patient=patient)
        .select_related("dose", "acted_by__clinician_profile")
        .order_by("-raised_at", "-pk")
    )
    events = _events(patient, since)
    if prescription is None:
        overview.timeline = _timeline([], [], overview.flags, events, since, today, zone)
        return overview
    overview.phases = _phase_rows(prescription, today)
    doses = _rated_doses(prescription, today)
    overview.injections = _rated_injections(prescription)
    # Open and not missed is open with its window still open on today.
    overview.upcoming = [dose for dose in doses if dose.is_open and not dose.is_missed][:UPCOMING]
    overview.intervals = interval_points(doses)
    overview.timeline = _timeline(
        doses, overview.injections, overview.flags, events, since, today, zone
    )
    return overview


def _rated_doses(prescription: Prescription, today: date) -> list[RatedDose]:
    rows = (
        Dose.objects.filter(prescription=prescription)
        .live()
        .annotate(
            is_open=ExpressionWrapper(states.open_(), output_field=BooleanField()),
            is_counted=ExpressionWrapper(states.counted(), output_field=BooleanField()),
            is_missed=ExpressionWrapper(states.missed(today), output_field=BooleanField()),
        )
        .select_related("injection", "phase")
        .order_by("due")
    )
    # The stubs iterate a DoseQuerySet as plain Dose; the rows do carry the annotations.
    return cast("list[RatedDose]", list(rows))


def _rated_injections(prescription: Prescription) -> list[RatedInjection]:
    rows = (
        Injection.objects.filter(prescription=prescription)
        .annotate(is_extra=ExpressionWrapper(InjectionQuerySet.q_extra(), BooleanField()))
        .select_related("replaces", "logged_by")
        .order_by("-given_on", "-pk")
    )
    # As for doses: the stubs iterate an InjectionQuerySet as plain Injection.
    return cast("list[RatedInjection]", list(rows))


def _phase_rows(prescription: Prescription, today: date) -> list[PhaseRow]:
    doses = "doses__"
    missed = states.missed(today, doses)
    phases = (
        Phase.objects.filter(prescription=prescription)
        .annotate(
            on_time=Count("doses", filter=states.on_time(doses)),
            late=Count("doses", filter=states.late(doses)),
            missed=Count("doses", filter=missed),
            # Still to come: open, and not already missed on today.
            open=Count("doses", filter=states.open_(doses) & ~missed),
        )
        .order_by("order")
    )
    return [PhaseRow(p, Counts(p.on_time, p.late, p.missed), p.open) for p in phases]


def interval_points(doses: list[RatedDose]) -> list[IntervalPoint]:
    """For each counted injection, in date order: days since the previous counted injection,
    and days the schedule planned from the previous dose (its injection date if given)."""
    points: list[IntervalPoint] = []
    previous_given: date | None = None
    handover: date | None = None
    previous_kind = ""
    for dose in doses:
        injection = dose.injection
        if dose.is_counted and injection is not None:
            points.append(
                IntervalPoint(
                    given_on=injection.given_on,
                    phase=dose.phase.get_kind_display(),
                    actual=(injection.given_on - previous_given).days if previous_given else None,
                    prescribed=(dose.due - handover).days if handover else None,
                    maintenance=dose.phase.kind == PhaseKind.MAINTENANCE == previous_kind,
                )
            )
            previous_given, previous_kind = injection.given_on, dose.phase.kind
            handover = injection.given_on
        elif dose.is_missed:
            handover = dose.due
        # Otherwise not yet settled: nothing to draw.
    return points


def _events(patient: User, since: date | None) -> list[AuditEvent]:
    rows = AuditEvent.objects.filter(
        patient=patient, action__in=list(CHANGE_ACTIONS)
    ).select_related("actor__clinician_profile", "actor__patient_profile")
    if since is not None:
        rows = rows.filter(at__date__gte=since)
    return list(rows.order_by("-at", "-pk"))


def _timeline(
    doses: list[RatedDose],
    injections: list[RatedInjection],
    flags: list[Flag],
    events: list[AuditEvent],
    since: date | None,
    today: date,
    zone: str,
) -> list[TimelineEntry]:
    entries = [_dose_entry(dose, today) for dose in doses if dose.due <= today or dose.injection_id]
    # Voided and corrected entries, and extra ones: confirmed as too soon, or dated outside
    # every window (docs/schedule-semantics.md#extra-injections).
    entries += [
        _injection_entry(i)
        for i in injections
        if i.status != Injection.Status.RECORDED or i.is_extra
    ]
    entries += [_flag_entry(flag, zone) for flag in flags]
    entries += [_event_entry(event, zone) for event in events]
    if since is not None:
        entries = [entry for entry in entries if entry.day >= since]
    return sorted(entries, key=lambda entry: entry.day, reverse=True)


def _dose_entry(dose: Dose, today: date) -> TimelineEntry:
    status = dose.status_on(today)
    title = f"{dose.phase.get_kind_display()} dose {dose.sequence} due"
    injection = dose.injection
    if status == "taken" and injection is not None:
        late = (injection.given_on - dose.due).days
        when = "on time" if late <= 0 else f"{late} day{'s' if late != 1 else ''} late"
        detail = f"Given on {injection.given_on:%-d %b %Y}, {when}"
        if injection.replaces_id:
            detail += " (a corrected entry)"
        return TimelineEntry(dose.due, "dose", title, detail, "late" if late > 0 else "taken")
    if status == "missed":
        detail = f"Missed: not given by {dose.latest:%-d %b %Y}"
    else:
        detail = f"Not given yet; window until {dose.latest:%-d %b %Y}"
    return TimelineEntry(dose.due, "dose", title, detail, status)


def _injection_entry(injection: Injection) -> TimelineEntry:
    if injection.status == Injection.Status.VOIDED:
        return TimelineEntry(
            injection.given_on,
            "injection",
            "Injection entry voided",
            injection.reason or "No reason given",
            "voided",
        )
    if injection.status == Injection.Status.CORRECTED:
        return TimelineEntry(
            injection.given_on,
            "injection",
            "Injection entry corrected",
            injection.reason or "Replaced by a corrected entry",
            "corrected",
        )
    why = "Given too soon after another" if injection.extra else "Outside every dose window"
    return TimelineEntry(
        injection.given_on,
        "injection",
        "Extra injection (not a dose)",
        f"{why}; it does not move the schedule",
        "extra",
    )


def _flag_entry(flag: Flag, zone: str) -> TimelineEntry:
    detail = flag.get_status_display()
    if flag.note:
        detail += f". {flag.note.splitlines()[-1]}"
    day = zone_today(zone, now=flag.raised_at)
    return TimelineEntry(day, "flag", f"Flag: {flag.get_kind_display()}", detail, flag.status)


def _event_entry(event: AuditEvent, zone: str) -> TimelineEntry:
    who = event.actor.display_name if event.actor else "Automatic"
    title = CHANGE_ACTIONS.get(event.action, event.action)
    day = zone_today(zone, now=event.at)
    if event.action == PATIENT_NOTE:
        return TimelineEntry(day, "note", f"Note by {who}", event.detail.get("text", ""))
    return TimelineEntry(day, "change", title, f"By {who}")
