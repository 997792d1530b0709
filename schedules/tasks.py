"""Celery tasks for schedules: thin sweeps over services, taking no model instances."""

from celery import shared_task
from django.utils import timezone

from core.sweeps import sweep

from .services import extend_horizons, sweep_missed_doses


@shared_task
@sweep("extend_horizons")
def extend_schedule_horizons() -> int:
    """Daily: keep twelve months of maintenance doses ahead of every active prescription."""
    now = timezone.now()
    total = 0
    while batch := extend_horizons(now=now):
        total += batch
    return total


@shared_task
@sweep("flag_missed_doses")
def flag_missed_doses() -> int:
    """Doses whose window closed become missed; monitoring flags them as they are announced."""
    return sweep_missed_doses(now=timezone.now())
