"""A task failing because the database does not answer is logged as one clear line naming
the database, without its traceback, the same for every task: with the repeat filter, one line
and one "repeated N times" summary a window during an outage (injected clock)."""

import logging

import psycopg
import pytest
from django.db import OperationalError, connection

from b12tracker.logfilter import RepeatedErrors
from tests.test_logfilter import Clock, Lines

LOGGER = "tests.logfilter.database"  # stands in for celery.app.trace


def failure(task: str) -> logging.LogRecord:
    """A worker's "task raised" record, as Django raises a refused connection."""
    try:
        try:
            raise psycopg.OperationalError(
                'connection failed: connection to server at "127.0.0.1", port 5433 failed: '
                "Connection refused\n\tIs the server running on that host?"
            )
        except psycopg.OperationalError as inner:
            raise OperationalError(str(inner)) from inner
    except OperationalError:
        import sys

        info = sys.exc_info()
    return logging.LogRecord(
        LOGGER,
        logging.ERROR,
        __file__,
        1,
        "Task %(name)s[%(id)s] raised unexpected: %(exc)r",
        ({"name": task, "id": "abc", "exc": info[1]},),
        info,
    )


@pytest.fixture
def log():
    clock = Clock()
    logger = logging.getLogger(LOGGER)
    handler = Lines()
    handler.addFilter(RepeatedErrors(window=60.0, clock=clock))
    logger.addHandler(handler)
    logger.propagate = False
    yield logger, handler, clock
    logger.removeHandler(handler)


def test_a_refused_database_is_one_clear_line_without_traceback(log):
    logger, handler, _ = log
    record = failure("reminders.tasks.dispatch_notifications")

    logger.handle(record)

    where = "the database" if connection.vendor == "sqlite" else "the database at"
    (line,) = handler.lines
    assert line.startswith(f"ERROR {where}") and "is unreachable (connection refused)" in line
    assert record.exc_info is None and "Traceback" not in line


def test_an_outage_logs_one_line_and_one_summary_a_window_whatever_the_task(log):
    logger, handler, clock = log
    for second in range(120):  # two minutes, every sweep failing every second
        clock.now = 1000.0 + second
        for task in ("dispatch_notifications", "plan_notifications", "heartbeat"):
            logger.handle(failure(task))

    assert len(handler.lines) == 3  # the first, then the summary and the first of the next
    assert "repeated 179 times in the last 60 s" in handler.lines[1]


def test_other_errors_keep_their_traceback(log):
    logger, handler, _ = log
    try:
        raise OperationalError("deadlock detected")
    except OperationalError:
        logger.exception("Notification 1 could not be sent")

    assert handler.lines == ["ERROR Notification 1 could not be sent"]
