"""Fault: the worker is killed (SIGKILL, by pid) while dispatching 200 reminders, then
restarted. None is lost; the rows it held come back after their lease. The number sent
twice is printed (at most the one message in flight when the process died)."""

from collections import Counter
from datetime import date, timedelta

from django.utils import timezone

from reminders.models import Notification
from schedules.models import Dose
from tests.reminders.conftest import daily
from tests.reminders.smtp import Collector, smtp_server
from tests.reminders.workers import (
    kill_worker,
    log_tail,
    start_worker,
    stop_worker,
    wait_until,
)

COUNT = 200
LEASE_SECONDS = "3"


def pending_reminders(patient) -> None:
    now = timezone.now()
    doses = Dose.objects.filter(prescription__patient=patient).order_by("due")[:COUNT]
    Notification.objects.bulk_create(
        Notification(
            recipient=patient,
            dose=dose,
            kind="due",
            channel="email",
            scheduled_for=now,
            next_attempt_at=now,
        )
        for dose in doses
    )


def test_a_killed_worker_loses_no_reminder(
    transactional_db, make_patient, tmp_path, capsys, worker_broker
):
    broker = worker_broker
    patient = make_patient("sigkill@example.com", "Sig Kill")
    # Doses from ten days ahead: the plan sweep has nothing of its own to add meanwhile.
    daily(patient, start=date.today() + timedelta(days=10), today=date.today())
    pending_reminders(patient)
    var = tmp_path / "var"

    # The server takes 20 ms per message, so the kill lands mid-run.
    with smtp_server(Collector(delay=0.02)) as (server, port):
        env = {"EMAIL_URL": f"smtp://127.0.0.1:{port}", "NOTIFICATION_LEASE_SECONDS": LEASE_SECONDS}
        worker = start_worker(var, broker, "sigkill-1", **env)
        try:
            started = wait_until(lambda: len(server.messages) >= 50, seconds=90)
        finally:
            kill_worker(worker)
        at_kill = len(server.message_ids())
        states = Counter(Notification.objects.values_list("status", flat=True))

        restarted = start_worker(var, broker, "sigkill-2", **env)
        try:
            finished = wait_until(
                lambda: Notification.objects.filter(status="sent").count() == COUNT, seconds=90
            )
            wait_until(lambda: len(set(server.message_ids())) >= COUNT, seconds=10)
        finally:
            stop_worker(restarted)

    output = log_tail(var)
    assert started, output
    assert at_kill < COUNT and states["sent"] < COUNT, "the kill came after the run ended"
    assert finished, (Counter(Notification.objects.values_list("status", "attempts")), output)
    assert Notification.objects.count() == COUNT
    received = Counter(server.message_ids())
    expected = {
        f"<notification-{pk}@b12tracker.invalid>"
        for pk in Notification.objects.values_list("pk", flat=True)
    }
    assert set(received) == expected  # none lost
    twice = sum(count - 1 for count in received.values())
    with capsys.disabled():
        print(
            f"\n[sigkill] killed after {at_kill} of {COUNT} messages "
            f"(rows then: {dict(states)}); after restart all {COUNT} sent, "
            f"{twice} sent twice"
        )
    assert twice <= 1  # only the message in flight when the process died
