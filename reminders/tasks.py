"""Celery tasks for reminders: thin periodic sweeps that take no model instances, and the kick
that sends rows just written without waiting for the next sweep.

Each sweep is wrapped in core's `sweep`, so the status page shows when every sweep last ran.
"""

import logging

from celery import shared_task
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError

from core.sweeps import sweep

from . import dispatcher, planner

log = logging.getLogger(__name__)

# A kick sends a handful of rows; it must not hold a worker as long as a sweep may.
SEND_NOW_BUDGET_SECONDS = 20.0


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


@shared_task
def send_now(ids: list[int]) -> int:
    """Send these rows if they are still pending and due; any other row is the sweep's."""
    return dispatcher.dispatch_due(ids=ids, budget_seconds=SEND_NOW_BUDGET_SECONDS).sent


def send_soon(ids: list[int]) -> None:
    """Kick `send_now` for these rows once the current transaction commits. A kick that cannot
    be queued (the broker is down) or is lost later (flushed) costs only latency: the rows are
    committed, and the dispatch sweep sends them within DISPATCH_SECONDS."""
    if not ids:
        return
    chosen = list(ids)

    def kick() -> None:
        try:
            send_now.delay(chosen)
        except (OperationalError, OSError) as error:
            log.warning(
                "Could not queue sending %s now (%s); the sweep will send them", chosen, error
            )

    transaction.on_commit(kick)
