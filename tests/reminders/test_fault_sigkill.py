"""Fault: the worker is killed (SIGKILL to its process group, by pid) ten times while it
sends 200 reminders, restarted each time, then left to finish. None is lost; the rows a dead
sender held come back after their lease; at most the one message in flight at each kill goes
twice (counted by Message-ID at the test's SMTP server)."""

from collections import Counter
from datetime import timedelta

from reminders.models import Notification
from tests.reminders.faults import (
    RED_WITHIN,
    WORKER_ENV,
    RedWatch,
    compressed,
    due_reminders,
    figures,
    need_postgres,
    sent_count,
    twice_by_key,
    worker_up,
)
from tests.reminders.smtp import Collector, smtp_server
from tests.reminders.workers import (
    kill_worker,
    log_tail,
    start_worker,
    stop_worker,
    wait_until,
)

COUNT = 200
KILLS = 10
PER_LIFE = 8  # messages each life sends (at least) before it is killed


@compressed
def test_ten_kills_while_sending_lose_no_reminder(
    transactional_db, make_patient, staff, client_for, tmp_path, own_redis
):
    need_postgres()
    patient = make_patient("sigkill@example.com", "Sig Kill")
    watch = RedWatch(client_for(staff), limit=RED_WITHIN)
    var = tmp_path / "var"
    at_kills: list[int] = []

    def reached(count: int) -> bool:
        watch.check()  # the checks are read throughout, as a monitor would
        return len(server.message_ids()) >= count

    # The server takes 20 ms per message, so each kill lands mid-batch.
    with smtp_server(Collector(delay=0.02)) as (server, port):
        env = {**WORKER_ENV, "EMAIL_URL": f"smtp://127.0.0.1:{port}"}
        worker = start_worker(var, own_redis, "sigkill-0", **env)
        try:
            assert worker_up(), log_tail(var)
            due_reminders(patient, COUNT, spread=timedelta(seconds=1))
            for life in range(KILLS):
                goal = len(server.message_ids()) + PER_LIFE
                started = wait_until(lambda goal=goal: reached(goal), seconds=60)
                assert started, log_tail(var)
                kill_worker(worker)
                at_kills.append(len(server.message_ids()))
                if life == 0:
                    watch.start()
                worker = start_worker(var, own_redis, f"sigkill-{life + 1}", **env)
            finished = wait_until(lambda: reached(COUNT) and sent_count() == COUNT, seconds=90)
            wait_until(lambda: len(set(server.message_ids())) >= COUNT, seconds=10)
        finally:
            stop_worker(worker)

    states = Counter(Notification.objects.values_list("status", "attempts"))
    assert finished, (states, log_tail(var))
    assert at_kills[-1] < COUNT, "the last kill came after the run ended"
    expected = {
        f"<notification-{pk}@b12tracker.invalid>"
        for pk in Notification.objects.values_list("pk", flat=True)
    }
    assert set(server.message_ids()) == expected  # none lost
    result = figures(
        "e. SIGKILL x10", rows=COUNT, twice=twice_by_key(server.message_ids()), watch=watch
    )
    result.note += f"; kills after {at_kills} messages"
    assert result.lost == 0, result
    assert result.twice <= KILLS, result  # at most the message in flight at each kill
    assert watch.red_after is not None and watch.red_after <= RED_WITHIN, result
