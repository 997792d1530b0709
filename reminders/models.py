"""Rows the Celery sweeps write: one tick record per periodic task.

The status page reads them to tell staff whether beat and the workers are alive.
"""

from datetime import datetime, timedelta

from django.db import models
from django.db.models import F
from django.utils import timezone


class SweepTick(models.Model):
    name = models.CharField(max_length=64, unique=True)
    last_tick_at = models.DateTimeField()
    ticks = models.PositiveBigIntegerField(default=0)
    last_worker = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return f"{self.name} @ {self.last_tick_at:%Y-%m-%d %H:%M:%S}"

    @classmethod
    def record(cls, name: str, *, at: datetime, worker: str = "") -> None:
        """Count one tick; safe when two workers tick the same sweep at once."""
        updated = cls.objects.filter(name=name).update(
            last_tick_at=at, ticks=F("ticks") + 1, last_worker=worker
        )
        if not updated:
            _, created = cls.objects.get_or_create(
                name=name, defaults={"last_tick_at": at, "ticks": 1, "last_worker": worker}
            )
            if not created:
                cls.objects.filter(name=name).update(
                    last_tick_at=at, ticks=F("ticks") + 1, last_worker=worker
                )

    def is_stale(self, *, now: datetime, after: timedelta) -> bool:
        return now - self.last_tick_at > after


def heartbeat_is_stale(*, now: datetime | None = None, after: timedelta) -> bool:
    tick = SweepTick.objects.filter(name="heartbeat").first()
    return tick is None or tick.is_stale(now=now or timezone.now(), after=after)
