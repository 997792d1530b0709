"""Reads for the patient pages: each returns plain data in a fixed number of queries.

Counts and last-used dates are aggregated in SQL, so no page grows with its history.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
)

from accounts.models import User

from . import engine, regimens
from .models import IM_SITES, SC_SITES, Dose, Injection, Phase, Prescription, Site, volume_for

LIVE = ~Q(status=Dose.Status.CANCELLED)
RECORDED = Injection.Status.RECORDED
PREVIEW_LENGTH = 10


def _missed(today: date, prefix: str = "") -> Q:
    """A live dose with no injection whose window closed before today."""
    return Q(
        **{f"{prefix}injection__isnull": True, f"{prefix}latest__lt": today},
    ) & ~Q(**{f"{prefix}status": Dose.Status.CANCELLED})


def _extra() -> Q:
    """An injection that counts as no dose: confirmed as extra, or recorded but no dose took it
    (dated outside every window: the engine's Plan.extra). One subquery, not a query per row."""
    taken = Dose.objects.filter(injection=OuterRef("pk"))
    return Q(extra=True) | (Q(status=RECORDED) & ~Exists(taken))


def injection_is_extra(*, injection: Injection) -> bool:
    """Whether a just-logged injection ended up as no dose (one query)."""
    return Injection.objects.filter(_extra(), pk=injection.pk).exists()


def active_prescription(*, patient: User) -> Prescription | None:
    return Prescription.objects.filter(patient=patient, status=Prescription.Status.ACTIVE).first()


def phases_with_counts(*, prescription: Prescription, today: date) -> list[Phase]:
    """Phases in order, each annotated with its dose counts and first/last dates (one query)."""
    live = ~Q(doses__status=Dose.Status.CANCELLED)
    taken = Q(doses__injection__isnull=False)
    missed = _missed(today, "doses__")
    return list(
        Phase.objects.filter(prescription=prescription)
        .annotate(
            total=Count("doses", filter=live),
            taken=Count("doses", filter=taken),
            missed=Count("doses", filter=missed),
            first_due=Min("doses__due", filter=live),
            last_due=Max("doses__due", filter=live),
            last_taken=Max("doses__due", filter=taken),
            last_missed=Max("doses__due", filter=missed),
        )
        .order_by("order")
    )


# --- sites -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SiteUse:
    site: str
    label: str
    last_used: date | None
    suggested: bool = False


def site_uses(*, patient: User, route: str) -> list[SiteUse]:
    """The sites for this route with the day each was last used; the stalest one suggested."""
    sites = IM_SITES if route == "IM" else SC_SITES
    last = dict(
        Injection.objects.filter(patient=patient, status=RECORDED, site__in=sites)
        .order_by()
        .values("site")
        .annotate(last=Max("given_on"))
        .values_list("site", "last")
    )
    # Never used beats used long ago; ties go to the order of the list (left before right).
    stalest = min(sites, key=lambda site: (last.get(site.value) or date.min, sites.index(site)))
    return [
        SiteUse(site.value, site.label, last.get(site.value), site == stalest) for site in sites
    ]


def suggested_site(uses: list[SiteUse]) -> SiteUse | None:
    return next((use for use in uses if use.suggested), None)


# --- home ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NextDose:
    dose: Dose
    today: date
    strength: int

    @property
    def days_away(self) -> int:
        return (self.dose.due - self.today).days

    @property
    def volume_ml(self):
        return volume_for(self.dose.dose_mcg, self.strength)

    @property
    def state(self) -> str:
        """due_today, overdue (after its date, window still open), open (early) or scheduled."""
        if self.dose.due == self.today:
            return "due_today"
        if self.dose.due < self.today:
            return "overdue"
        return "open" if self.dose.earliest <= self.today else "scheduled"


@dataclass(frozen=True)
class Progress:
    phase: Phase
    number: int | None  # which dose of the phase the next one is
    total: int | None  # None while the phase has no fixed end

    @property
    def ongoing(self) -> bool:
        return self.phase.bound == "ongoing"


def next_dose(*, prescription: Prescription, today: date) -> Dose | None:
    """The first live dose not yet given whose window has not closed."""
    return (
        Dose.objects.filter(
            LIVE, prescription=prescription, injection__isnull=True, latest__gte=today
        )
        .select_related("phase")
        .order_by("due")
        .first()
    )


def _progress(phases: list[Phase], dose: Dose | None) -> Progress | None:
    if dose is None:
        return None
    phase = next(p for p in phases if p.pk == dose.phase_id)
    if phase.bound == "count" and not phase.closed_on:
        return Progress(phase, phase.taken + 1, phase.count)
    if phase.bound == "duration" or phase.closed_on:
        return Progress(phase, dose.sequence, phase.total)
    if phase.bound == "open":
        return Progress(phase, dose.sequence, None)
    return Progress(phase, None, None)


@dataclass(frozen=True)
class HomeSummary:
    prescription: Prescription
    next: NextDose | None
    progress: Progress | None
    missed_since_last: date | None  # the latest missed dose, if none was taken after it
    sites: list[SiteUse]

    @property
    def suggested(self) -> SiteUse | None:
        return suggested_site(self.sites)


def _latest(phases: list[Phase], name: str) -> date | None:
    return max((getattr(p, name) for p in phases if getattr(p, name)), default=None)


def home_summary(*, patient: User, today: date) -> HomeSummary | None:
    """Four queries, whatever the history: prescription, phases with counts, next dose, sites."""
    prescription = active_prescription(patient=patient)
    if prescription is None:
        return None
    phases = phases_with_counts(prescription=prescription, today=today)
    dose = next_dose(prescription=prescription, today=today)
    last_missed, last_taken = _latest(phases, "last_missed"), _latest(phases, "last_taken")
    return HomeSummary(
        prescription=prescription,
        next=NextDose(dose, today, prescription.strength_mcg_per_ml) if dose else None,
        progress=_progress(phases, dose),
        missed_since_last=last_missed
        if last_missed and last_missed > (last_taken or date.min)
        else None,
        sites=site_uses(patient=patient, route=prescription.route),
    )


# --- schedule --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One line of the schedule: a planned dose or an extra injection."""

    day: date
    status: str  # taken, due, missed, scheduled or extra
    dose_mcg: int
    phase: Phase | None = None
    sequence: int | None = None
    earliest: date | None = None
    latest: date | None = None
    given_on: date | None = None
    site: str = ""
    starts_phase: bool = False

    @property
    def site_label(self) -> str:
        return Site(self.site).label if self.site else ""


@dataclass
class Schedule:
    prescription: Prescription
    phases: list[Phase]
    entries: list[Entry]
    counts: dict[str, int] = field(default_factory=dict)


def schedule_for(*, prescription: Prescription, today: date) -> Schedule:
    """Every live dose and every extra injection, in date order (three queries)."""
    phases = list(prescription.phases.order_by("order"))
    by_id = {phase.pk: phase for phase in phases}
    doses = (
        Dose.objects.filter(LIVE, prescription=prescription)
        .select_related("injection")
        .order_by("due")
    )
    entries: list[Entry] = []
    seen_phases: set[int] = set()
    for dose in doses:
        injection = dose.injection
        entries.append(
            Entry(
                day=dose.due,
                status=dose.status_on(today),
                dose_mcg=dose.dose_mcg,
                phase=by_id[dose.phase_id],
                sequence=dose.sequence,
                earliest=dose.earliest,
                latest=dose.latest,
                given_on=injection.given_on if injection else None,
                site=injection.site if injection else "",
                starts_phase=dose.phase_id not in seen_phases,
            )
        )
        seen_phases.add(dose.phase_id)
    extras = Injection.objects.filter(_extra(), prescription=prescription, status=RECORDED)
    for injection in extras.order_by("given_on", "pk"):
        entries.append(
            Entry(
                day=injection.given_on,
                status="extra",
                dose_mcg=injection.dose_mcg,
                given_on=injection.given_on,
                site=injection.site,
            )
        )
    entries.sort(key=lambda entry: (entry.day, entry.status == "extra"))
    counts: dict[str, int] = defaultdict(int)
    for entry in entries:
        counts[entry.status] += 1
    return Schedule(prescription, phases, entries, dict(counts))


@dataclass(frozen=True)
class CalendarDay:
    day: date | None  # None pads the first and last week
    entries: tuple[Entry, ...] = ()
    today: bool = False


def month_weeks(entries: list[Entry], month: date, today: date) -> list[list[CalendarDay]]:
    """The month as weeks of seven days (Monday first), each day with its entries."""
    by_day: dict[date, list[Entry]] = defaultdict(list)
    for entry in entries:
        if (entry.day.year, entry.day.month) == (month.year, month.month):
            by_day[entry.day].append(entry)
    weeks = []
    for week in calendar.Calendar(firstweekday=0).monthdatescalendar(month.year, month.month):
        weeks.append(
            [
                CalendarDay(day, tuple(by_day.get(day, ())), day == today)
                if day.month == month.month
                else CalendarDay(None)
                for day in week
            ]
        )
    return weeks


def shift_month(month: date, months: int) -> date:
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


# --- logging an injection -------------------------------------------------------------------


@dataclass(frozen=True)
class LogContext:
    next: NextDose | None
    sites: list[SiteUse]

    @property
    def suggested(self) -> SiteUse | None:
        return suggested_site(self.sites)


def log_context(*, prescription: Prescription, today: date) -> LogContext:
    dose = next_dose(prescription=prescription, today=today)
    return LogContext(
        next=NextDose(dose, today, prescription.strength_mcg_per_ml) if dose else None,
        sites=site_uses(patient=prescription.patient, route=prescription.route),
    )


# --- history ---------------------------------------------------------------------------------


def injection_history(*, patient: User) -> QuerySet[Injection]:
    """Every injection ever logged, newest first, with what it replaced or was replaced by.

    Each carries `is_extra` (it counts as no dose) and its prescription (a stopped one's
    entries can no longer be changed).
    """
    return (
        Injection.objects.filter(patient=patient)
        .select_related("replaces", "replaced_by", "prescription")
        .annotate(is_extra=ExpressionWrapper(_extra(), output_field=BooleanField()))
        .order_by("-given_on", "-id")
    )


def prescription_for_patient(*, patient: User, prescription_id: int) -> Prescription | None:
    """The patient's own prescription, or None (the view answers 404)."""
    return Prescription.objects.filter(pk=prescription_id, patient=patient).first()


def injection_for_patient(*, patient: User, injection_id: int) -> Injection | None:
    """The patient's own injection, or None (the view answers 404)."""
    return (
        Injection.objects.select_related("prescription__patient__patient_profile")
        .filter(pk=injection_id, patient=patient)
        .first()
    )


# --- before your appointment ----------------------------------------------------------------


@dataclass
class Appointment:
    prescription: Prescription
    phases: list[Phase]
    current: Phase | None
    taken: int
    missed: int
    late: list[Dose]
    missed_doses: list[Dose]
    extra: int
    last_given: date | None
    questions: list[str]

    @property
    def settled(self) -> int:
        return self.taken + self.missed

    @property
    def on_time(self) -> int:
        return self.taken - len(self.late)

    @property
    def adherence_percent(self) -> int | None:
        return round(100 * self.taken / self.settled) if self.settled else None


def appointment_summary(*, prescription: Prescription, today: date) -> Appointment:
    """Regimen, adherence so far, the late and missed doses and questions built from them."""
    phases = phases_with_counts(prescription=prescription, today=today)
    problems = list(
        Dose.objects.filter(
            Q(injection__given_on__gt=F("due")) | _missed(today), prescription=prescription
        )
        .select_related("injection", "phase")
        .order_by("due")
    )
    late = [dose for dose in problems if dose.injection_id]
    extras = Injection.objects.filter(prescription=prescription, status=RECORDED).aggregate(
        extra=Count("id", filter=_extra()), last=Max("given_on")
    )
    current = next((p for p in phases if p.last_due and p.last_due >= today), None)
    summary = Appointment(
        prescription=prescription,
        phases=phases,
        current=current or (phases[-1] if phases else None),
        taken=sum(p.taken for p in phases),
        missed=sum(p.missed for p in phases),
        late=late,
        missed_doses=[dose for dose in problems if not dose.injection_id],
        extra=extras["extra"],
        last_given=extras["last"],
        questions=[],
    )
    summary.questions = questions_for(summary, today)
    return summary


def questions_for(summary: Appointment, today: date) -> list[str]:
    """Questions worth asking the clinician, each prompted by something in the record."""
    rx = summary.prescription
    questions = []
    for phase in summary.phases:
        if phase.bound == "open" and phase.closed_on is None:
            questions.append(
                f"My {phase.get_kind_display().lower()} phase has no end date. How will we "
                "decide when it stops, and what happens after it?"
            )
    if summary.missed:
        questions.append(
            f"I missed {summary.missed} dose{'s' if summary.missed != 1 else ''}. Should "
            "anything change, or do I just carry on?"
        )
    if len(summary.late) >= 2:
        questions.append(
            "Several doses were late. Would a different day, a reminder, or a nurse "
            "appointment make it easier?"
        )
    if summary.extra:
        questions.append(
            f"I recorded {summary.extra} extra injection{'s' if summary.extra != 1 else ''} "
            "that did not count as a planned dose. Is that a problem, and should I do "
            "anything differently?"
        )
    if rx.confirmed_at is None:
        questions.append("Can you check and confirm my prescription as I entered it?")
    if not rx.monitoring_plan.strip():
        questions.append("Which blood tests do I need, and when?")
    if not rx.adjustment_triggers.strip():
        questions.append("Which symptoms should make me get in touch before my next dose?")
    if rx.neuro:
        questions.append(
            "How will we tell whether my nerve symptoms (tingling, numbness, balance) are "
            "improving?"
        )
    if rx.cause in ("diet", "medication", "unknown") and rx.lifelong:
        questions.append("Do I need these injections for life, or could they stop one day?")
    if today - rx.start_date >= timedelta(days=75) and today - rx.start_date <= timedelta(days=120):
        questions.append("Is it time for the three-month review of my blood tests and symptoms?")
    return questions


# --- the prescription checklist ------------------------------------------------------------


@dataclass(frozen=True)
class ChecklistItem:
    label: str
    value: str
    missing: str = ""  # what to do when the item is not on record yet


def prescription_checklist(*, prescription: Prescription) -> list[ChecklistItem]:
    """What a patient should have on record, and what is still missing (no queries)."""
    rx = prescription
    product = rx.get_product_display() + (f" ({rx.brand})" if rx.brand else "")
    return [
        ChecklistItem("Medicine", product),
        ChecklistItem("Strength", f"{rx.strength_mcg_per_ml} mcg per mL"),
        ChecklistItem("Dose", f"{rx.dose_mcg} mcg, which is {rx.volume_ml} mL to draw up"),
        ChecklistItem("How it is injected", rx.get_route_display()),
        ChecklistItem(
            "Cause",
            rx.get_cause_display(),
            "Ask your clinician what caused the deficiency." if rx.cause == "unknown" else "",
        ),
        ChecklistItem("Nerve symptoms", "Yes" if rx.neuro else "No"),
        ChecklistItem("Who gives it", rx.get_given_by_display()),
        ChecklistItem(
            "Monitoring plan",
            rx.monitoring_plan or "Not recorded",
            "" if rx.monitoring_plan.strip() else "Ask which blood tests you need, and when.",
        ),
        ChecklistItem(
            "When to get in touch sooner",
            rx.adjustment_triggers or "Not recorded",
            ""
            if rx.adjustment_triggers.strip()
            else "Ask which symptoms should make you call before your next dose.",
        ),
        ChecklistItem(
            "Checked by a clinician",
            f"Yes, on {rx.confirmed_at:%-d %b %Y}" if rx.confirmed_at else "Not yet",
            "" if rx.confirmed_at else "Ask your clinician to check and confirm it.",
        ),
    ]


# --- prescription wizard ----------------------------------------------------------------------


@dataclass(frozen=True)
class PreviewDose:
    due: date
    earliest: date
    latest: date
    dose_mcg: int
    phase_label: str
    starts_phase: bool


def preview_for(
    *,
    regimen_slug: str | None,
    phases: list[engine.PhaseSpec] | None,
    dose_mcg: int,
    start: date,
    today: date,
) -> list[PreviewDose]:
    """The first dates of a built-in regimen (at this dose) or of custom phases."""
    if regimen_slug:
        phases = [replace(spec, dose_mcg=dose_mcg) for spec in regimens.get(regimen_slug).phases]
    return plan_preview(phases=phases or [], start=start, today=today)


def plan_preview(
    *, phases: list[engine.PhaseSpec], start: date, today: date, length: int = PREVIEW_LENGTH
) -> list[PreviewDose]:
    """The first dates a new prescription would give, before anything is saved."""
    plan = engine.plan(phases, start=start, given=[], today=today, until=start + timedelta(400))
    labels = [dict(_KIND_LABELS).get(spec.kind, spec.kind) for spec in phases]
    preview, previous = [], None
    for dose in plan.doses[:length]:
        preview.append(
            PreviewDose(
                dose.due,
                dose.earliest,
                dose.latest,
                dose.dose_mcg,
                f"{labels[dose.phase_index]} ({phases[dose.phase_index].cadence.describe()})",
                dose.phase_index != previous,
            )
        )
        previous = dose.phase_index
    return preview


_KIND_LABELS = (
    ("repletion", "Loading"),
    ("consolidation", "Consolidation"),
    ("maintenance", "Maintenance"),
)


def regimen_choices() -> list[regimens.Regimen]:
    return list(regimens.REGIMENS.values())
