"""Reads for the staff status page: worker ticks and the broker in use."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings

from .models import SweepTick


@dataclass(frozen=True)
class WorkerStatus:
    broker: str
    ticks: list[SweepTick]
    heartbeat: SweepTick | None
    heartbeat_stale: bool
    stale_after: timedelta


def broker_label(url: str) -> str:
    """The broker's kind and host, never its password."""
    parts = urlsplit(url)
    if parts.scheme.startswith("filesystem"):
        return f"filesystem ({settings.BROKER_DIR})"
    host = parts.hostname or "localhost"
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path}"


def worker_status(*, now: datetime) -> WorkerStatus:
    ticks = list(SweepTick.objects.order_by("name"))
    heartbeat = next((t for t in ticks if t.name == "heartbeat"), None)
    after = settings.HEARTBEAT_STALE_AFTER
    return WorkerStatus(
        broker=broker_label(settings.CELERY_BROKER_URL),
        ticks=ticks,
        heartbeat=heartbeat,
        heartbeat_stale=heartbeat is None or heartbeat.is_stale(now=now, after=after),
        stale_after=after,
    )
