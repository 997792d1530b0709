"""Beat run on its own (`celery beat`, beside workers without -B) checks the database and the
broker before it ticks, as a worker does: one that cannot reach either exits (status 1) with
one line naming it. Beat embedded in a worker (-B) is covered by the worker's own check (it
starts only after the worker's passed): test_worker_startup and test_heartbeat_worker."""

import time

from tests.reminders.smtp import free_port
from tests.reminders.workers import kill_worker, log_tail, start_beat, wait_until

CHECK_SECONDS = 2
BOUND_SECONDS = 30


def run_beat(tmp_path, broker: str, *, seconds: float = BOUND_SECONDS, **env: str):
    started = time.monotonic()
    beat = start_beat(
        tmp_path / "var", broker, WORKER_STARTUP_CHECK_SECONDS=str(CHECK_SECONDS), **env
    )
    try:
        wait_until(lambda: beat.poll() is not None, seconds=seconds)
        code = beat.poll()
        took = time.monotonic() - started
    finally:
        kill_worker(beat)
    return code, took, log_tail(tmp_path / "var", chars=20000)


def assert_one_naming_line(output: str, what: str) -> None:
    exiting = [line for line in output.splitlines() if line.endswith("; exiting")]
    assert len(exiting) == 1, output
    assert f"b12tracker beat: {what} is unreachable (connection refused); exiting" in exiting[0]
    assert "Traceback" not in output
    assert "Sending due task" not in output
    assert len([line for line in output.splitlines() if line.startswith("[")]) <= 6, output


def test_a_beat_without_its_database_exits_naming_it(transactional_db, tmp_path):
    port = free_port()
    code, took, output = run_beat(
        tmp_path,
        "filesystem://",
        DATABASE_URL=f"postgres://b12:s3cret-pw@127.0.0.1:{port}/b12tracker",
    )
    assert code == 1 and took < BOUND_SECONDS, output
    assert_one_naming_line(output, f"the database at 127.0.0.1:{port}")
    assert "s3cret-pw" not in output


def test_a_beat_without_its_broker_exits_naming_it(transactional_db, tmp_path):
    port = free_port()
    code, took, output = run_beat(tmp_path, f"redis://:s3cret-pw@127.0.0.1:{port}/0")
    assert code == 1 and took < BOUND_SECONDS, output
    assert_one_naming_line(output, f"the broker at 127.0.0.1:{port}")
    assert "s3cret-pw" not in output


def test_a_beat_that_reaches_both_ticks(transactional_db, tmp_path):
    var = tmp_path / "var"
    beat = start_beat(var, "filesystem://", WORKER_STARTUP_CHECK_SECONDS=str(CHECK_SECONDS))
    try:
        ticking = wait_until(lambda: "Sending due task" in log_tail(var), seconds=BOUND_SECONDS)
        running = beat.poll() is None
    finally:
        kill_worker(beat)
    output = log_tail(var)
    assert ticking and running, output
    assert "unreachable" not in output
