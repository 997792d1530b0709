"""Celery tasks for reminders: thin periodic sweeps that take no model instances."""

import socket

from celery import shared_task
from django.utils import timezone

from .models import SweepTick


@shared_task
def heartbeat() -> None:
    """Beat ticks this every HEARTBEAT_SECONDS; the status page checks it is recent."""
    SweepTick.record("heartbeat", at=timezone.now(), worker=socket.gethostname())
