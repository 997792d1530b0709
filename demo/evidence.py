"""Demo evidence for the interval: a year of symptom check-ins and a few blood tests for the
demo patients seeded through the services, and one patient on 3-monthly maintenance whose
symptoms come back around day 60, so the clinician sees that flag and its chart at once.

Everything goes in through the services (check-ins, results, injections), logged on its own
day, so the triggers and the plan react as they would in use. Idempotent: a patient who
already has check-ins is left alone.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta

from accounts.models import User
from core.clock import local_today
from monitoring.checkins import checkin_save
from monitoring.labs.services import LabEntry, lab_result_record
from monitoring.models import CheckIn
from schedules import engine, services
from schedules.models import Prescription

EARLY_RETURN = 2  # the demo patient whose symptoms come back well before the next dose
EARLY_RETURN_DAYS = (58, 61, 63, 60)  # the day symptoms come back in each cycle, oldest first
CHECKIN_EVERY_DAYS = 7
YEAR = timedelta(days=365)
THREE_MONTHLY = engine.PhaseSpec(
    kind="maintenance",
    cadence=engine.Cadence("month", 3),
    dose_mcg=1000,
    bound="ongoing",
)
SITES = ["deltoid_left", "deltoid_right"]


def give_early_return_history(patient: User) -> Prescription | None:
    """1000 mcg every 3 months for a year, each dose given on its day; the next is due in
    about three weeks. Idempotent, as the other demo histories."""
    if Prescription.objects.filter(patient=patient, status="active").exists():
        return None
    today = local_today(patient)
    start = today - relativedelta(months=12) + timedelta(days=20)
    rx = services.prescription_create(
        patient=patient,
        actor=patient,
        phases=[THREE_MONTHLY],
        product="hydroxocobalamin",
        strength_mcg_per_ml=1000,
        dose_mcg=1000,
        route="IM",
        cause="pernicious_anaemia",
        start_date=start,
        today=start,
        monitoring_plan="Blood count and B12 level at 3 months; then once a year.",
        adjustment_triggers="Tiredness or tingling coming back before the next dose.",
    )
    Prescription.objects.filter(pk=rx.pk).update(
        created_at=datetime.combine(start, time(12), tzinfo=UTC)
    )
    for n in range(4):
        day = start + relativedelta(months=3 * n)
        services.injection_log(
            prescription=rx, actor=patient, given_on=day, site=SITES[n % 2], today=day
        )
    services.prescription_replan(prescription=rx, today=today)
    return rx


def _scores(day_in_cycle: int, return_day: int | None, rng: random.Random) -> dict[str, object]:
    """Mild the first weeks; from the return day on, tiredness and low mood come back."""
    if return_day is not None and day_in_cycle >= return_day:
        return {"tiredness": 3, "mood": 2, "memory": rng.choice((1, 2))}
    return {"tiredness": rng.choice((0, 1)), "memory": rng.choice((0, 0, 1))}


def _checkin_days(injections: list[date], today: date, return_days: dict[date, int]) -> list[date]:
    """Weekly check-in days from a year ago (or the first injection), plus day 2 of each cycle
    (its baseline) and, where given, the day its symptoms come back."""
    first = max(today - YEAR, injections[0] if injections else today - YEAR)
    days: set[date] = {
        first + timedelta(days=n) for n in range(0, (today - first).days + 1, CHECKIN_EVERY_DAYS)
    }
    for given in injections:
        days.add(given + timedelta(days=2))
        if given in return_days:
            days.add(given + timedelta(days=return_days[given]))
    return sorted(day for day in days if first <= day <= today)


def _last_injection(injections: list[date], day: date) -> date | None:
    before = [given for given in injections if given <= day]
    return before[-1] if before else None


def give_demo_checkins(patient: User, number: int) -> int:
    """A year of weekly check-ins (since the start, if later) through the check-in service,
    each on its own day; for the early-return patient, symptoms back on EARLY_RETURN_DAYS."""
    if CheckIn.objects.filter(patient=patient).exists():
        return 0
    rx = Prescription.objects.filter(patient=patient, status="active").first()
    if rx is None:
        return 0
    rng = random.Random(f"checkins-{number}")
    injections = sorted(rx.injections.recorded().values_list("given_on", flat=True))
    returns = {}
    if number == EARLY_RETURN:
        returns = dict(zip(injections, EARLY_RETURN_DAYS, strict=False))
    today = local_today(patient)
    saved = 0
    for day in _checkin_days(injections, today, returns):
        given = _last_injection(injections, day)
        day_in_cycle = (day - given).days if given else 0
        values = _scores(day_in_cycle, returns.get(given) if given else None, rng)
        checkin_save(patient=patient, actor=patient, on=day, values=values, today=day)
        saved += 1
    return saved


def give_demo_labs(patient: User, number: int) -> int:
    """A serum B12 (in pmol/L, as many UK labs print it), a folate and a haemoglobin a few
    weeks after the start, and a recent B12 for the early-return patient."""
    rx = Prescription.objects.filter(patient=patient, status="active").first()
    if rx is None or patient.lab_results.exists():
        return 0
    today = local_today(patient)
    taken = min(rx.start_date + timedelta(days=40), today)
    entries = [
        LabEntry(test="serum_b12", value=Decimal(300 + 10 * number), unit="pmol/L", taken_on=taken),
        LabEntry(test="folate", value=Decimal("6.1"), unit="ng/mL", taken_on=taken),
        LabEntry(test="haemoglobin", value=Decimal(128), unit="g/L", taken_on=taken),
    ]
    if number == EARLY_RETURN:
        recent = today - timedelta(days=10)
        entries.append(LabEntry(test="serum_b12", value=Decimal(260), unit="ng/L", taken_on=recent))
    for entry in entries:
        lab_result_record(patient=patient, actor=patient, entry=entry, today=entry.taken_on)
    return len(entries)


def give_demo_evidence(patient: User, number: int) -> None:
    give_demo_checkins(patient, number)
    give_demo_labs(patient, number)
