"""Celery tasks of core: the worker's heartbeat, which the status page checks is recent."""

from celery import shared_task

from .sweeps import record_tick


@shared_task
def heartbeat() -> None:
    """Beat ticks this every HEARTBEAT_SECONDS."""
    record_tick("heartbeat")
