"""Shared set-up for the reminder tests: an empty SMS outbox, a daily prescription (made by
tests.helpers.prescribe, through the schedule services), outbox helpers, the brokers the
worker tests use (never the configured shared Redis), and the fault suite's table of figures
printed once at the end of the run."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime

import pytest
from django.db import connection

from reminders import transports
from reminders.models import Notification
from schedules import engine
from schedules.models import Prescription
from tests.helpers import prescribe
from tests.reminders.workers import redis_configured, redis_server

DAILY = [
    engine.PhaseSpec(
        kind="maintenance", cadence=engine.Cadence("day", 1), dose_mcg=1000, bound="ongoing"
    )
]


@pytest.fixture(autouse=True)
def sms_outbox():
    transports.sms_outbox.clear()
    yield transports.sms_outbox
    transports.sms_outbox.clear()


@pytest.fixture
def own_redis() -> Iterator[str]:
    """The URL of a redis-server started for this test alone (stopped after it)."""
    with redis_server() as url:
        yield url


@pytest.fixture
def worker_broker() -> Iterator[str]:
    """A worker test's broker: the filesystem broker locally; when CELERY_BROKER_URL names
    Redis (as in CI), a redis-server of the test's own rather than the configured one."""
    if not redis_configured():
        yield "filesystem://"
        return
    with redis_server() as url:
        yield url


def daily(patient, *, start: date, today: date | None = None) -> Prescription:
    return prescribe(patient, start=start, today=today, phases=DAILY)


def rows(**filters) -> list[Notification]:
    return list(Notification.objects.filter(**filters).order_by("scheduled_for", "pk"))


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@contextmanager
def after_claim_select(step: Callable[[], object]) -> Iterator[None]:
    """Run `step` once, on this thread's connection, right after the first SELECT of the
    outbox table: inside claim(), between choosing the due rows and the guarded UPDATE that
    takes them. A test drives an interleaving with it (another sender claims, or this claimer
    pauses while it holds the row locks)."""
    table = Notification._meta.db_table
    done = False

    def wrapper(execute, sql, params, many, context):
        nonlocal done
        result = execute(sql, params, many, context)
        if not done and sql.lstrip().upper().startswith("SELECT") and f'"{table}"' in sql:
            done = True
            step()
        return result

    with connection.execute_wrapper(wrapper):
        yield


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    """Every fault scenario's figures in one table, so that the CI log carries them."""
    from tests.reminders.faults import table

    lines = table()
    if lines:
        terminalreporter.section("fault suite: reminders sent, lost and twice; time to red")
        for line in lines:
            terminalreporter.write_line(line)
