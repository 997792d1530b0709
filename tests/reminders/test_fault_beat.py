"""Fault: beat stops (run on its own beside a worker without -B, stopped by the test) while
reminders fall due, then starts again. Nothing is sent meanwhile, the status page and
/ops/health go red (late reminders, then a stale heartbeat), and once beat is back every
reminder goes out once."""

from datetime import timedelta

from tests.reminders.faults import (
    RED_WITHIN,
    WORKER_ENV,
    RedWatch,
    compressed,
    due_reminders,
    figures,
    need_postgres,
    ride_out,
    sent_count,
    twice_by_key,
    worker_up,
)
from tests.reminders.smtp import smtp_server
from tests.reminders.workers import log_tail, start_beat, start_worker, stop_worker

COUNT = 30
STOPPED_SECONDS = 9


@compressed
def test_beat_stopped_then_back(
    transactional_db, make_patient, staff, client_for, tmp_path, own_redis
):
    need_postgres()
    patient = make_patient("beat-fault@example.com", "Beat Fault")
    watch = RedWatch(client_for(staff), limit=RED_WITHIN)
    var = tmp_path / "var"
    beats = []

    def start() -> None:
        beats.append(start_beat(var, own_redis, **WORKER_ENV))

    def stop() -> None:
        stop_worker(beats[-1])

    with smtp_server() as (server, port):
        email = f"smtp://127.0.0.1:{port}"
        worker = start_worker(
            var, own_redis, "beat-fault", beat=False, EMAIL_URL=email, **WORKER_ENV
        )
        start()
        try:
            assert worker_up(), log_tail(var)
            due_reminders(patient, COUNT, spread=timedelta(seconds=15))
            finished = ride_out(
                ready=lambda: sent_count() >= 5,
                fault=stop,
                recover=start,
                hold=STOPPED_SECONDS,
                watch=watch,
                rows=COUNT,
            )
        finally:
            for process in (*beats, worker):
                stop_worker(process)

    assert finished, (sent_count(), log_tail(var))
    twice = twice_by_key(server.message_ids())
    result = figures("f. beat stopped", rows=COUNT, twice=twice, watch=watch)
    assert result.lost == 0 and result.twice == 0, result
    assert watch.red_after is not None and watch.red_after <= RED_WITHIN, result
    assert {"oldest_waiting", "heartbeat"} <= watch.reasons, result
