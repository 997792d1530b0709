"""The figures of one page of the patients list: for each sorted patient, the regimen, current
phase, last injection, adherence counts, median interval and open flag kinds.

Five queries for a page, whatever its patients' number of doses.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

from django.db.models import OuterRef, Subquery

from accounts.models import User
from core.clock import zone_today
from monitoring.models import Flag
from schedules.models import Injection, Phase, PhaseKind, Prescription

from . import per_patient
from .metrics import Counts, counts_by_prescription, median_intervals

if TYPE_CHECKING:
    from .per_patient import SortedPatient

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


_NO_COUNTS = (Counts(), Counts())


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
        labels: dict[str, str] = dict(Flag.Kind.choices)
        return [labels.get(kind, kind) for kind in self.flag_kinds]

    @property
    def flag_short_labels(self) -> list[str]:
        return [SHORT_KIND_LABELS.get(kind, kind) for kind in self.flag_kinds]


@dataclass(frozen=True)
class _Details:
    """What a row shows beside its sort keys, read for one page only."""

    rx_id: int | None
    regimen: str
    current_phase_id: int | None
    last_injection: date | None


@dataclass(frozen=True)
class _Figures:
    """One page's figures: by prescription (counts, phases, medians) and by patient (kinds)."""

    counts: dict[int, tuple[Counts, Counts]]
    phases: dict[int, list[Phase]]
    medians: dict[int, float | None]
    kinds: dict[int, list[str]]


def rows_for(page: Iterable[SortedPatient], *, now: datetime) -> list[PatientRow]:
    """Figures for one page of sorted patients, in their order: the row details, adherence
    counts, phases, open flag kinds and maintenance dates (five queries)."""
    users = list(page)
    details = _details([user.pk for user in users])
    todays = {user.pk: zone_today(_zone(user), now=now) for user in users}
    rx_todays = {d.rx_id: todays[pk] for pk, d in details.items() if d.rx_id}
    figures = _Figures(
        counts=counts_by_prescription(rx_todays),
        phases=_phases(list(rx_todays)),
        medians=median_intervals(list(rx_todays)),
        kinds=_flag_kinds([user.pk for user in users]),
    )
    return [_row(user, details[user.pk], todays[user.pk], figures) for user in users]


def _row(user: SortedPatient, detail: _Details, today: date, figures: _Figures) -> PatientRow:
    rx_id = detail.rx_id
    own = figures.phases.get(rx_id, []) if rx_id else []
    recent, overall = figures.counts.get(rx_id, _NO_COUNTS) if rx_id else _NO_COUNTS
    return PatientRow(
        patient=user,
        today=today,
        prescription_id=rx_id,
        regimen=detail.regimen,
        phase=next((p for p in own if p.pk == detail.current_phase_id), None),
        next_due=user.next_due,
        last_injection=detail.last_injection,
        open_flags=user.open_flags,
        flag_kinds=figures.kinds.get(user.pk, []),
        recent=recent,
        overall=overall,
        median_interval=figures.medians.get(rx_id) if rx_id else None,
        prescribed=next((p for p in reversed(own) if p.kind == PhaseKind.MAINTENANCE), None),
    )


def _zone(user: User) -> str:
    profile = getattr(user, "patient_profile", None)
    return profile.time_zone if profile else NO_ZONE


def _details(ids: list[int]) -> dict[int, _Details]:
    active = Prescription.objects.filter(patient=OuterRef("pk"), status=Prescription.Status.ACTIVE)
    last_injection = (
        Injection.objects.recorded().filter(patient=OuterRef("pk")).order_by("-given_on")
    )
    rows = (
        User.objects.filter(pk__in=ids)
        .annotate(
            rx_id=Subquery(active.values("pk")[:1]),
            regimen=Subquery(active.values("regimen_name")[:1]),
            current_phase_id=per_patient.current_phase_id(),
            last_injection=Subquery(last_injection.values("given_on")[:1]),
        )
        .values_list("pk", "rx_id", "regimen", "current_phase_id", "last_injection")
    )
    return {
        pk: _Details(rx_id, regimen or "", phase_id, last)
        for pk, rx_id, regimen, phase_id, last in rows
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
