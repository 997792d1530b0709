"""Celery tasks for reminders: thin periodic sweeps that take no model instances.

Each records its tick, so the status page shows when every sweep last ran.
"""

import socket

from celery import Task, shared_task
from django.utils import timezone

from .models import SweepTick
from .transports import TransportError


def _tick(name: str, now: object) -> None:
    SweepTick.record(name, at=now, worker=socket.gethostname())


@shared_task
def heartbeat() -> None:
    """Beat ticks this every HEARTBEAT_SECONDS; the status page checks it is recent."""
    SweepTick.record("heartbeat", at=timezone.now(), worker=socket.gethostname())


@shared_task
def plan_notifications() -> int:
    from .planner import plan_notifications as plan

    now = timezone.now()
    result = plan(now=now)
    _tick("plan_notifications", now)
    return result.created


@shared_task
def dispatch_notifications() -> int:
    from .dispatcher import dispatch_due

    now = timezone.now()
    result = dispatch_due()
    _tick("dispatch_notifications", now)
    return result.sent


@shared_task
def flag_missed_doses() -> int:
    from monitoring.services import sweep_missed_doses

    now = timezone.now()
    flagged = sweep_missed_doses(now=now)
    _tick("flag_missed_doses", now)
    return flagged


@shared_task
def nudge_unlogged_doses() -> int:
    from .planner import plan_nudges

    now = timezone.now()
    created = plan_nudges(now=now)
    _tick("nudge_unlogged_doses", now)
    return created


@shared_task
def plan_flag_digests() -> int:
    from monitoring.services import plan_flag_digests as plan

    now = timezone.now()
    created = plan(now=now)
    _tick("plan_flag_digests", now)
    return created


@shared_task(bind=True, max_retries=3)
def send_sms_code(self: Task, preference_id: int) -> bool:
    """Text a fresh verification code; a temporary failure retries (a new code each time)."""
    from .services import sms_code_failed, sms_code_send

    try:
        return sms_code_send(preference_id=preference_id)
    except TransportError as error:
        if error.permanent or self.request.retries >= self.max_retries:
            sms_code_failed(preference_id=preference_id, reason=str(error))
            return False
        raise self.retry(countdown=30 * 2**self.request.retries) from None
