"""A worker's (or a separate beat's) start-up check: the database and the broker answer
before it says "ready".

Each is tried with a doubling pause (0.5 s, 1 s, 2 s ... at most 8 s) until
WORKER_STARTUP_CHECK_SECONDS have passed; one warning line per failed try. If either is still
unreachable the process exits with status 1 after ONE error line naming it ("b12tracker
worker: ..." or "b12tracker beat: ..."), without a traceback and without the password.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable

from celery import Celery
from django.conf import settings
from django.db import connection

logger = logging.getLogger("b12tracker.startup")

FIRST_PAUSE = 0.5
LONGEST_PAUSE = 8.0


class Unreachable(Exception):
    """A service did not answer: `what` names it ("the database at host:port")."""

    def __init__(self, what: str, reason: str) -> None:
        super().__init__(f"{what} is unreachable ({reason})")
        self.what = what
        self.reason = reason


def reason_of(error: BaseException, *, secret: str = "") -> str:
    """A short, password-free reason: "connection refused", "timed out" or the first line."""
    text = str(error) or type(error).__name__
    lowered = text.lower()
    if "refused" in lowered:
        return "connection refused"
    if "timed out" in lowered or "timeout" in lowered:
        return "timed out"
    if "password authentication failed" in lowered:
        return "authentication failed"
    first = text.strip().splitlines()[0] if text.strip() else type(error).__name__
    if secret:
        first = first.replace(secret, "****")
    return first[:200]


def database_name() -> str:
    config = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"the database {config['NAME']}"
    host = config.get("HOST") or "localhost"
    port = f":{config['PORT']}" if config.get("PORT") else ""
    return f"the database at {host}{port}"


def check_database() -> None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as error:
        secret = str(connection.settings_dict.get("PASSWORD") or "")
        raise Unreachable(database_name(), reason_of(error, secret=secret)) from None
    finally:
        connection.close()  # the pool's children open their own


def check_broker(app: Celery) -> None:
    with app.connection_for_write() as broker:
        what = f"the broker at {broker.hostname or 'localhost'}:{broker.port}"
        if broker.transport_cls in ("filesystem", "memory"):
            what = f"the {broker.transport_cls} broker"
        try:
            broker.ensure_connection(max_retries=1, interval_start=0, timeout=5)
        except Exception as error:
            raise Unreachable(what, reason_of(error, secret=broker.password or "")) from None


def with_back_off(
    check: Callable[[], None],
    budget: float,
    *,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    role: str = "worker",
) -> None:
    """Run `check` until it passes, pausing 0.5 s, 1 s, 2 s ... (at most 8 s) between tries,
    for at most `budget` seconds; the last Unreachable is raised."""
    deadline = clock() + budget
    pause = FIRST_PAUSE
    while True:
        try:
            check()
            return
        except Unreachable as error:
            left = deadline - clock()
            if left <= 0:
                raise
            wait = min(pause, left)
            logger.warning(
                "b12tracker %s: %s is unreachable (%s); retrying in %.1f s",
                role,
                error.what,
                error.reason,
                wait,
            )
            sleep(wait)
            pause = min(pause * 2, LONGEST_PAUSE)


def check_services(app: Celery, *, role: str = "worker") -> None:
    """The database, then the broker; exits the process (status 1) if one stays unreachable.
    `role` names the process in its lines: "worker", or "beat" when beat runs on its own."""
    budget = float(settings.WORKER_STARTUP_CHECK_SECONDS)
    try:
        with_back_off(check_database, budget, role=role)
        with_back_off(lambda: check_broker(app), budget, role=role)
    except Unreachable as error:
        logger.error(
            "b12tracker %s: %s is unreachable (%s); exiting", role, error.what, error.reason
        )
        for handler in logging.getLogger().handlers:
            handler.flush()
        sys.exit(1)
