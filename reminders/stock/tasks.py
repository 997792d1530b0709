"""The stock sweep beat ticks: each patient's refill and expiry reminders as the date moves.

Imported by the app's ready() so that workers know the task (autodiscovery reads only the
app's own tasks.py)."""

from celery import shared_task
from django.utils import timezone

from core.sweeps import sweep

from .alerts import stock_sweep


@shared_task
@sweep("check_stock")
def check_stock() -> int:
    return stock_sweep(now=timezone.now())
