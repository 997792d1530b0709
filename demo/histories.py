"""Demo histories for seed_demo: a prescription per patient with a believable past.

Each history has an on-time run, one late injection, one missed dose and a dose due today.
"""

from datetime import date, timedelta

from accounts.models import User
from core.clock import local_today
from schedules import engine, regimens, services
from schedules.models import Prescription

SITES = ["deltoid_left", "deltoid_right", "thigh_left", "thigh_right"]


def _history(phases: list[engine.PhaseSpec], start: date, today: date) -> list[date] | None:
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
        if not missed and pending.sequence >= 2:
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


def demo_start(slug: str, today: date) -> tuple[date, list[date]]:
    phases = list(regimens.get(slug).phases)
    for offset in range(21, 500):
        start = today - timedelta(days=offset)
        history = _history(phases, start, today)
        if history is not None:
            return start, history
    raise RuntimeError(f"No demo history fits regimen {slug}.")


def give_demo_history(patient: User, number: int) -> Prescription | None:
    """Idempotent: a patient who already has an active prescription is left alone."""
    if Prescription.objects.filter(patient=patient, status="active").exists():
        return None
    slug = list(regimens.REGIMENS)[(number - 1) % len(regimens.REGIMENS)]
    today = local_today(patient)
    start, history = demo_start(slug, today)
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
        monitoring_plan="Blood count and B12 level at 3 months; then once a year.",
        adjustment_triggers="Tingling or tiredness coming back before the next dose.",
    )
    for n, day in enumerate(history):
        services.injection_log(
            prescription=prescription,
            actor=patient,
            given_on=day,
            site=SITES[n % len(SITES)],
            today=today,
            confirm=True,
        )
    return prescription
