"""A real worker with embedded beat plans a due reminder and sends it through SMTP to an
in-process server (aiosmtpd) within two minutes: filesystem broker locally, Redis in CI."""

from datetime import timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from accounts.models import PatientProfile
from core.models import SweepTick
from reminders.models import Notification, ReminderPreference
from reminders.selectors import SWEEPS
from tests.reminders.conftest import daily
from tests.reminders.smtp import smtp_server
from tests.reminders.workers import log_tail, start_worker, stop_worker, wait_until

DEADLINE = 120


def zone_near_noon(now) -> str:
    """A fixed-offset zone where it is about noon now, far from any local midnight."""
    offset = 12 - now.hour
    return "Etc/GMT" + (f"{-offset:+d}" if offset else "")


def test_worker_sends_a_due_reminder_through_smtp(
    transactional_db, make_patient, tmp_path, worker_broker
):
    broker = worker_broker
    now = timezone.now()
    zone = zone_near_noon(now)
    patient = make_patient("worker-smtp@example.com", "Worker Smtp", zone)
    local = now.astimezone(ZoneInfo(zone))
    PatientProfile.objects.filter(user=patient).update(
        reminder_time=(local - timedelta(minutes=1)).time().replace(second=0, microsecond=0)
    )
    ReminderPreference.objects.create(
        patient=patient,
        upcoming_enabled=False,
        nudge_enabled=False,
    )
    daily(patient, start=local.date())

    with smtp_server() as (server, port):
        worker = start_worker(
            tmp_path / "var", broker, "smtp", EMAIL_URL=f"smtp://127.0.0.1:{port}"
        )
        try:
            arrived = wait_until(lambda: server.messages, seconds=DEADLINE)
            done = wait_until(
                lambda: Notification.objects.filter(status="sent").exists(), seconds=10
            )
        finally:
            code = stop_worker(worker)

    output = log_tail(tmp_path / "var")
    assert arrived and done, output
    row = Notification.objects.get(status="sent")
    (message,) = server.messages
    assert row.kind == "due" and row.recipient == patient
    assert message["Message-ID"] == f"<notification-{row.pk}@b12tracker.invalid>"
    assert message["To"] == patient.email and "due" in message["Subject"]
    assert code == 0, output
    ticked = set(SweepTick.objects.values_list("name", flat=True))
    assert {"plan_notifications", "dispatch_notifications"} <= ticked <= {*SWEEPS, "heartbeat"}
