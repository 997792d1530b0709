"""Celery tasks for reminders: thin periodic sweeps that take no model instances.

Each is wrapped in core's `sweep`, so the status page shows when every sweep last ran.
"""

from celery import Task, shared_task
from django.utils import timezone

from core.sweeps import sweep

from . import dispatcher, planner, services
from .transports import TransportError

SMS_CODE_RETRIES = 3


@shared_task
@sweep("plan_notifications")
def plan_notifications() -> int:
    return planner.plan_notifications(now=timezone.now()).created


@shared_task
@sweep("dispatch_notifications")
def dispatch_notifications() -> int:
    return dispatcher.dispatch_due().sent


@shared_task
@sweep("nudge_unlogged_doses")
def nudge_unlogged_doses() -> int:
    return planner.plan_nudges(now=timezone.now())


@shared_task(bind=True, max_retries=SMS_CODE_RETRIES)
def send_sms_code(self: Task[[int], bool], preference_id: int) -> bool:
    """Text a fresh verification code; a temporary failure retries (a new code each time)."""
    try:
        return services.sms_code_send(preference_id=preference_id)
    except TransportError as error:
        if error.permanent or self.request.retries >= SMS_CODE_RETRIES:
            services.sms_code_failed(preference_id=preference_id, reason=str(error))
            return False
        raise self.retry(countdown=30 * 2**self.request.retries) from None
