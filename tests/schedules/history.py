"""Builds a believable injection history through the services: on-time doses, some a day
late, one missed now and then. Shared by the page tests and bench/bench_pages.py."""

from datetime import date, timedelta

from accounts.models import User
from core.clock import local_today
from schedules import services
from schedules.models import IM_SITES, Prescription
from tests.helpers import standard_prescription

MAX_STEPS = 5000


def give_history(
    patient: User,
    *,
    days: int,
    regimen: str = "afp-daily-weekly-monthly",
    today: date | None = None,
) -> Prescription:
    """A prescription that started `days` ago, with every past dose logged or missed.

    Each step runs on the day it happened, as if the patient had logged as they went.
    """
    today = today or local_today(patient)
    start = today - timedelta(days=days)
    rx = standard_prescription(patient, regimen=regimen, start=start, today=start)
    skipped: set[date] = set()
    for step in range(1, MAX_STEPS):
        dose = (
            rx.doses.filter(injection__isnull=True, due__lt=today)
            .exclude(status="cancelled")
            .exclude(due__in=skipped)
            .select_related("phase")
            .order_by("due")
            .first()
        )
        if dose is None:
            services.prescription_replan(prescription=rx, today=today)
            return rx
        if step % 10 == 5 and dose.phase.bound == "ongoing":
            skipped.add(dose.due)  # missed: nobody logs it
            continue
        late = dose.due + timedelta(days=1)
        given_on = late if step % 7 == 3 and late <= min(dose.latest, today) else dose.due
        services.injection_log(
            prescription=rx,
            actor=patient,
            given_on=given_on,
            site=IM_SITES[step % len(IM_SITES)].value,
            lot=f"LOT{step:04d}",
            today=given_on,
        )
    raise RuntimeError("history did not settle")
