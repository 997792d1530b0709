"""A logging filter that keeps a repeated error to one line a window.

The first warning or error with a given key (logger, level, message template and, when there
is one, the exception's type and text) goes through; identical ones within `window` seconds
are dropped and counted. The first record after any logged record once the window has passed
brings a summary line: "<message> ... repeated N times in the last 60 s". Info and debug
lines always pass.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

SUMMARY = "b12_repeat_summary"

Key = tuple[str, int, str, str]


@dataclass
class _Seen:
    started: float
    message: str
    suppressed: int = 0


class RepeatedErrors(logging.Filter):
    def __init__(self, window: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self.window = window
        self.clock = clock
        self._seen: dict[Key, _Seen] = {}
        self._lock = threading.Lock()

    @staticmethod
    def key(record: logging.LogRecord) -> Key:
        error = ""
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            error = f"{type(exc).__qualname__}: {str(exc)[:500]}"
        return (record.name, record.levelno, str(record.msg), error)

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, SUMMARY, False):
            return True
        now = self.clock()
        with self._lock:
            due = self._due(now)
            passes = True
            if record.levelno >= logging.WARNING:
                key = self.key(record)
                seen = self._seen.get(key)
                if seen is None:
                    self._seen[key] = _Seen(now, record.getMessage())
                else:
                    seen.suppressed += 1
                    passes = False
        for (name, level, _, _), seen in due:
            logging.getLogger(name).log(
                level,
                "%s ... repeated %d times in the last %d s",
                seen.message,
                seen.suppressed,
                round(self.window),
                extra={SUMMARY: True},
            )
        return passes

    def _due(self, now: float) -> list[tuple[Key, _Seen]]:
        """Windows that have ended: forgotten; those with suppressed repeats come back."""
        ended = [(k, s) for k, s in self._seen.items() if now - s.started >= self.window]
        for key, _ in ended:
            del self._seen[key]
        return [(k, s) for k, s in ended if s.suppressed]
