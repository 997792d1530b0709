"""Two flaggers over 500 doses crossing their window at once, on PostgreSQL: 500 flags, one
per dose, and no duplicate flag or message."""

import threading
from datetime import date

from django.db import connection, connections

from accounts.models import AuditEvent
from monitoring.models import Flag
from reminders.models import Notification
from schedules.services import sweep_missed_doses
from tests.conftest import need
from tests.reminders.conftest import daily, utc

PATIENTS = 50
START = date(2026, 6, 1)
# 11 June in London: each patient's daily doses of 1 to 10 June have missed their window.
NOW = utc(2026, 6, 11, 12, 0)


def run_together(target, count: int = 2) -> list[object]:
    barrier = threading.Barrier(count)
    results: list[object] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait()
            results.append(target())
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    return results


def test_two_flaggers_raise_each_flag_once(transactional_db, make_patient):
    need(connection.vendor == "postgresql", "the race needs PostgreSQL (DATABASE_URL)")
    for n in range(PATIENTS):
        daily(make_patient(f"race{n}@example.com", f"Race {n}"), start=START)

    flagged = run_together(lambda: sweep_missed_doses(now=NOW))

    assert sum(flagged) == 500
    assert Flag.objects.count() == 500
    assert Flag.objects.values("dose").distinct().count() == 500
    # The patient hears about the misses that are news (windows closed in the last 2 days).
    messages = Notification.objects.filter(kind="missed")
    assert messages.count() == messages.values("dose").distinct().count() == 2 * PATIENTS
    assert AuditEvent.objects.filter(action="flag.raised").count() == 500
