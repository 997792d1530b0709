"""Celery tasks for carers: the alert sweep, a thin wrapper taking no arguments."""

from celery import shared_task
from django.utils import timezone

from core.sweeps import sweep

from . import alerts


@shared_task
@sweep("send_carer_alerts")
def send_carer_alerts() -> int:
    return alerts.send_carer_alerts(now=timezone.now())
