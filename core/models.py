"""Rows that no single app owns: one tick record per periodic sweep.

The status page reads them; the sweep decorator in core.sweeps writes them.
"""

from datetime import datetime, timedelta

from django.db import models
from django.db.models import F


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
        bump = {"last_tick_at": at, "ticks": F("ticks") + 1, "last_worker": worker}
        if cls.objects.filter(name=name).update(**bump):
            return
        _, created = cls.objects.get_or_create(
            name=name, defaults={"last_tick_at": at, "ticks": 1, "last_worker": worker}
        )
        if not created:
            cls.objects.filter(name=name).update(**bump)

    def is_stale(self, *, now: datetime, after: timedelta) -> bool:
        return now - self.last_tick_at > after
