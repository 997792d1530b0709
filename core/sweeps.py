"""Periodic sweeps: the decorator that records each run's tick, and the heartbeat check.

Every app's Celery sweep is wrapped in `@sweep(name)`, so the status page shows when it ran.
"""

from __future__ import annotations

import functools
import socket
from collections.abc import Callable
from datetime import datetime
from typing import ParamSpec, TypeVar

from django.utils import timezone

from .models import SweepTick

P = ParamSpec("P")
R = TypeVar("R")


def record_tick(name: str, *, at: datetime | None = None) -> None:
    SweepTick.record(name, at=at or timezone.now(), worker=socket.gethostname())


def sweep(name: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Record a tick named `name`, stamped with the instant the sweep started, once it ran."""

    def wrap(func: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(func)
        def run(*args: P.args, **kwargs: P.kwargs) -> R:
            started = timezone.now()
            result = func(*args, **kwargs)
            record_tick(name, at=started)
            return result

        return run

    return wrap
