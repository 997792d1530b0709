"""Reads for one patient's clinician page and printable report: adherence per phase, the
intervals between injections, what is coming up, open flags, notes and the timeline.

Six queries whatever the length of the history; per-phase counts are aggregated in SQL.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Count, F, Q

from accounts.models import AuditEvent, User
from monitoring.actions import PATIENT_NOTE
from monitoring.models import Flag
from schedules.models import Dose, Injection, Phase, PhaseKind, Prescription

from .selectors import LATE, MISSED, ON_TIME, OPEN_DOSE, Counts, median

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
    injections: list[Injection] = field(default_factory=list)
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
    zone = ZoneInfo(patient.patient_profile.time_zone)
    today = now.astimezone(zone).date()
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
    doses = list(
        Dose.objects.filter(prescription=prescription)
        .exclude(status=Dose.Status.CANCELLED)
        .select_related("injection", "phase")
        .order_by("due")
    )
    overview.injections = list(
        Injection.objects.filter(prescription=prescription)
        .select_related("replaces", "logged_by")
        .order_by("-given_on", "-pk")
    )
    overview.upcoming = [
        dose
        for dose in doses
        if dose.status in OPEN_DOSE and dose.injection_id is None and dose.latest >= today
    ][:UPCOMING]
    overview.intervals = interval_points(doses)
    overview.timeline = _timeline(
        doses, overview.injections, overview.flags, events, since, today, zone
    )
    return overview


def _phase_rows(prescription: Prescription, today: date) -> list[PhaseRow]:
    phases = (
        Phase.objects.filter(prescription=prescription)
        .annotate(
            on_time=Count("doses", filter=_on_doses(ON_TIME)),
            late=Count("doses", filter=_on_doses(LATE)),
            missed=Count("doses", filter=_on_doses(MISSED)),
            open=Count(
                "doses",
                filter=Q(doses__status__in=OPEN_DOSE, doses__injection__isnull=True),
            ),
        )
        .order_by("order")
    )
    return [PhaseRow(p, Counts(p.on_time, p.late, p.missed), p.open) for p in phases]


def _on_doses(condition: Q) -> Q:
    """The same metric condition, seen from Phase through its doses."""
    return Q(
        *[_on_doses(c) if isinstance(c, Q) else _prefixed(c) for c in condition.children],
        _connector=condition.connector,
        _negated=condition.negated,
    )


def _prefixed(child: tuple) -> tuple:
    lookup, value = child
    if isinstance(value, F):
        value = F(f"doses__{value.name}")
    return (f"doses__{lookup}", value)


def interval_points(doses: list[Dose]) -> list[IntervalPoint]:
    """For each counted injection, in date order: days since the previous counted injection,
    and days the schedule planned from the previous dose (its injection date if given)."""
    points: list[IntervalPoint] = []
    previous_given: date | None = None
    handover: date | None = None
    previous_kind = ""
    for dose in doses:
        injection = dose.injection
        counted = (
            injection is not None
            and injection.status == Injection.Status.RECORDED
            and not injection.extra
        )
        if counted:
            both_maintenance = dose.phase.kind == PhaseKind.MAINTENANCE == previous_kind
            points.append(
                IntervalPoint(
                    given_on=injection.given_on,
                    phase=dose.phase.get_kind_display(),
                    actual=(injection.given_on - previous_given).days if previous_given else None,
                    prescribed=(dose.due - handover).days if handover else None,
                    maintenance=both_maintenance,
                )
            )
            previous_given, previous_kind = injection.given_on, dose.phase.kind
        elif dose.status != Dose.Status.MISSED:
            continue  # not yet settled: nothing to draw
        handover = injection.given_on if counted else dose.due
    return points


def maintenance_gaps(points: list[IntervalPoint]) -> list[int]:
    return [p.actual for p in points if p.maintenance and p.actual is not None]


def _events(patient: User, since: date | None) -> list[AuditEvent]:
    rows = AuditEvent.objects.filter(
        patient=patient, action__in=list(CHANGE_ACTIONS)
    ).select_related("actor__clinician_profile", "actor__patient_profile")
    if since is not None:
        rows = rows.filter(at__date__gte=since)
    return list(rows.order_by("-at", "-pk"))


def notes(events: list[AuditEvent]) -> list[AuditEvent]:
    return [event for event in events if event.action == PATIENT_NOTE]


def _timeline(
    doses: list[Dose],
    injections: list[Injection],
    flags: list[Flag],
    events: list[AuditEvent],
    since: date | None,
    today: date,
    zone: ZoneInfo,
) -> list[TimelineEntry]:
    entries = [_dose_entry(dose, today) for dose in doses if dose.due <= today or dose.injection_id]
    # No dose took it: confirmed as too soon, or dated outside every window (DOMAIN.md "extra").
    taken = {dose.injection_id for dose in doses if dose.injection_id}
    entries += [
        _injection_entry(i)
        for i in injections
        if i.status != "recorded" or i.extra or i.pk not in taken
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


def _flag_entry(flag: Flag, zone: ZoneInfo) -> TimelineEntry:
    detail = flag.get_status_display()
    if flag.note:
        detail += f". {flag.note.splitlines()[-1]}"
    day = flag.raised_at.astimezone(zone).date()
    return TimelineEntry(day, "flag", f"Flag: {flag.get_kind_display()}", detail, flag.status)


def _event_entry(event: AuditEvent, zone: ZoneInfo) -> TimelineEntry:
    who = event.actor.display_name if event.actor else "Automatic"
    title = CHANGE_ACTIONS.get(event.action, event.action)
    day = event.at.astimezone(zone).date()
    if event.action == PATIENT_NOTE:
        return TimelineEntry(day, "note", f"Note by {who}", event.detail.get("text", ""))
    return TimelineEntry(day, "change", title, f"By {who}")
