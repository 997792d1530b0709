"""Ampoule stock with a real Celery worker and broker (a redis-server of the test's own) and a
real SMTP conversation: injections logged through the service run the stock down, the running-
low reminder is written at its threshold, exactly once, and the worker sends it by email."""

import time
from datetime import timedelta

import pytest

from core.clock import local_today
from reminders.models import Notification, StockBatch
from reminders.stock.services import batch_add
from tests.helpers import prescribe
from tests.reminders.smtp import smtp_server
from tests.reminders.test_account_messages_worker import publishing_to  # noqa: F401 (fixture)
from tests.reminders.test_stock_helpers import WEEKLY, log, on
from tests.reminders.workers import log_tail, start_worker, stop_worker, wait_until


def sent(row: Notification) -> bool:
    row.refresh_from_db()
    return row.status == "sent"


@pytest.mark.usefixtures("transactional_db")
def test_the_stock_runs_down_and_the_worker_sends_the_refill_reminder_once(
    alice,
    tmp_path,
    capsys,
    publishing_to,  # noqa: F811
):
    var = tmp_path / "var"
    today = local_today(alice)
    start = today - timedelta(weeks=2)  # weekly doses two weeks ago, last week and today
    rx = prescribe(alice, start=start, phases=WEEKLY)
    with on(start):
        batch = batch_add(
            patient=alice, count=5, strength_mcg_per_ml=1000, expiry=start + timedelta(days=400)
        )
    with smtp_server() as (server, port):
        worker = start_worker(var, publishing_to, "stock", EMAIL_URL=f"smtp://127.0.0.1:{port}")
        try:
            assert wait_until(lambda: " ready." in log_tail(var), seconds=60), log_tail(var)
            log(rx, start)  # 4 left: more than the 3 doses ahead the reminder waits for
            assert not Notification.objects.filter(kind="refill").exists()
            began = time.monotonic()
            log(rx, start + timedelta(weeks=1))  # 3 left: the threshold
            row = Notification.objects.get(kind="refill")
            went = wait_until(lambda: sent(row), seconds=60, step=0.05)
            took = time.monotonic() - began
            log(rx, today)  # 2 left: the same shortfall
            time.sleep(3)  # a few dispatch sweeps (every second here) find nothing more to send
        finally:
            stop_worker(worker)

    assert went, log_tail(var)
    batch.refresh_from_db()
    assert batch.on_hand == 2
    assert Notification.objects.filter(kind="refill").count() == 1
    # The refill reminder went once. (Today's dose may bring its own day-of reminder, depending
    # on the hour the test runs: that message is not this test's.)
    refill_id = f"<notification-{row.pk}@b12tracker.invalid>"
    assert server.message_ids().count(refill_id) == 1
    others = set(Notification.objects.exclude(pk=row.pk).values_list("kind", flat=True))
    assert others <= {"due", "upcoming", "nudge"}, others
    [message] = [m for m in server.messages if str(m["Message-ID"]) == refill_id]
    assert message["Subject"] == "Time to get more ampoules"
    body = message.get_payload(decode=True).decode()
    assert "cover your next 2 injections" in body or "cover your next 3 injections" in body
    assert StockBatch.objects.get(pk=batch.pk).movements.filter(reason="injection").count() == 3
    with capsys.disabled():
        print(f"\n[stock] refill reminder sent {took:.2f} s after the injection that reached it")
