"""A logging filter that keeps a repeated error to one line a window.

The first warning or error with a given key (logger, level, message template and, when there
is one, the exception's type and text) goes through; identical ones within `window` seconds
are dropped and counted. The first record after any logged record once the window has passed
brings a summary line: "<message> ... repeated N times in the last 60 s". Info and debug
lines always pass.

A warning or error caused by a database that does not answer (a task failing on a worker
whose database went away) becomes one clear line without its traceback, the same for every
task, so an outage logs one line and one summary a window, not a traceback a tick.
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
        if record.levelno >= logging.WARNING:
            clarify_database_outage(record)
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


DATABASE_DOWN = "%s is unreachable (%s); tasks that need it fail until it answers"


def database_outage(error: BaseException | None) -> BaseException | None:
    """The error in `error`'s chain saying the database cannot be reached, if any."""
    from django.db import InterfaceError, OperationalError

    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        text = str(error).lower()
        if isinstance(error, OperationalError | InterfaceError) and "connect" in text:
            return error
        error = error.__cause__ or error.__context__
    return None


def clarify_database_outage(record: logging.LogRecord) -> None:
    """Rewrite a record caused by an unreachable database as DATABASE_DOWN, traceback dropped."""
    if not record.exc_info or record.msg == DATABASE_DOWN:
        return
    error = database_outage(record.exc_info[1])
    if error is None:
        return
    from django.db import connection

    from .startup import database_name, reason_of

    secret = str(connection.settings_dict.get("PASSWORD") or "")
    record.msg = DATABASE_DOWN
    record.args = (database_name(), reason_of(error, secret=secret))
    record.exc_info = None
    record.exc_text = None
