"""One patient's page and printable report for their clinician: adherence per phase, the
intervals between injections, what is coming up, flags and the timeline; and the patient's
phases an action on that page names.

Six queries whatever the length of the history; per-phase counts are aggregated in SQL.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from django.db.models import Count

from accounts.models import User
from core.clock import local_today
from monitoring.models import Flag
from schedules import states
from schedules.models import Phase, PhaseKind, Prescription

from .metrics import Counts, median
from .rated import rated_doses, rated_injections
from .timeline import TimelineEntry, change_events, timeline

if TYPE_CHECKING:
    from .rated import RatedDose, RatedInjection

UPCOMING = 6
RECENT_TIMELINE = timedelta(days=180)


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


@dataclass
class PatientOverview:
    patient: User
    today: date
    prescription: Prescription | None
    phases: list[PhaseRow] = field(default_factory=list)
    upcoming: list[RatedDose] = field(default_factory=list)
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
        """The last phase, if it is ongoing maintenance that has not been closed."""
        last = self.phases[-1].phase if self.phases else None
        if last is None or last.closed_on:
            return None
        return last if last.kind == PhaseKind.MAINTENANCE and last.bound == "ongoing" else None

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
        return [flag for flag in self.flags if flag.status in Flag.UNRESOLVED]


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
    """Everything the page shows, on the patient's today; the timeline covers the last six
    months unless `whole_history`."""
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
        .select_related("dose", "acted_by__clinician_profile", "acted_by__patient_profile")
        .order_by("-raised_at", "-pk")
    )
    events = change_events(patient, since)
    doses: list[RatedDose] = []
    if prescription is not None:
        overview.phases = _phase_rows(prescription, today)
        doses = rated_doses(prescription, today)
        overview.injections = rated_injections(prescription)
        # Open and not missed: still to be given, and its window has not closed.
        overview.upcoming = [d for d in doses if d.is_open and not d.is_missed][:UPCOMING]
        overview.intervals = interval_points(doses)
    overview.timeline = timeline(
        doses, overview.injections, overview.flags, events, today=today, zone=zone, since=since
    )
    return overview


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


def phase_for_patient(*, patient: User, phase_id: int) -> Phase | None:
    """One of the patient's phases, with what closing it needs; None for anyone else's."""
    return (
        Phase.objects.filter(pk=phase_id, prescription__patient=patient)
        .select_related("prescription__patient__patient_profile")
        .first()
    )
