"""The periodic re-plans: keeping twelve months of doses ahead, and turning doses missed.

Both run from schedules.tasks; each prescription is re-planned on its patient's own today.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.utils import timezone

from core.clock import local_today, zone_today
from schedules.models import Dose, Prescription

from .replan import HORIZON, prescription_replan


def extend_horizons(*, now: datetime | None = None, batch: int = 200) -> int:
    """Re-plan active prescriptions whose planned doses reach less than twelve months ahead."""
    now = now or timezone.now()
    soonest = (now - timedelta(days=1)).date() + HORIZON
    ids = list(
        Prescription.objects.filter(status="active", planned_until__lt=soonest).values_list(
            "pk", flat=True
        )[:batch]
    )
    for pk in ids:
        prescription = Prescription.objects.select_related("patient__patient_profile").get(pk=pk)
        prescription_replan(
            prescription=prescription, today=local_today(prescription.patient, now=now)
        )
    return len(ids)


def sweep_missed_doses(*, now: datetime) -> int:
    """Re-plan prescriptions with a dose whose window closed in the patient's home zone: the
    engine marks it missed (and extends a counted phase) and `plan_changed` announces it.
    Returns how many doses became missed."""
    # Every zone's today is at most the UTC date + 1, so a missed dose has latest <= UTC date.
    rows = (
        Dose.objects.open()
        .filter(latest__lte=now.date(), prescription__status=Prescription.Status.ACTIVE)
        .values_list(
            "prescription_id", "latest", "prescription__patient__patient_profile__time_zone"
        )
        .order_by("prescription_id")
    )
    crossed: dict[int, date] = {}
    for prescription_id, latest, zone in rows:
        today = zone_today(zone, now=now)
        if latest < today:
            crossed[prescription_id] = today
    total = 0
    for prescription_id, today in crossed.items():
        prescription = Prescription.objects.select_related("patient__patient_profile").get(
            pk=prescription_id
        )
        total += len(prescription_replan(prescription=prescription, today=today).newly_missed)
    return total
