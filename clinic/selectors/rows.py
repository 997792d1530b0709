"""The rows of the patients list: each patient's stored summary with the figures that depend
on the day (days overdue) worked out on the patient's own today. No query of its own: the
summaries come with their patient and phases already joined.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from accounts.models import User
from core.clock import zone_today
from monitoring.models import Flag, PatientSummary
from schedules.models import Phase

from .metrics import Counts

# A patient without a profile (so without a home zone) is counted on the UTC date.
NO_ZONE = "UTC"
# Short enough for a table cell; the full labels are the model's choices.
SHORT_KIND_LABELS: dict[str, str] = {
    Flag.Kind.MISSED_LOADING: "Missed loading dose",
    Flag.Kind.MISSED_MAINTENANCE: "Missed maintenance dose",
    Flag.Kind.MAINTENANCE_OVERDUE: "Maintenance overdue",
    Flag.Kind.REPEATED_MISSES: "Repeated misses",
    Flag.Kind.LOADING_REVIEW: "Loading review due",
    Flag.Kind.THREE_MONTH_REVIEW: "3-month review due",
    Flag.Kind.REGIMEN_MISMATCH: "Check the regimen",
    Flag.Kind.EXPIRED_AMPOULE: "Expired ampoule",
    Flag.Kind.RED_FLAG_SYMPTOM: "Urgent symptom",
    Flag.Kind.SYMPTOMS_RETURN_EARLY: "Symptoms return early",
    Flag.Kind.TINGLING_WORSE: "Tingling worse",
    Flag.Kind.LOW_B12_ON_MAINTENANCE: "Low B12 on maintenance",
    Flag.Kind.TEST_OVERDUE: "Test overdue",
}


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
    recent: Counts
    overall: Counts
    flag_kinds: list[str] = field(default_factory=list)
    median_interval: float | None = None
    prescribed: Phase | None = None  # the maintenance phase the median is compared with
    summary_name: str = ""
    # Changes whenever anything the row shows does (its summary was rewritten, or the
    # patient's day turned): the key of the row's cached HTML.
    version: str = ""

    @property
    def name(self) -> str:
        return self.summary_name or self.patient.email

    @property
    def phase_text(self) -> str:
        """The current phase as the list shows it under the regimen."""
        phase = self.phase
        if phase is None:
            return ""
        words = f"{phase.get_kind_display()}, {phase.cadence().describe()}"
        return words + (", open-ended" if phase.bound == "open" and not phase.closed_on else "")

    @property
    def next_due_text(self) -> str:
        return _day(self.next_due)

    @property
    def last_injection_text(self) -> str:
        return _day(self.last_injection)

    @property
    def median_text(self) -> str:
        """Days, without a trailing ".0" (31 days, 31.5 days); a dash before there are two."""
        if self.median_interval is None:
            return "—"
        return f"{self.median_interval:g} days"

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
        labels: dict[str, str] = dict(Flag.Kind.choices)
        return [labels.get(kind, kind) for kind in self.flag_kinds]

    @property
    def flag_short_labels(self) -> list[str]:
        return [SHORT_KIND_LABELS.get(kind, kind) for kind in self.flag_kinds]


def _day(day: date | None) -> str:
    """A date as the clinic pages write it (20 Jul 2025); a dash for none. Formatted here
    rather than by the template's date filter: fifty rows a page, two dates a row."""
    return f"{day.day} {day:%b %Y}" if day else "—"


def rows_for(summaries: Iterable[PatientSummary], *, now: datetime) -> list[PatientRow]:
    """One row per summary, in the order given, each on its patient's today."""
    return [
        _row(summary, zone_today(summary.time_zone or NO_ZONE, now=now)) for summary in summaries
    ]


def _row(summary: PatientSummary, today: date) -> PatientRow:
    return PatientRow(
        patient=summary.patient,
        today=today,
        prescription_id=summary.prescription_id,
        regimen=summary.regimen,
        phase=summary.phase,
        next_due=summary.next_due,
        last_injection=summary.last_injection,
        open_flags=summary.open_flags,
        flag_kinds=list(summary.flag_kinds),
        recent=Counts(summary.on_time_90, summary.late_90, summary.missed_90),
        overall=Counts(summary.on_time, summary.late, summary.missed),
        median_interval=summary.median_interval,
        prescribed=summary.maintenance,
        summary_name=summary.name,
        version=f"{summary.pk}:{summary.updated_at.isoformat()}:{today.isoformat()}",
    )
