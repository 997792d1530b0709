"""Celery tasks for schedules: thin wrappers over services, taking no model instances."""

from celery import shared_task
from django.utils import timezone

from reminders.models import SweepTick

from .services import extend_horizons


@shared_task
def extend_schedule_horizons() -> int:
    """Daily: keep twelve months of maintenance doses ahead of every active prescription."""
    now = timezone.now()
    total = 0
    while batch := extend_horizons(now=now):
        total += batch
    SweepTick.record("extend_horizons", at=now)
    return total
