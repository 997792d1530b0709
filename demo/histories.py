"""Demo histories for seed_demo: a prescription per patient with a believable past.

Each history has an on-time run, one late injection, one missed dose (two for the first
patient) and a dose due today; the no-nerve-symptoms patient reports tingling and the third
patient's latest ampoule had expired, so the clinician's inbox has each kind of flag to act on.
"""

from datetime import UTC, date, datetime, time, timedelta

from accounts.models import User
from core.clock import local_today
from schedules import engine, regimens, services
from schedules.models import Prescription

from .evidence import EARLY_RETURN, give_early_return_history

SITES = ["deltoid_left", "deltoid_right", "thigh_left", "thigh_right"]
NO_NEURO_REGIMEN = "bnf-no-neuro"
# Demo patients whose history shows a flag beyond the one missed dose each has.
REPEATED_MISSES = 1
EXPIRED_AMPOULE = 3


def _history(
    phases: list[engine.PhaseSpec], start: date, today: date, misses: int = 1
) -> list[date] | None:
    """Injection dates for a start date, or None if no dose then falls due today."""
    given: list[date] = []
    missed: set[date] = set()
    late_done = False
    for _ in range(400):
        plan = engine.plan(
            phases,
            start=start,
            given=[engine.Given(id=n, given_on=day) for n, day in enumerate(given)],
            today=today,
            until=today + timedelta(days=60),
        )
        pending = next(
            (d for d in plan.doses if d.given_on is None and d.due < today and d.due not in missed),
            None,
        )
        if pending is None:
            due_today = any(d.due == today and d.given_on is None for d in plan.doses)
            return given if due_today and missed and late_done else None
        if len(missed) < misses and pending.sequence >= 2:
            missed.add(pending.due)
        elif (
            not late_done
            and pending.latest > pending.due
            and pending.due + timedelta(days=1) < today
        ):
            given.append(pending.due + timedelta(days=1))
            late_done = True
        else:
            given.append(pending.due)
    return None


def demo_start(slug: str, today: date, misses: int = 1) -> tuple[date, list[date]]:
    phases = list(regimens.get(slug).phases)
    for offset in range(21, 500):
        start = today - timedelta(days=offset)
        history = _history(phases, start, today, misses)
        if history is not None:
            return start, history
    raise RuntimeError(f"No demo history fits regimen {slug}.")


def give_demo_history(patient: User, number: int) -> Prescription | None:
    """Idempotent: a patient who already has an active prescription is left alone."""
    if number == EARLY_RETURN:
        return give_early_return_history(patient)
    if Prescription.objects.filter(patient=patient, status="active").exists():
        return None
    slug = list(regimens.REGIMENS)[(number - 1) % len(regimens.REGIMENS)]
    today = local_today(patient)
    start, history = demo_start(slug, today, misses=2 if number == REPEATED_MISSES else 1)
    regimen = regimens.get(slug)
    dose = regimen.phases[0].dose_mcg
    prescription = services.prescription_create(
        patient=patient,
        actor=patient,
        regimen_slug=slug,
        product="hydroxocobalamin",
        strength_mcg_per_ml=1000,
        dose_mcg=dose,
        route="IM",
        start_date=start,
        today=today,
        neuro=slug == NO_NEURO_REGIMEN,  # tingling reported: the regimen check has a case
        monitoring_plan="Blood count and B12 level at 3 months; then once a year.",
        adjustment_triggers="Tingling or tiredness coming back before the next dose.",
    )
    # As if kept from the first dose, as the bulk histories are: the misses are lapses for the
    # clinician to act on, not history typed in later.
    Prescription.objects.filter(pk=prescription.pk).update(
        created_at=datetime.combine(start, time(12), tzinfo=UTC)
    )
    for n, day in enumerate(history):
        services.injection_log(
            prescription=prescription,
            actor=patient,
            given_on=day,
            site=SITES[n % len(SITES)],
            expiry=_expiry(number, day, last=n == len(history) - 1),
            today=day,  # logged on the day, so each miss is marked (and flagged) as it happens
            confirm=True,
        )
    services.prescription_replan(prescription=prescription, today=today)
    return prescription


def _expiry(number: int, given_on: date, *, last: bool) -> date | None:
    """One demo patient's latest ampoule had expired a month before: a record check to see."""
    if number == EXPIRED_AMPOULE and last:
        return given_on - timedelta(days=30)
    return None
