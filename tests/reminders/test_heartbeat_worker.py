"""A real Celery worker with embedded beat, started here, ticks the heartbeat into the
database: the filesystem broker locally, in CI (B12_REQUIRE_SERVICES=1) a redis-server of the
test's own (the worker_broker fixture), never the configured shared Redis."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

from django.db import connection

from core.models import SweepTick

ROOT = Path(__file__).resolve().parents[2]
CELERY = Path(sys.executable).parent / "celery"
DEADLINE_SECONDS = 60


def test_database_url() -> str:
    """A URL for the database this test run uses, for the worker process."""
    config = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{config['NAME']}"
    user = quote(config["USER"] or "", safe="")
    password = f":{quote(config['PASSWORD'], safe='')}" if config.get("PASSWORD") else ""
    host = config["HOST"] or "localhost"
    port = f":{config['PORT']}" if config["PORT"] else ""
    return f"postgres://{user}{password}@{host}{port}/{config['NAME']}"


test_database_url.__test__ = False  # a helper, not a test


def start_worker(tmp_path: Path, broker: str) -> tuple[subprocess.Popen, Path]:
    log = tmp_path / "worker.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "b12tracker.settings",
        "DEBUG": "true",
        "B12_VAR_DIR": str(tmp_path / "var"),
        "DATABASE_URL": test_database_url(),
        "CELERY_BROKER_URL": broker,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "HEARTBEAT_SECONDS": "1",
    }
    with log.open("wb") as out:
        worker = subprocess.Popen(
            [
                str(CELERY),
                "-A",
                "b12tracker",
                "worker",
                "--beat",
                "--concurrency",
                "1",
                "--loglevel",
                "INFO",
                "--hostname",
                f"heartbeat-test-{os.getpid()}@%h",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    return worker, log


def stop_worker(worker: subprocess.Popen) -> int:
    if worker.poll() is None:
        worker.send_signal(signal.SIGTERM)
    try:
        return worker.wait(timeout=30)
    except subprocess.TimeoutExpired:
        worker.kill()
        return worker.wait(timeout=10)


def wait_for_ticks(worker: subprocess.Popen, count: int) -> SweepTick | None:
    deadline = time.monotonic() + DEADLINE_SECONDS
    while time.monotonic() < deadline and worker.poll() is None:
        tick = SweepTick.objects.filter(name="heartbeat").first()
        if tick is not None and tick.ticks >= count:
            return tick
        time.sleep(0.5)
    return SweepTick.objects.filter(name="heartbeat").first()


def test_worker_with_embedded_beat_records_heartbeats(transactional_db, tmp_path, worker_broker):
    broker = worker_broker
    assert not SweepTick.objects.exists()
    worker, log = start_worker(tmp_path, broker)
    try:
        tick = wait_for_ticks(worker, 2)
    finally:
        code = stop_worker(worker)

    output = log.read_text(errors="replace")
    assert tick is not None and tick.ticks >= 2, output[-4000:]
    assert tick.last_worker
    assert code == 0, output[-4000:]
    assert "heartbeat" in output
