"""Account messages with a real worker and broker (a redis-server of the test's own): the kick
after the commit sends an invitation at once, with no sweep running; and with the kick lost
(the broker flushed before the worker read it), the dispatch sweep sends it."""

import time
from collections.abc import Iterator

import pytest
import redis
from celery import current_app as celery_app

from accounts import services as account_services
from reminders.models import Notification
from tests.reminders.smtp import smtp_server
from tests.reminders.workers import log_tail, start_worker, stop_worker, wait_until


@pytest.fixture
def publishing_to(own_redis, monkeypatch) -> Iterator[str]:
    """This process queues tasks on the test's own broker instead of running them eagerly."""
    eager, broker = celery_app.conf.task_always_eager, celery_app.conf.broker_url
    # Celery reads CELERY_BROKER_URL from the environment before its own configuration.
    monkeypatch.setenv("CELERY_BROKER_URL", own_redis)
    celery_app.conf.update(task_always_eager=False, broker_url=own_redis)
    # Celery keeps its connection pools for the app's life; dropping them, as it does in a
    # forked child, makes the next publish connect to the new broker.
    celery_app._after_fork()
    yield own_redis
    celery_app.conf.update(task_always_eager=eager, broker_url=broker)
    celery_app._after_fork()


def invitation(charlie) -> Notification:
    account_services.carelink_invite(clinician=charlie, email="new@example.org")
    return Notification.objects.get(kind="invitation")


def sent(row: Notification) -> bool:
    row.refresh_from_db()
    return row.status == "sent"


def test_the_kick_sends_an_invitation_at_once_with_no_sweep_running(
    transactional_db, charlie, tmp_path, capsys, publishing_to
):
    var = tmp_path / "var"
    with smtp_server() as (server, port):
        smtp = f"smtp://127.0.0.1:{port}"
        worker = start_worker(var, publishing_to, "kick", beat=False, EMAIL_URL=smtp)
        try:
            assert wait_until(lambda: " ready." in log_tail(var), seconds=60), log_tail(var)
            began = time.monotonic()
            row = invitation(charlie)  # autocommit: the kick leaves as the service commits
            went = wait_until(lambda: sent(row), seconds=60, step=0.05)
            took = time.monotonic() - began
        finally:
            stop_worker(worker)

    assert went, log_tail(var)
    assert server.message_ids() == [f"<notification-{row.pk}@b12tracker.invalid>"]
    assert "Task reminders.tasks.send_now[" in log_tail(var)
    with capsys.disabled():
        print(f"\n[kick] invitation sent {took:.2f} s after its commit (no sweep running)")


def test_an_invitation_whose_kick_was_flushed_goes_out_with_the_sweep(
    transactional_db, charlie, tmp_path, capsys, publishing_to
):
    var = tmp_path / "var"
    row = invitation(charlie)  # kicked before any worker runs
    redis.Redis.from_url(publishing_to).flushdb()  # the kick is gone with the broker's data
    with smtp_server() as (server, port):
        worker = start_worker(var, publishing_to, "sweep", EMAIL_URL=f"smtp://127.0.0.1:{port}")
        try:
            began = time.monotonic()
            went = wait_until(lambda: sent(row), seconds=60, step=0.05)
            took = time.monotonic() - began
        finally:
            stop_worker(worker)

    assert went, log_tail(var)
    assert server.message_ids() == [f"<notification-{row.pk}@b12tracker.invalid>"]
    assert "Task reminders.tasks.send_now[" not in log_tail(var)
    with capsys.disabled():
        print(f"\n[flushed kick] invitation sent by the sweep {took:.2f} s after worker start")
