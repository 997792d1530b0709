"""A starting worker checks the database and the broker: one that cannot reach either exits
(status 1) within its WORKER_STARTUP_CHECK_SECONDS with one line naming it, no traceback and
no password, instead of saying "ready" and logging a traceback every tick. (A healthy worker
still starts: test_heartbeat_worker.)"""

import time

from tests.reminders.smtp import free_port
from tests.reminders.workers import kill_worker, log_tail, start_worker, wait_until

CHECK_SECONDS = 2
# Python and Django start, then CHECK_SECONDS of tries; generous on a loaded machine.
BOUND_SECONDS = 30


def run_until_exit(tmp_path, broker: str, **env: str) -> tuple[int | None, float, str]:
    started = time.monotonic()
    worker = start_worker(
        tmp_path / "var",
        broker,
        "startup-test",
        WORKER_STARTUP_CHECK_SECONDS=str(CHECK_SECONDS),
        **env,
    )
    try:
        wait_until(lambda: worker.poll() is not None, seconds=BOUND_SECONDS)
        code = worker.poll()
        took = time.monotonic() - started
    finally:
        kill_worker(worker)  # the whole process group, whether or not it exited
    return code, took, log_tail(tmp_path / "var", chars=20000)


def assert_one_naming_line(output: str, what: str) -> None:
    lines = [line for line in output.splitlines() if line.strip()]
    exiting = [line for line in lines if line.endswith("; exiting")]
    assert len(exiting) == 1, output
    assert f"b12tracker worker: {what} is unreachable (connection refused); exiting" in exiting[0]
    assert "Traceback" not in output
    assert "ready" not in output
    assert "beat: Starting" not in output  # the embedded beat starts only after the check
    # A few retry warnings, the exit line and (as root) Celery's superuser warning: no more.
    log_lines = [line for line in lines if line.startswith("[")]
    assert len(log_lines) <= 6, output
    assert len(lines) <= 15, output


def test_a_worker_without_its_database_exits_naming_it(transactional_db, tmp_path):
    port = free_port()  # nothing listens there
    code, took, output = run_until_exit(
        tmp_path,
        "filesystem://",
        DATABASE_URL=f"postgres://b12:s3cret-pw@127.0.0.1:{port}/b12tracker",
    )
    assert code == 1, output
    assert took < BOUND_SECONDS
    assert_one_naming_line(output, f"the database at 127.0.0.1:{port}")
    assert "s3cret-pw" not in output


def test_a_worker_without_its_broker_exits_naming_it(transactional_db, tmp_path):
    port = free_port()
    code, took, output = run_until_exit(tmp_path, f"redis://:s3cret-pw@127.0.0.1:{port}/0")
    assert code == 1, output
    assert took < BOUND_SECONDS
    assert_one_naming_line(output, f"the broker at 127.0.0.1:{port}")
    assert "s3cret-pw" not in output
