"""The review sweep: flags raised by time passing rather than by one missed dose.

Maintenance overdue by more than 7 days, two or more misses in 90 days, open-ended loading
running 4 weeks without a review, and the review 3 months after the start (NICE NG239). Each
flag is raised once (database unique keys), so the sweep is safe to run twice, late or in
parallel. Dates are the patient's calendar dates in their home time zone.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TypeVar

from dateutil.relativedelta import relativedelta
from django.db import IntegrityError, transaction
from django.db.models import Exists, Min, Model, OuterRef, QuerySet

from accounts.audit import log_action
from core.clock import local_today
from schedules import states
from schedules.models import Dose, Phase, PhaseKind, Prescription

from .models import Flag

M = TypeVar("M", bound=Model)

OVERDUE_AFTER_DAYS = 7  # "more than 7 days" overdue
MISSES_WINDOW = timedelta(days=90)
MISSES_TO_FLAG = 2
LOADING_REVIEW_AFTER = timedelta(days=28)
REVIEW_MONTHS = 3
# A prescription entered long after it started (history typed in later) gets no "3-month
# review due" flag for a review that is long past: only within this time after the date.
REVIEW_STILL_NEWS = timedelta(days=60)
LOADING_KINDS = (PhaseKind.REPLETION, PhaseKind.CONSOLIDATION)
# Every zone's calendar date is within a day of the UTC date: queries use that margin,
# then each candidate is checked against its own patient's date.
_DAY = timedelta(days=1)


@dataclass
class ReviewResult:
    maintenance_overdue: int = 0
    repeated_misses: int = 0
    loading_review: int = 0
    three_month_review: int = 0

    @property
    def total(self) -> int:
        return (
            self.maintenance_overdue
            + self.repeated_misses
            + self.loading_review
            + self.three_month_review
        )


def raise_review_flags(*, now: datetime, only: int | None = None) -> ReviewResult:
    """Every active prescription's review flags, or only those of the prescription `only`
    (what a change to its data calls, a few queries)."""
    return ReviewResult(
        maintenance_overdue=flag_overdue_maintenance(now=now, only=only),
        repeated_misses=flag_repeated_misses(now=now, only=only),
        loading_review=flag_loading_reviews(now=now, only=only),
        three_month_review=flag_three_month_reviews(now=now, only=only),
    )


def _scoped(rows: QuerySet[M], field: str, only: int | None) -> QuerySet[M]:
    return rows if only is None else rows.filter(**{field: only})


def raise_flag(
    *,
    kind: str,
    prescription: Prescription,
    now: datetime,
    dose: Dose | None = None,
    key: str = "",
    summary: str = "",
    detail: dict[str, object] | None = None,
) -> bool:
    """Raise one flag and audit it; False if it was raised before."""
    patient = prescription.patient
    try:
        with transaction.atomic():  # a savepoint: a duplicate leaves the caller's work intact
            flag = Flag.objects.create(
                patient=patient,
                prescription=prescription,
                dose=dose,
                kind=kind,
                key=key,
                summary=summary,
                raised_at=now,
            )
            log_action(
                actor=None,
                action="flag.raised",
                patient=patient,
                obj=flag,
                detail={"kind": kind, **(detail or {})},
            )
    except IntegrityError:
        return False  # raised before (by an earlier or a parallel sweep)
    return True


def flag_overdue_maintenance(*, now: datetime, only: int | None = None) -> int:
    """A maintenance dose more than 7 days past its date, not given, its window still open
    (a range cadence such as every 2–3 months). Once its window closes it is missed and the
    missed-dose flag takes over, so the two never both fire for the same day."""
    utc = now.date()
    flagged = Flag.objects.filter(dose=OuterRef("pk"), kind=Flag.Kind.MAINTENANCE_OVERDUE)
    doses = (
        Dose.objects.open()
        .filter(
            phase__kind=PhaseKind.MAINTENANCE,
            prescription__status=Prescription.Status.ACTIVE,
            due__lt=utc + _DAY - timedelta(days=OVERDUE_AFTER_DAYS),
            latest__gte=utc - _DAY,
        )
        .exclude(Exists(flagged))
        .select_related("prescription__patient__patient_profile")
    )
    raised = 0
    for dose in _scoped(doses, "prescription_id", only):
        today = local_today(dose.prescription.patient, now=now)
        if (today - dose.due).days > OVERDUE_AFTER_DAYS and dose.latest >= today:
            detail = {"dose": dose.pk, "due": dose.due.isoformat()}
            raised += raise_flag(
                kind=Flag.Kind.MAINTENANCE_OVERDUE,
                prescription=dose.prescription,
                dose=dose,
                now=now,
                detail=detail,
            )
    return raised


def flag_repeated_misses(*, now: datetime, only: int | None = None) -> int:
    """Two or more missed doses due in the last 90 days. The flag hangs on the latest miss;
    while one is still open or acknowledged for the prescription, no second one is raised."""
    utc = now.date()
    misses = (
        Dose.objects.filter(
            status=Dose.Status.MISSED,
            prescription__status=Prescription.Status.ACTIVE,
            due__gte=utc - _DAY - MISSES_WINDOW,
        )
        .select_related("prescription__patient__patient_profile")
        .order_by("prescription_id", "due")
    )
    by_prescription: dict[int, list[Dose]] = defaultdict(list)
    for dose in _scoped(misses, "prescription_id", only):
        by_prescription[dose.prescription_id].append(dose)
    if not by_prescription:
        return 0
    pending = set(
        Flag.objects.filter(
            kind=Flag.Kind.REPEATED_MISSES,
            status__in=Flag.UNRESOLVED,
            prescription_id__in=list(by_prescription),
        ).values_list("prescription_id", flat=True)
    )
    raised = 0
    for prescription_id, doses in by_prescription.items():
        if prescription_id in pending:
            continue
        patient = doses[0].prescription.patient
        today = local_today(patient, now=now)
        # As for a single miss: a dose whose window closed before the prescription was
        # entered is history nobody logged, not a lapse to act on.
        recorded_on = local_today(patient, now=doses[0].prescription.created_at)
        recent = [
            dose
            for dose in doses
            if today - MISSES_WINDOW <= dose.due <= today and dose.latest >= recorded_on
        ]
        if len(recent) < MISSES_TO_FLAG:
            continue
        latest = recent[-1]
        detail = {"misses": len(recent), "dues": [dose.due.isoformat() for dose in recent]}
        raised += raise_flag(
            kind=Flag.Kind.REPEATED_MISSES,
            prescription=latest.prescription,
            dose=latest,
            now=now,
            detail=detail,
        )
    return raised


def loading_review_key(phase: Phase) -> str:
    return f"phase:{phase.pk}:loading-review"


def flag_loading_reviews(*, now: datetime, only: int | None = None) -> int:
    """An open-ended loading phase whose first dose was 4 weeks ago or more, still open, and
    no clinician has confirmed (reviewed) the prescription in those 4 weeks. Once per phase."""
    utc = now.date()
    phases = list(
        _scoped(Phase.objects.all(), "prescription_id", only)
        .filter(
            kind__in=LOADING_KINDS,
            bound="open",
            closed_on__isnull=True,
            prescription__status=Prescription.Status.ACTIVE,
        )
        .annotate(first_due=Min("doses__due", filter=states.live("doses__")))
        .filter(first_due__lte=utc + _DAY - LOADING_REVIEW_AFTER)
        .select_related("prescription__patient__patient_profile")
    )
    done = set(
        Flag.objects.filter(
            kind=Flag.Kind.LOADING_REVIEW, key__in=[loading_review_key(p) for p in phases]
        ).values_list("key", flat=True)
    )
    raised = 0
    for phase in phases:
        prescription = phase.prescription
        today = local_today(prescription.patient, now=now)
        reviewed = prescription.confirmed_at and prescription.confirmed_at > (
            now - LOADING_REVIEW_AFTER
        )
        key = loading_review_key(phase)
        if key in done or reviewed or phase.first_due > today - LOADING_REVIEW_AFTER:
            continue
        detail = {"phase": phase.pk, "since": phase.first_due.isoformat()}
        raised += raise_flag(
            kind=Flag.Kind.LOADING_REVIEW,
            prescription=prescription,
            key=key,
            now=now,
            detail=detail,
        )
    return raised


def three_month_review_on(prescription: Prescription) -> date:
    return prescription.start_date + relativedelta(months=REVIEW_MONTHS)


def flag_three_month_reviews(*, now: datetime, only: int | None = None) -> int:
    """NICE NG239: review 3 months after starting treatment. Once per prescription, raised on
    the date (months clamped to month end, as for doses)."""
    utc = now.date()
    # Generous bounds (month ends, zones); the exact test is per patient below.
    latest_start = utc + _DAY - relativedelta(months=REVIEW_MONTHS) + timedelta(days=3)
    earliest_start = utc - _DAY - relativedelta(months=REVIEW_MONTHS) - REVIEW_STILL_NEWS
    prescriptions = list(
        _scoped(Prescription.objects.all(), "pk", only)
        .filter(
            status=Prescription.Status.ACTIVE,
            start_date__lte=latest_start,
            start_date__gte=earliest_start - timedelta(days=3),
        )
        .select_related("patient__patient_profile")
    )
    keys = {rx.pk: f"rx:{rx.pk}:three-month-review" for rx in prescriptions}
    done = set(
        Flag.objects.filter(
            kind=Flag.Kind.THREE_MONTH_REVIEW, key__in=list(keys.values())
        ).values_list("key", flat=True)
    )
    raised = 0
    for prescription in prescriptions:
        if keys[prescription.pk] in done:
            continue
        today = local_today(prescription.patient, now=now)
        review_on = three_month_review_on(prescription)
        if not review_on <= today <= review_on + REVIEW_STILL_NEWS:
            continue
        raised += raise_flag(
            kind=Flag.Kind.THREE_MONTH_REVIEW,
            prescription=prescription,
            key=keys[prescription.pk],
            now=now,
            detail={"review_on": review_on.isoformat()},
        )
    return raised
