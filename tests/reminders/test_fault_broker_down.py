"""Fault: the broker stops (a redis-server of the test's own, stopped, not flushed: never the
configured shared Redis) while reminders fall due, then starts again on its port, empty.
The worker and its beat reconnect and every reminder goes out once: the schedule lives in the
database. The status page and /ops/health go red while nothing is sent."""

from datetime import timedelta

from tests.reminders.faults import (
    RED_WITHIN,
    WORKER_ENV,
    RedWatch,
    compressed,
    due_reminders,
    figures,
    need_postgres,
    own_redis_server,
    ride_out,
    sent_count,
    twice_by_key,
    worker_up,
)
from tests.reminders.smtp import smtp_server
from tests.reminders.workers import log_tail, start_worker, stop_worker

COUNT = 30
DOWN_SECONDS = 9


@compressed
def test_broker_down_then_started_again(
    transactional_db, make_patient, staff, client_for, tmp_path
):
    need_postgres()
    patient = make_patient("broker-fault@example.com", "Broker Fault")
    watch = RedWatch(client_for(staff), limit=RED_WITHIN)
    var = tmp_path / "var"

    with own_redis_server() as redis, smtp_server() as (server, port):
        worker = start_worker(
            var, redis.url, "broker-fault", EMAIL_URL=f"smtp://127.0.0.1:{port}", **WORKER_ENV
        )
        try:
            assert worker_up(), log_tail(var)
            due_reminders(patient, COUNT, spread=timedelta(seconds=15))
            finished = ride_out(
                ready=lambda: sent_count() >= 5,
                fault=redis.stop,
                recover=redis.start,
                hold=DOWN_SECONDS,
                watch=watch,
                rows=COUNT,
            )
        finally:
            stop_worker(worker)

    assert finished, (sent_count(), log_tail(var))
    twice = twice_by_key(server.message_ids())
    result = figures("c. broker down", rows=COUNT, twice=twice, watch=watch)
    assert result.lost == 0 and result.twice == 0, result
    assert watch.red_after is not None and watch.red_after <= RED_WITHIN, result
