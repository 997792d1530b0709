"""Two dispatchers racing over 1,000 due messages on PostgreSQL: each is claimed and sent
exactly once (SKIP LOCKED plus a guarded update), and both dispatchers do a share. And,
driven step by step, SKIP LOCKED itself: a claim passes over the rows another claimer holds
locked instead of waiting for them."""

import threading
from collections import Counter
from datetime import date

import pytest
import time_machine
from django.core import mail
from django.db import OperationalError, connection, connections

from reminders.dispatcher import claim, dispatch_due
from reminders.models import Notification
from schedules.models import Dose
from tests.conftest import need
from tests.reminders.conftest import after_claim_select, daily, utc

NOW = utc(2026, 6, 1, 12, 0)
ROWS = 1000


def due_rows(patients, count: int = ROWS) -> None:
    doses = list(Dose.objects.filter(prescription__patient__in=patients).order_by("pk")[:count])
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


def test_a_claim_skips_rows_another_claimer_holds_locked_without_waiting(
    transactional_db, make_patient
):
    need(connection.vendor == "postgresql", "SKIP LOCKED needs PostgreSQL (DATABASE_URL)")
    patient = make_patient("locked@example.com", "Locked Row")
    daily(patient, start=date(2026, 6, 1))
    due_rows([patient], count=2)
    oldest, newest = Notification.objects.order_by("next_attempt_at", "pk")

    holding, go_on = threading.Event(), threading.Event()
    first: list[Notification] = []
    errors: list[BaseException] = []

    def hold_the_lock() -> None:
        holding.set()
        go_on.wait(timeout=60)

    def first_claimer() -> None:
        try:
            # Pauses inside claim() with the oldest row locked, before taking it.
            with after_claim_select(hold_the_lock):
                first.extend(claim(now=NOW, batch=1))
        except BaseException as error:
            errors.append(error)
        finally:
            holding.set()
            connections.close_all()

    thread = threading.Thread(target=first_claimer)
    thread.start()
    try:
        assert holding.wait(timeout=30) and not errors, errors
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '2s'")  # waiting for the lock fails, not hangs
        try:
            second = claim(now=NOW, batch=1)
        except OperationalError as error:
            pytest.fail(f"the claim waited for the row the other claimer holds: {error}")
        finally:
            with connection.cursor() as cursor:
                cursor.execute("RESET lock_timeout")
    finally:
        go_on.set()
        thread.join(timeout=60)

    assert not errors, errors
    assert [row.pk for row in first] == [oldest.pk] and [row.pk for row in second] == [newest.pk]
    assert first[0].claim != second[0].claim
