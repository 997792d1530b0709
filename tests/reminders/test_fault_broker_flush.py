"""Fault: the broker's data is wiped (FLUSHDB on a redis-server started for this test alone,
never the configured shared Redis) while reminders fall due, and every reminder still goes
out: the schedule lives in the database, and beat's next ticks reach the worker again."""

from datetime import date, timedelta

import redis
from django.utils import timezone

from reminders.models import Notification
from schedules.models import Dose
from tests.reminders.conftest import daily
from tests.reminders.smtp import smtp_server
from tests.reminders.workers import log_tail, start_worker, stop_worker, wait_until

COUNT = 120
SPREAD = timedelta(seconds=20)


def staggered_reminders(patient) -> None:
    now = timezone.now() + timedelta(seconds=3)
    doses = Dose.objects.filter(prescription__patient=patient).order_by("due")[:COUNT]
    Notification.objects.bulk_create(
        Notification(
            recipient=patient,
            dose=dose,
            kind="due",
            channel="email",
            scheduled_for=now + SPREAD * n / COUNT,
            next_attempt_at=now + SPREAD * n / COUNT,
        )
        for n, dose in enumerate(doses)
    )


def test_every_reminder_goes_out_after_the_broker_is_flushed(
    transactional_db, make_patient, tmp_path, capsys, own_redis
):
    broker = own_redis  # started empty, for this test alone: flushing it touches nobody else
    client = redis.Redis.from_url(broker)
    patient = make_patient("flush@example.com", "Flush Test")
    daily(patient, start=date.today() + timedelta(days=10), today=date.today())
    staggered_reminders(patient)
    var = tmp_path / "var"

    def sent() -> int:
        return Notification.objects.filter(status="sent").count()

    with smtp_server() as (server, port):
        worker = start_worker(var, broker, "flush", EMAIL_URL=f"smtp://127.0.0.1:{port}")
        try:
            before = wait_until(lambda: sent() >= 20, seconds=60)
            at_flush = sent()
            client.flushdb()  # queues, bindings, unacked messages: all gone
            finished = wait_until(lambda: sent() == COUNT, seconds=60)
        finally:
            stop_worker(worker)

    output = log_tail(var)
    assert before and at_flush < COUNT, output
    assert finished, (sent(), output)
    ids = server.message_ids()
    assert len(ids) == len(set(ids)) == COUNT
    with capsys.disabled():
        print(f"\n[flush] FLUSHDB after {at_flush} of {COUNT} sent; all {COUNT} went out once")
