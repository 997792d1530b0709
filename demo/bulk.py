"""Demo histories at scale for `seed_demo --patients N`: the engine decides, bulk_create writes.

Owns writing the stories as the rows the services would store, a few bulk inserts a batch.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db import transaction
from django.utils import timezone

from accounts.models import AuditEvent, CareLink, PatientProfile, Role, User
from monitoring.checks import raise_all_record_flags
from monitoring.models import Flag
from monitoring.review import raise_review_flags
from monitoring.summary_sync import summaries_refresh
from schedules import engine, regimens
from schedules.models import IM_SITES, Dose, Injection, Phase, PhaseKind, Prescription, volume_for
from schedules.services import HORIZON

from .stories import MAX_PASSES, Habit, Story, habit_for, simulate, story_for

# Logging injection by injection through the services costs a re-plan each (minutes for
# thousands of patients). Here each story (demo/stories.py) is simulated with the engine alone,
# then the same rows the services would store (prescription, phases, injections, doses with
# their statuses) go in with a few bulk inserts a batch; a test re-plans them through the
# services and finds nothing to change. Missed-dose flags are written alongside, and the review
# sweep raises the rest.

# The stories' names, re-exported so `from demo.bulk import story_for` keeps working.
__all__ = [
    "BATCH",
    "MAX_PASSES",
    "Habit",
    "Story",
    "give_demo_histories",
    "habit_for",
    "linked_demo_patients",
    "simulate",
    "story_for",
]

BATCH = 500


def give_demo_histories(
    patients: Sequence[tuple[User, int]],
    *,
    clinician: User | None = None,
    history_days: int | None = None,
    now: datetime | None = None,
) -> int:
    """Histories for (patient, number) pairs; a patient with an active prescription is left
    alone, so running it again adds nothing. Returns how many histories were written."""
    now = now or timezone.now()
    written = 0
    for first in range(0, len(patients), BATCH):
        numbers = {patient.pk: number for patient, number in patients[first : first + BATCH]}
        loaded = User.objects.select_related("patient_profile").in_bulk(list(numbers))
        batch = [(loaded[pk], number) for pk, number in numbers.items()]
        with transaction.atomic():
            busy = set(
                Prescription.objects.filter(
                    patient__in=[patient for patient, _ in batch], status="active"
                ).values_list("patient_id", flat=True)
            )
            stories = [
                (patient, story_for(patient, number, history_days=history_days, now=now))
                for patient, number in batch
                if patient.pk not in busy
            ]
            _write(stories, clinician=clinician, now=now)
        written += len(stories)
    raise_review_flags(now=now)  # overdue maintenance, repeated misses, reviews due (idempotent)
    raise_all_record_flags(now=now)  # regimen checks and expired ampoules
    # Bulk inserts send no signals: the patients list's summaries are written here instead.
    summaries_refresh(patient_ids=[patient.pk for patient, _ in patients], now=now)
    return written


def linked_demo_patients(
    clinician: User, count: int, *, first: int = 1, history_days: int | None = None
) -> list[User]:
    """`count` patients numbered from `first` (p1@example.com, "Zed Patient 00001", …) linked
    to the clinician, each with a demo history: hundreds in seconds, for tests and benchmarks."""
    numbers = range(first, first + count)
    users = User.objects.bulk_create(
        User(email=f"p{n}@example.com", role=Role.PATIENT, password=UNUSABLE_PASSWORD_PREFIX)
        for n in numbers
    )
    PatientProfile.objects.bulk_create(
        PatientProfile(user=user, display_name=f"Zed Patient {n:05d}", time_zone="Europe/London")
        for n, user in zip(numbers, users, strict=True)
    )
    CareLink.objects.bulk_create(
        CareLink(
            clinician=clinician,
            patient=user,
            invited_email=user.email,
            status=CareLink.Status.ACTIVE,
            responded_at=timezone.now(),
        )
        for user in users
    )
    give_demo_histories(list(zip(users, numbers, strict=True)), history_days=history_days)
    return users


def _write(stories: list[tuple[User, Story]], *, clinician: User | None, now: datetime) -> None:
    if not stories:
        return
    prescriptions = Prescription.objects.bulk_create(
        [_prescription(patient, story, clinician) for patient, story in stories]
    )
    phase_rows = {
        rx.pk: [
            Phase.from_spec(spec, order=n, prescription=rx) for n, spec in enumerate(story.phases)
        ]
        for rx, (_, story) in zip(prescriptions, stories, strict=True)
    }
    Phase.objects.bulk_create([row for rows in phase_rows.values() for row in rows])
    plans = []
    injections: list[Injection] = []
    for rx, (patient, story) in zip(prescriptions, stories, strict=True):
        plan = engine.plan(
            story.phases,
            start=story.start,
            given=[engine.Given(n, day) for n, day in enumerate(story.given)],
            today=story.today,
            until=max(story.today, story.start) + HORIZON,
        )
        own = {
            dose.injection_id: _injection(rx, patient, story, dose, given_on, n)
            for n, (dose, given_on) in enumerate(_taken(plan))
        }
        plans.append((rx, plan, own))
        injections += own.values()
    Injection.objects.bulk_create(injections, batch_size=BATCH)
    doses = [
        _dose(rx, phase_rows[rx.pk], planned, own)
        for rx, plan, own in plans
        for planned in plan.doses
    ]
    Dose.objects.bulk_create(doses, batch_size=BATCH)
    _flags(doses, stories, prescriptions, clinician=clinician)
    AuditEvent.objects.bulk_create(
        AuditEvent(
            actor=None,
            action="demo.history_seeded",
            patient=patient,
            object_type=Prescription._meta.label,
            object_id=str(rx.pk),
            detail={"regimen": story.slug, "habit": story.habit.name},
            at=now,
        )
        for rx, (patient, story) in zip(prescriptions, stories, strict=True)
    )


def _taken(plan: engine.Plan) -> list[tuple[engine.PlannedDose, date]]:
    """The plan's taken doses with the day each was given."""
    return [(dose, dose.given_on) for dose in plan.doses if dose.given_on is not None]


def _prescription(patient: User, story: Story, clinician: User | None) -> Prescription:
    regimen = regimens.get(story.slug)
    dose = regimen.phases[0].dose_mcg
    confirmed = story.confirmed and clinician is not None
    return Prescription(
        patient=patient,
        prescriber=clinician if confirmed else None,
        confirmed_at=_at(story.start + timedelta(days=3)) if confirmed else None,
        regimen_slug=story.slug,
        regimen_name=regimen.name,
        product="cyanocobalamin" if story.slug.startswith("fda") else "hydroxocobalamin",
        strength_mcg_per_ml=1000,
        dose_mcg=dose,
        route="IM",
        cause="pernicious_anaemia" if story.slug != "seed-consolidation" else "diet",
        neuro=story.slug == "bnf-neuro",
        lifelong=story.slug != "seed-consolidation",
        start_date=story.start,
        given_by=story.given_by,
        monitoring_plan="Blood count and B12 level at 3 months; then once a year.",
        adjustment_triggers="Tingling or tiredness coming back before the next dose.",
        planned_until=max(story.today, story.start) + HORIZON,
        # As if entered on the first day: the missed doses below are lapses, not back-filled.
        created_at=_at(story.start),
    )


def _at(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def _injection(
    rx: Prescription,
    patient: User,
    story: Story,
    dose: engine.PlannedDose,
    given_on: date,
    n: int,
) -> Injection:
    return Injection(
        patient=patient,
        prescription=rx,
        given_on=given_on,
        dose_mcg=dose.dose_mcg,
        volume_ml=volume_for(dose.dose_mcg, rx.strength_mcg_per_ml),
        site=IM_SITES[n % len(IM_SITES)].value,
        route="IM",
        given_by=story.given_by,
        lot=f"DEMO{n:04d}",
        logged_by=patient,
        logged_at=_at(given_on, 19),
    )


def _dose(
    rx: Prescription, phases: list[Phase], planned: engine.PlannedDose, own: dict[object, Injection]
) -> Dose:
    return Dose(
        prescription=rx,
        phase=phases[planned.phase_index],
        sequence=planned.sequence,
        due=planned.due,
        earliest=planned.earliest,
        latest=planned.latest,
        dose_mcg=planned.dose_mcg,
        status=planned.status,
        injection=own.get(planned.injection_id),
    )


def _flags(
    doses: list[Dose],
    stories: list[tuple[User, Story]],
    prescriptions: list[Prescription],
    *,
    clinician: User | None,
) -> None:
    """Missed-dose flags as the sweep would have raised them; older ones already dealt with."""
    today = {rx.pk: story.today for rx, (_, story) in zip(prescriptions, stories, strict=True)}
    patient = {rx.pk: rx.patient for rx in prescriptions}
    rows = []
    for dose in doses:
        if dose.status != Dose.Status.MISSED:
            continue
        raised = _at(dose.latest + timedelta(days=1), 6)
        age = (today[dose.prescription_id] - dose.latest).days
        status, acted_at, note = Flag.Status.OPEN, None, ""
        if age > 30:
            status, acted_at = Flag.Status.RESOLVED, raised + timedelta(days=2)
            note = "Spoke to the patient: carrying on with the next dose as planned."
        elif age > 10:
            status, acted_at = Flag.Status.ACKNOWLEDGED, raised + timedelta(days=1)
        rows.append(
            Flag(
                patient=patient[dose.prescription_id],
                prescription_id=dose.prescription_id,
                dose=dose,
                kind=Flag.Kind.MISSED_MAINTENANCE
                if dose.phase.kind == PhaseKind.MAINTENANCE
                else Flag.Kind.MISSED_LOADING,
                status=status,
                raised_at=raised,
                note=note,
                acted_by=clinician if acted_at else None,
                acted_at=acted_at,
            )
        )
    Flag.objects.bulk_create(rows, batch_size=BATCH, ignore_conflicts=True)
