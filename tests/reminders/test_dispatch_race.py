"""Two dispatchers racing over 1,000 due messages on PostgreSQL: each is claimed and sent
exactly once (SKIP LOCKED plus a guarded update), and both dispatchers do a share."""

import threading
from collections import Counter
from datetime import date

import time_machine
from django.core import mail
from django.db import connection, connections

from reminders.dispatcher import dispatch_due
from reminders.models import Notification
from schedules.models import Dose
from tests.conftest import need
from tests.reminders.conftest import daily, utc

NOW = utc(2026, 6, 1, 12, 0)
ROWS = 1000


def due_rows(patients) -> None:
    doses = list(Dose.objects.filter(prescription__patient__in=patients).order_by("pk")[:ROWS])
    Notification.objects.bulk_create(
        Notification(
            recipient_id=dose.prescription.patient_id,
            dose=dose,
            kind="due",
            channel="email",
            scheduled_for=NOW,
            next_attempt_at=NOW,
        )
        for dose in Dose.objects.filter(pk__in=[d.pk for d in doses]).select_related("prescription")
    )


def test_two_dispatchers_claim_each_message_once(transactional_db, make_patient):
    need(connection.vendor == "postgresql", "the race needs PostgreSQL (DATABASE_URL)")
    patients = [make_patient(f"racer{n}@example.com", f"Racer {n}") for n in range(3)]
    for patient in patients:
        daily(patient, start=date(2026, 6, 1))
    due_rows(patients)
    assert Notification.objects.filter(status="pending").count() == ROWS

    barrier = threading.Barrier(2)
    sent: list[int] = []
    errors: list[BaseException] = []

    def dispatcher() -> None:
        try:
            barrier.wait()
            sent.append(dispatch_due(batch=10).sent)
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    with time_machine.travel(NOW, tick=True):
        threads = [threading.Thread(target=dispatcher) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)

    assert not errors, errors
    assert sum(sent) == ROWS and all(share > 0 for share in sent), sent
    assert Notification.objects.filter(status="sent", attempts=1).count() == ROWS
    ids = Counter(message.extra_headers["Message-ID"] for message in mail.outbox)
    assert len(ids) == ROWS and set(ids.values()) == {1}
