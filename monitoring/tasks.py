"""Celery tasks for monitoring: the periodic review sweep, a thin wrapper taking no arguments.

It records its tick like the reminder sweeps, so the status page can show when it last ran.
"""

import socket

from celery import shared_task
from django.utils import timezone


@shared_task
def raise_review_flags() -> int:
    from reminders.models import SweepTick

    from .review import raise_review_flags as sweep

    now = timezone.now()
    result = sweep(now=now)
    SweepTick.record("raise_review_flags", at=now, worker=socket.gethostname())
    return result.total
